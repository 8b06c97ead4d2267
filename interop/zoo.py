"""The zoo: implementations of the API the suite did not write, and how to start each one.

Six are independent implementations in other stacks, each written from the docs page and its
stack's own documentation, by that stack's defaults (`express/`, `fastify/`, `fastapi/`, `flask/`,
and the statically typed `go/` and `java/`, built by `toolchains.py`); each can also play a few
mistakes typical of its stack (`FAULT=name`). Two are third-party mocks serving the OpenAPI
description (`prism/`, `mockoon/`), with the deviations a mock cannot avoid listed in
`expectations/`. The tests (`tests/test_zoo.py`, `tests/test_prism.py`, `tests/test_mockoon.py`)
and the matrix (`benchmarks/zoo.py`) start them from here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from filelock import FileLock

from interop import toolchains
from interop.toolchains import Broken, Unavailable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "openapi" / "chat-accounts.yaml"
EXPECTATIONS = ROOT / "expectations"
ACCOUNT_PATH = "/api/v2/chat/account"
READY_WITHIN = 60.0  # seconds; a mock loading the description takes about 5


@dataclass(frozen=True)
class Fault:
    """A mistake typical of a member's stack, and the rules a run must fail (or warn on) because of it."""

    name: str
    breaks: frozenset[str]
    # Consequences that may also show, depending on what a seed draws (e.g. a dropped connection
    # after a crash), never instead of `breaks`.
    may_also: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Member:
    name: str
    stack: str
    runtime: str  # "node", "python", "go" or "java": what `install` needs to make it runnable
    command: tuple[str, ...]  # {port} and {spec} are filled in; relative to the member's folder
    token_prefix: str = ""  # tokens are "<prefix>-owner-token" and so on
    faults: tuple[Fault, ...] = ()
    # SHOULD rules this member is known to warn on, each with the reason (the README's matrix says it).
    warns: dict[str, str] = field(default_factory=dict)
    expectations: str | None = None  # a file in expectations/, for a mock that cannot keep some rules
    python_modules: tuple[str, ...] = ()  # what a python member needs installed

    @property
    def folder(self) -> Path:
        return HERE / self.name

    @property
    def tokens(self) -> dict[str, str]:
        prefix = self.token_prefix or self.name
        return {role: f"{prefix}-{role}-token" for role in ("owner", "admin", "agent")}

    def fault(self, name: str) -> Fault:
        return next(fault for fault in self.faults if fault.name == name)


def _f(name: str, *breaks: str, may_also: tuple[str, ...] = ()) -> Fault:
    return Fault(name, frozenset(breaks), frozenset(may_also))


MEMBERS: tuple[Member, ...] = (
    Member(
        "express",
        "Express 5.1 (Node 20), express.json() ahead of the routes",
        "node",
        ("node", "server.js"),
        faults=(
            # "Basic <the owner's token>" is served as the owner, billing included, when a seed draws it.
            _f("split-bearer", "AUTH-INVALID", may_also=("BILLING-OWNER-ONLY",)),
            # Once a sequence has stored a wrong type, every later sequence fails too, and a seed may
            # leave ROBUST-STATE-VALID unjudged (errored) rather than failed.
            _f("assign-billing", "ROBUST-INVALID-REJECTED", "SHAPE-ACCOUNT", may_also=("ROBUST-STATE-VALID",)),
            _f("send-status", "AUTH-ERROR-BODY"),
        ),
    ),
    Member(
        "fastify",
        "Fastify 5.6 (Node 20), route JSON schemas, auth in an onRequest hook",
        "node",
        ("node", "server.js"),
        faults=(
            _f("coerce-types", "ROBUST-INVALID-REJECTED"),
            _f("null-billing", "SHAPE-ACCOUNT", "BILLING-OWNER-ONLY"),  # billing for others: absent or {}, never null
            _f("no-405-route", "ROBUST-ALLOW"),
        ),
    ),
    Member(
        "fastapi",
        "FastAPI 0.165 with pydantic 2 (strict models), on uvicorn",
        "python",
        (sys.executable, "-m", "uvicorn", "app:app", "--port", "{port}", "--log-level", "warning"),
        faults=(
            _f("lax-types", "ROBUST-INVALID-REJECTED"),
            # A null stored by a sequence of PUTs leaves the account invalid too, when a seed draws one.
            _f("optional-null", "ROBUST-INVALID-REJECTED", "SHAPE-ACCOUNT", may_also=("ROBUST-STATE-VALID",)),
            _f("default-errors", "ROBUST-BAD-JSON"),
            # Once the edge value "\ud800" is stored, every read is a 500 and uvicorn drops the
            # connection after it: the next request on it may meet the drop (ROBUST-HTTP), and when
            # that request is ROBUST-STATE-VALID's read, the rule sees no answer, not an account.
            _f("unicode-response", "ROBUST-NO-5XX", may_also=("ROBUST-HTTP", "ROBUST-STATE-VALID")),
        ),
        warns={
            "ROBUST-ALLOW": "Starlette's 405 names the methods of the first route that matched the path "
            "(Allow: GET), not every method the resource supports",
        },
        python_modules=("fastapi", "uvicorn"),
    ),
    Member(
        "flask",
        "Flask 3.1 on its development server, hand-written validation that refuses read-only and unknown fields",
        "python",
        (sys.executable, "-m", "flask", "--app", "app", "run", "--port", "{port}"),
        faults=(
            _f("silent-json", "ROBUST-BAD-JSON", "ROBUST-INVALID-REJECTED", "ROBUST-CONTENT-TYPE"),
            _f("force-json", "ROBUST-CONTENT-TYPE"),
            _f("recursion-500", "ROBUST-NO-5XX"),
        ),
        python_modules=("flask",),
    ),
    Member(
        "go",
        "Go 1.19, net/http and encoding/json into pointer fields (standard library only)",
        "go",
        ("./.build/server",),
        faults=(
            _f("late-content-type", "SHAPE-CONTENT-TYPE"),
            # A body of `null` panics the handler, and net/http drops the connection unanswered: the
            # rule whose request it was sees no answer (ROBUST-INVALID-REJECTED's, when a sequence
            # draws it, ROBUST-STATE-VALID's).
            _f("nil-update", "ROBUST-HTTP", may_also=("ROBUST-INVALID-REJECTED", "ROBUST-STATE-VALID")),
            _f("trailing-json", "ROBUST-BAD-JSON"),
        ),
    ),
    Member(
        "java",
        "Java 17, the JDK's com.sun.net.httpserver with Jackson 2.14 databind into POJOs",
        "java",
        ("java", "-cp", toolchains.java_classpath(".build"), "Server"),
        faults=(
            _f("coercion", "ROBUST-INVALID-REJECTED"),
            _f("late-content-type", "SHAPE-CONTENT-TYPE"),
            # A body of `null` throws, and HttpServer closes the exchange unanswered, as Go's nil-update.
            _f("null-body", "ROBUST-HTTP", may_also=("ROBUST-INVALID-REJECTED", "ROBUST-STATE-VALID")),
        ),
    ),
)
MOCKS: tuple[Member, ...] = (
    Member(
        "prism",
        "Prism 5.16 (Stoplight), `prism mock` of the description",
        "node",
        ("node_modules/.bin/prism", "mock", "-h", "127.0.0.1", "-p", "{port}", "{spec}"),
        expectations="prism-static.toml",
    ),
    Member(
        "mockoon",
        "Mockoon CLI 9.9, `mockoon-cli start --data` the description",
        "node",
        ("node_modules/.bin/mockoon-cli", "start", "--data", "{spec}", "--port", "{port}"),
        expectations="mockoon.toml",
    ),
)
BY_NAME = {member.name: member for member in (*MEMBERS, *MOCKS)}


def install(member: Member) -> None:
    """Make `member` runnable: its npm packages from the committed lock file, its Python modules,
    or its Go or Java build.

    Raises Unavailable when its runtime is missing, Broken when installing fails. Safe to call from
    several processes at once (pytest-xdist workers): one installs while the others wait.
    """
    if member.runtime == "python":
        missing = [name for name in member.python_modules if not _importable(name)]
        if missing:
            raise Unavailable(f"{member.name} needs {', '.join(missing)}: pip install -c constraints.txt '.[test]'")
        return
    if member.runtime in toolchains.TOOLCHAINS:
        toolchains.build(member.name, member.folder, toolchains.TOOLCHAINS[member.runtime])
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise Unavailable(
            f"{member.name} needs Node.js and npm (Node 20 or newer): apt-get install nodejs npm, "
            "or see https://nodejs.org"
        )
    with FileLock(str(member.folder / ".install.lock")):
        if (member.folder / "node_modules" / ".package-lock.json").exists():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=member.folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise Broken(f"npm ci in {member.folder} failed:\n{done.stderr[-2000:]}")


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(
    member: Member,
    fault: str | None = None,
    *,
    support_created: bool = False,
    args: tuple[str, ...] = (),
    log: Path | None = None,
) -> Iterator[str]:
    """Start `member` (playing `fault`, with `args` after its command) on a free loopback port; yield its URL."""
    install(member)
    port = free_port()
    command = [part.format(port=port, spec=SPEC) for part in (*member.command, *args)]
    env = {
        **os.environ,
        "PORT": str(port),
        "FAULT": fault or "",
        "SUPPORT_CREATED": "1" if support_created else "",
        **{f"{role.upper()}_TOKEN": token for role, token in member.tokens.items()},
    }
    out = log.open("w") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        command, cwd=member.folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process, member)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log is not None:
            out.close()  # type: ignore[union-attr]


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], member: Member) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Broken(f"{member.name} exited with {process.returncode} before answering")
        try:
            httpx.get(url + ACCOUNT_PATH, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise Broken(f"{member.name} did not answer within {READY_WITHIN:g} s")


def token_args(member: Member) -> list[str]:
    """The `run` options that give the suite `member`'s three tokens."""
    return [arg for role, token in member.tokens.items() for arg in (f"--{role}-token", token)]
