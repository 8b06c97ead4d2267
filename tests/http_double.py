"""A raw HTTP/1.1 server in front of the reference server, to test the suite against real transport.

An ASGI app cannot drop a connection mid-response, send a status line that does not parse or a body
shorter than its Content-Length: its server always speaks correct HTTP. This double can. It reads
each request with h11, forwards it to an upstream reference server, and writes the answer back
byte by byte as a `Play` decides: conformantly (any content coding, chunked, `Connection: close`,
odd header-name case) or not (one of `MISBEHAVIOURS`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import select
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import brotli
import h11
import httpx
import zstandard

from conformance.server import create_app
from conformance.server.embedded import BackgroundServer

HOP_BY_HOP = {"content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive", "date", "server"}
HANG_S = 1.0  # longer than the runs' --timeout in the tests that use it


@dataclass(frozen=True)
class Answer:
    """What the upstream reference server answered, to be written back some way."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    reason: str = "OK"

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name), None)


@dataclass(frozen=True)
class Output:
    """Bytes to write for one answer, and what to do around them."""

    data: bytes
    close: bool = False  # close the connection after writing
    delay: float = 0.0  # seconds to wait before writing


@dataclass(frozen=True)
class Style:
    """How a conformant server may write an answer: every one of these is correct HTTP."""

    coding: str | None = None  # gzip, deflate, br or zstd, when the client accepts it
    chunked: bool = False
    close: bool = False
    name_case: Callable[[str], str] = str.title
    media_type_case: Callable[[str], str] = str.lower

    def play(self, answer: Answer, accepted: str) -> Output:
        body, headers = answer.body, [(self.name_case(k), v) for k, v in answer.headers]
        headers = [(k, self._media_type(v) if k.lower() == "content-type" else v) for k, v in headers]
        if self.coding and body and self.coding in accepted:
            body = ENCODERS[self.coding](body)
            headers.append((self.name_case("content-encoding"), self.coding))
        if self.close:
            headers.append((self.name_case("connection"), "close"))
        if self.chunked and answer.status not in (204, 304):
            headers.append((self.name_case("transfer-encoding"), "chunked"))
            payload = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in _parts(body)) + b"0\r\n\r\n"
        else:
            if answer.status not in (204, 304):
                headers.append((self.name_case("content-length"), str(len(body))))
            payload = body
        return Output(_head(answer.status, answer.reason, headers) + payload, close=self.close)

    def _media_type(self, value: str) -> str:
        kind, _, parameters = value.partition(";")
        return self.media_type_case(kind) + (";" + parameters.replace("charset", "Charset") if parameters else "")


def _parts(body: bytes, size: int = 37) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


# --- misbehaviours: each turns an answer into something a conformant server never sends ------------------


def _written(answer: Answer, **changes: object) -> bytes:
    return Style().play(replace(answer, **changes), "").data  # type: ignore[arg-type]


def _json_answer(status: int, document: object, extra: list[tuple[str, str]] | None = None) -> Answer:
    headers = [("content-type", "application/json"), *(extra or [])]
    return Answer(status, headers, json.dumps(document).encode())


DROPPED = Output(b"", close=True)
MISBEHAVIOURS: dict[str, Callable[[Answer], Output]] = {
    "dropped before a response": lambda a: DROPPED,
    "status line that does not parse": lambda a: Output(b"HTTP/1.1 OK\r\n\r\n", close=True),
    "header line without a colon": lambda a: Output(
        _head(a.status, a.reason, a.headers)[:-2] + b"Content-Type application/json\r\n\r\n", close=True
    ),
    "body shorter than Content-Length": lambda a: Output(
        _head(a.status, a.reason, [*a.headers, ("content-length", str(len(a.body) + 100))]) + a.body, close=True
    ),
    "two Content-Lengths that disagree": lambda a: Output(
        _head(a.status, a.reason, [*a.headers, ("content-length", "1"), ("content-length", "2")]) + a.body, close=True
    ),
    "chunk size that is not hex": lambda a: Output(
        _head(a.status, a.reason, [*a.headers, ("transfer-encoding", "chunked")]) + b"zz\r\n{}\r\n0\r\n\r\n",
        close=True,
    ),
    "Content-Encoding gzip on a plain body": lambda a: Output(
        _head(a.status, a.reason, [*a.headers, ("content-encoding", "gzip"), ("content-length", str(len(a.body)))])
        + a.body
    ),
    "no answer within the timeout": lambda a: Output(b"", close=True, delay=HANG_S),
    "body declared JSON that is not JSON": lambda a: Output(_written(a, body=b'{"account_key": ')),
    "body declared UTF-8 that is not": lambda a: Output(
        _written(a, body=b'{"account_key": "\xff\xfe"}', headers=[("content-type", "application/json; charset=utf-8")])
    ),
    "HTML 500": lambda a: Output(_written(Answer(500, [("content-type", "text/html")], b"<h1>Oops</h1>", "Oops"))),
    "204 with no account": lambda a: Output(_written(Answer(204, [], b"", "No Content"))),
    "503 with Retry-After": lambda a: Output(
        _written(_json_answer(503, {"error": "Unavailable"}, [("retry-after", "1")]))
    ),
    "429 without Retry-After": lambda a: Output(_written(_json_answer(429, {"error": "TooManyRequests"}))),
    "same-origin redirect": lambda a: Output(
        _written(Answer(302, [("location", "/api/v2/chat/account")], b"", "Found"))
    ),
    "huge body": lambda a: Output(_written(_json_answer(200, {"padding": "x" * 5_000_000}))),
    "deeply nested body": lambda a: Output(
        _written(a, body=b'{"account_key": "k", "nested": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    ),
    "200 with an empty JSON body": lambda a: Output(_written(a, body=b"")),
    "200 with HTML": lambda a: Output(
        _written(a, body=b"<html>account</html>", headers=[("content-type", "text/html")])
    ),
}


@dataclass
class Misbehaving:
    """Replaces a seeded random `fraction` of the answers with misbehaviours of every kind."""

    seed: int
    fraction: float = 0.1
    played: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def __call__(self, answer: Answer, accepted: str) -> Output:
        with self._lock:
            if self._random.random() >= self.fraction:
                return Style().play(answer, accepted)
            name = self._random.choice(sorted(MISBEHAVIOURS))
            self.played.append(name)
        return MISBEHAVIOURS[name](answer)


@dataclass
class EveryNth:
    """Plays one misbehaviour on every `n`th answer, to see what the suite makes of that kind alone."""

    name: str
    n: int = 9
    seen: int = 0

    def __call__(self, answer: Answer, accepted: str) -> Output:
        self.seen += 1
        return MISBEHAVIOURS[self.name](answer) if self.seen % self.n == 0 else Style().play(answer, accepted)


# --- the server ---------------------------------------------------------------------------------------------

Play = Callable[[Answer, str], Output]


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        leftover = b""
        served = 0
        while True:
            if served and not leftover and self.server.closes_idle is not None and self.server.closes_idle():
                # The keep-alive race: the idle connection is closed just as the next request
                # arrives, none of it read (so the client sees a reset or the end of the stream).
                readable, _, _ = select.select([self.request], [], [], HANG_S)
                with contextlib.suppress(OSError):
                    if readable and self.request.recv(1, socket.MSG_PEEK):
                        self.server.closes_idle.met += 1  # a request was there, unread
                return
            parsed = self._read_request(leftover)
            if parsed is None:
                return
            request, body, leftover = parsed
            served += 1
            key = (request.method, request.target, body)
            if self.server.drop_again == key:  # a request the double chokes on, on any connection
                self.server.drop_again = None
                return
            answer = self.server.forward(request, body)
            accepted = dict((k.decode().lower(), v.decode()) for k, v in request.headers).get("accept-encoding", "")
            output = self.server.play(answer, accepted)
            if output == DROPPED:
                self.server.drop_again = key
            if output.delay:
                time.sleep(output.delay)
            try:
                self.request.sendall(output.data)
            except OSError:
                return
            if output.close:
                return

    def _read_request(self, leftover: bytes) -> tuple[h11.Request, bytes, bytes] | None:
        connection = h11.Connection(h11.SERVER)
        if leftover:  # h11 reads b"" as the client closing the connection
            connection.receive_data(leftover)
        read = read_request(self.request, connection)
        return None if read is None else (*read, connection.trailing_data[0])


def read_request(sock: socket.socket, connection: h11.Connection) -> tuple[h11.Request, bytes] | None:
    """The next request h11 reads from `sock`, and its body; None once the client closed or broke the connection."""
    request, body = None, b""
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError:
            return None
        if event is h11.NEED_DATA:
            try:
                data = sock.recv(65536)
            except OSError:  # the client reset the connection, e.g. after its timeout
                return None
            if not data:
                return None
            connection.receive_data(data)
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, body
        elif isinstance(event, h11.ConnectionClosed):
            return None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: str, play: Play, closes_idle: EveryNthIdle | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.play = play
        self.closes_idle = closes_idle  # asked before reading each further request on a connection
        # A request whose answer was dropped is dropped again when it is sent once more: the double
        # chokes on that request, not on the connection it came on.
        self.drop_again: tuple[bytes, bytes, bytes] | None = None
        self.client = httpx.Client(base_url=upstream, follow_redirects=False, timeout=30)

    def handle_error(self, request: object, client_address: object) -> None:
        # The double's own trouble (a client gone mid-answer) is not printed: the tests look for
        # tracebacks in what the suite prints.
        pass

    def forward(self, request: h11.Request, body: bytes) -> Answer:
        headers = [(k.decode(), v.decode("latin-1")) for k, v in request.headers]
        sent = {
            k: v for k, v in headers if k.lower() not in ("host", "content-length", "accept-encoding", "connection")
        }
        response = self.client.request(request.method.decode(), request.target.decode(), headers=sent, content=body)
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
        return Answer(response.status_code, kept, response.content, response.reason_phrase or "OK")


@contextlib.contextmanager
def serving(play: Play, app: object = None, closes_idle: EveryNthIdle | None = None) -> Iterator[str]:
    """A double in front of `app` (a fresh reference server) for the length of the block; yields its base URL.

    `closes_idle`, asked before each further request on a kept-alive connection, closes that
    connection as the request arrives when it says so.
    """
    with BackgroundServer(app or create_app()) as upstream:
        server = _Server(upstream.url, play, closes_idle)
        thread = threading.Thread(target=server.serve_forever, name="http-double", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            server.client.close()


@dataclass
class StopsAnsweringAfter:
    """Answers the first `count` requests, then closes every connection without a word."""

    count: int

    def __call__(self, answer: Answer, accepted: str) -> Output:
        self.count -= 1
        return Style().play(answer, accepted) if self.count >= 0 else Output(b"", close=True)


@dataclass
class EveryNthIdle:
    """For `closes_idle`: says yes to every `n`th further request on a connection."""

    n: int = 7
    asked: int = 0
    met: int = 0  # connections closed with a request arriving on them (not a client that left)

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked % self.n == 0
