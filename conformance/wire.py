"""HTTP/1.1 for a run's requests: h11 over one kept-alive socket, as an httpx transport.

A run sends one request at a time to one origin. httpx's own transport (httpcore's pool, its
locks, traces and models) costs about 0.4 ms of CPU per request on top of h11, which parses
the same bytes, as strictly: more than the suite's own work. This transport keeps what the run
relies on from httpcore: a connection is reused only while idle for less than `KEEP_ALIVE_S`
and not readable (the server has not closed it), the trace events that tell a reused connection
from a new one (`transport._Connection`), the errors httpx raises, and a write the server cut
short still reads the response it may have sent.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import h11
import httpx

KEEP_ALIVE_S = 5.0  # httpcore's default: an idle connection older than this is not reused
READ_BYTES = 64 * 1024
MAX_HEAD_BYTES = 100 * 1024  # httpcore's limit on a response's status line and headers
DISCONNECTED = "Server disconnected without sending a response."  # httpcore's words (transport reads them)

Trace = Callable[[str, dict[str, Any]], None]


class _Connection:
    """One socket and the h11 state of the exchanges sent over it."""

    def __init__(self, origin: tuple[str, str, int], sock: socket.socket) -> None:
        self.origin, self.sock = origin, sock
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.idle_since = 0.0

    def reusable(self, origin: tuple[str, str, int]) -> bool:
        fresh = time.monotonic() - self.idle_since < KEEP_ALIVE_S
        return origin == self.origin and fresh and not _readable(self.sock)

    def send(self, events: list[h11.Event], timeout: float | None) -> None:
        data = b"".join(self.h11.send(event) or b"" for event in events)
        self.sock.settimeout(timeout)
        self.sock.sendall(data)

    def next_event(self, timeout: float | None) -> Any:
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise httpx.RemoteProtocolError(str(error)) from None
            if event is not h11.NEED_DATA:
                return event
            data = _read(self.sock, timeout)
            if data == b"" and self.h11.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError(DISCONNECTED)
            self.h11.receive_data(data)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def _readable(sock: socket.socket) -> bool:
    """Whether bytes (or the server's FIN) wait on an idle socket: then it is not used again."""
    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return bool(select.select([sock], [], [], 0)[0])
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    return bool(poll.poll(0))


def _read(sock: socket.socket, timeout: float | None) -> bytes:
    sock.settimeout(timeout)
    try:
        return sock.recv(READ_BYTES)
    except TimeoutError as error:
        raise httpx.ReadTimeout(str(error) or "timed out") from None
    except OSError as error:
        raise httpx.ReadError(str(error)) from None


class _Body(httpx.SyncByteStream):
    """A response's body, read as it is iterated; closing it gives its connection back, if it may be reused."""

    def __init__(self, wire: Wire, connection: _Connection, timeout: float | None) -> None:
        self._wire: Wire | None = wire
        self._connection, self._timeout = connection, timeout

    def __iter__(self) -> Iterator[bytes]:
        while True:
            event = self._connection.next_event(self._timeout)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return

    def close(self) -> None:
        wire, self._wire = self._wire, None  # once: a second close would close the connection given back
        if wire is not None:
            wire._give_back(self._connection)


class Wire(httpx.BaseTransport):
    """A transport for sequential requests: one idle connection kept, h11 for the protocol."""

    def __init__(self, tls: ssl.SSLContext) -> None:
        self._tls = tls
        self._idle: _Connection | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        trace: Trace = request.extensions.get("trace") or (lambda name, info: None)
        connection = self._connection_for(request, timeouts.get("connect"), trace)
        try:
            return self._exchange(connection, request, timeouts, trace)
        except BaseException:
            connection.close()
            raise

    def _exchange(
        self, connection: _Connection, request: httpx.Request, timeouts: dict[str, Any], trace: Trace
    ) -> httpx.Response:
        try:
            head = h11.Request(method=request.method, target=request.url.raw_path, headers=request.headers.raw)
        except h11.LocalProtocolError as error:
            raise httpx.LocalProtocolError(str(error)) from None
        trace("http11.send_request_headers.started", {"request": request})
        events = [head, *(h11.Data(data=chunk) for chunk in request.stream), h11.EndOfMessage()]  # type: ignore[union-attr]
        # As httpcore: a write the server cut short goes on to read what it may have answered before.
        with contextlib.suppress(OSError):
            connection.send(events, timeouts.get("write"))  # in one write: the server wakes once
        read = timeouts.get("read")
        event = connection.next_event(read)
        while isinstance(event, h11.InformationalResponse):
            event = connection.next_event(read)
        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=_Body(self, connection, read),
            extensions={"http_version": b"HTTP/" + event.http_version, "reason_phrase": event.reason},
        )

    def _connection_for(self, request: httpx.Request, timeout: float | None, trace: Trace) -> _Connection:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        with self._lock:
            idle, self._idle = self._idle, None
        if idle is not None:
            if idle.reusable(origin):
                return idle
            idle.close()
        trace("connection.connect_tcp.started", {})
        return _Connection(origin, self._connect(origin, timeout))

    def _connect(self, origin: tuple[str, str, int], timeout: float | None) -> socket.socket:
        scheme, host, port = origin
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError as error:
            raise httpx.ConnectTimeout(str(error) or "timed out") from None
        except OSError as error:
            raise httpx.ConnectError(str(error)) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme != "https":
            return sock
        try:
            return self._tls.wrap_socket(sock, server_hostname=host)
        except TimeoutError as error:
            sock.close()
            raise httpx.ConnectTimeout(str(error) or "timed out") from None
        except OSError as error:  # ssl.SSLError included: a certificate refused, a handshake cut
            sock.close()
            raise httpx.ConnectError(str(error)) from None

    def _give_back(self, connection: _Connection) -> None:
        state = connection.h11
        if state.our_state is h11.DONE and state.their_state is h11.DONE:
            state.start_next_cycle()
            connection.idle_since = time.monotonic()
            with self._lock:
                previous, self._idle = self._idle, connection
            if previous is not None and previous is not connection:
                previous.close()
        else:
            connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, None
        if idle is not None:
            idle.close()
