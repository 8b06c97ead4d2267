"""`serve`: the reference server, for clients to be tested against."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_PASS, UsageError, port, rate


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("serve", help="run the reference server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port, default=8000)
    parser.add_argument("--support-created", action="store_true", help="refuse every PUT, as for a Support account")
    parser.add_argument("--fixture", type=Path, metavar="FILE", help="tokens and starting account (JSON)")
    parser.add_argument("--state", type=Path, metavar="FILE", help="keep the account in this file across restarts")
    parser.add_argument("--rate-limit", type=rate, metavar="N/m", help="answer 429 past this many requests")
    parser.set_defaults(handler=handle)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
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

    from conformance.server import ServerSettings, create_app
    from conformance.server.settings import SettingsError, apply_fixture, apply_state

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
    print("Press Ctrl-C to stop.", flush=True)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return EXIT_PASS
