"""`serve`: the reference server, for clients to be tested against."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.cli.common import EXIT_PASS, UsageError, fraction, milliseconds, port, rate

if TYPE_CHECKING:
    import socket


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("serve", help="run the reference server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port, default=8000)
    parser.add_argument("--support-created", action="store_true", help="refuse every PUT, as for a Support account")
    parser.add_argument("--fixture", type=Path, metavar="FILE", help="tokens and starting account (JSON)")
    parser.add_argument("--state", type=Path, metavar="FILE", help="keep the account in this file across restarts")
    parser.add_argument("--rate-limit", type=rate, metavar="N/m", help="answer 429 past this many requests")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="break one rule on purpose (repeatable); --list-faults lists them",
    )
    parser.add_argument("--list-faults", action="store_true", help="list the faults --fault can play, and exit")
    parser.add_argument(
        "--latency", type=milliseconds, default=0.0, metavar="MS", help="wait this long before answering"
    )
    parser.add_argument(
        "--error-rate", type=fraction, default=0.0, metavar="R", help="answer this share of requests 503 (0 to 1)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.set_defaults(handler=handle)


def _list_faults() -> int:
    from conformance.server import faults

    width = max(len(name) for name in faults.CATALOG)
    for name, fault in faults.CATALOG.items():
        breaks = ", ".join(sorted(fault.breaks)) or "nothing (a behaviour the docs allow)"
        print(f"{name:<{width}}  breaks {breaks}")
        print(f"{'':<{width}}  {fault.description()}")
    return EXIT_PASS


def _log(text: str) -> None:
    print(text, flush=True)


def _listen(host: str, port: int) -> socket.socket:
    import socket  # not at the top: every command loads this module, and only serve listens

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket declares it, and without it every keep-alive answer waits on a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(2048)
    return sock


def handle(args: argparse.Namespace) -> int:
    import uvicorn

    from conformance.server import ServerSettings, faults
    from conformance.server.serving import Behaviour, build
    from conformance.server.settings import SettingsError, apply_fixture, apply_state
    from conformance.server.store import AccountStore

    if args.list_faults:
        return _list_faults()
    settings = ServerSettings(support_created=args.support_created)
    try:
        if args.fixture:
            apply_fixture(settings, args.fixture)
        if args.state:
            apply_state(settings, args.state)
    except SettingsError as error:
        raise UsageError(str(error)) from None
    if args.rate_limit:
        settings.rate_limit_per_minute = max(1, round(60 / args.rate_limit.interval))
    behaviour = Behaviour(args.fault, args.latency, args.error_rate)
    try:
        app = build(
            settings, AccountStore(settings.account, settings.state_file), behaviour, None if args.quiet else _log
        )
    except KeyError as error:
        raise UsageError(str(error.args[0])) from None
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Zendesk Chat Accounts reference server on http://{shown_host}:{port}", flush=True)
    print(f"  account endpoint: http://{shown_host}:{port}/api/v2/chat/account")
    for role, token in settings.tokens.items():
        print(f"  {role:5} token: {token}")
    if settings.support_created:
        print("  created in Zendesk Support: every PUT is refused")
    if settings.state_file:
        print(f"  state kept in {settings.state_file}")
    for name in args.fault:
        print(f"  fault {name}: {faults.CATALOG[name].description()}")
    if args.latency or args.error_rate:
        print(f"  latency {args.latency:g} ms; {args.error_rate:.0%} of requests answered 503")
    print("Press Ctrl-C to stop." + ("" if args.quiet else " Each request is logged: method, role, status, rule."))
    print(flush=True)
    # uvicorn shuts down gracefully on SIGINT and SIGTERM, then raises the signal again for the
    # handler it found: make that one do nothing, so that both end in a clean exit 0.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda signum, frame: None)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return EXIT_PASS
