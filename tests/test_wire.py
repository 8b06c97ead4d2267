"""conformance.wire: the run's HTTP/1.1 transport, against raw servers that do what a test asks."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import h11
import http_double
import httpx
import pytest
import trustme

from conformance import wire
from conformance.exchange import NO_CREDENTIAL
from conformance.transport import Target
from conformance.wire import DISCONNECTED, Wire

PATH = "/api/v2/chat/account"
Handler = Callable[[socket.socket], None]


@contextlib.contextmanager
def serving(handle: Handler, tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback server giving each connection it accepts to `handle`; yields its URL and the connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            if tls is not None:
                try:
                    connection = tls.wrap_socket(connection, server_side=True)
                except (OSError, ssl.SSLError):
                    connection.close()
                    continue
            accepted.append(connection)
            threading.Thread(target=_handled, args=(handle, connection), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    scheme = "https" if tls else "http"
    try:
        yield f"{scheme}://{'localhost' if tls else '127.0.0.1'}:{listener.getsockname()[1]}", accepted
    finally:
        listener.close()
        for connection in accepted:
            with contextlib.suppress(OSError):
                connection.close()


def _handled(handle: Handler, connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        handle(connection)


def answering(requests_per_connection: int | None = None) -> Handler:
    """A keep-alive server answering each request with its method and body; it closes after so many."""

    def handle(connection: socket.socket) -> None:
        state = h11.Connection(h11.SERVER)
        answered = 0
        while requests_per_connection is None or answered < requests_per_connection:
            got = http_double.read_request(connection, state)
            if got is None:
                return
            request, body = got
            content = request.method + b" " + body
            connection.sendall(
                state.send(h11.Response(status_code=200, headers=[("Content-Length", str(len(content)))]))
                + state.send(h11.Data(data=content))
                + state.send(h11.EndOfMessage())
            )
            state.start_next_cycle()
            answered += 1
        connection.close()

    return handle


def writing(data: bytes, *, then: Callable[[], None] = lambda: None) -> Handler:
    """A server that reads one request and writes `data` back, whatever it is, then closes."""

    def handle(connection: socket.socket) -> None:
        http_double.read_request(connection, h11.Connection(h11.SERVER))
        connection.sendall(data)
        then()
        connection.close()

    return handle


def send(transport: httpx.BaseTransport, url: str, method: str = "GET", content: bytes | None = None, **timeout: float):
    request = httpx.Request(method, url + PATH, content=content, extensions={"timeout": timeout})
    events: list[str] = []
    request.extensions["trace"] = lambda name, info: events.append(name)
    response = transport.handle_request(request)
    try:
        response.read()
    finally:
        response.close()
    return response, events


def plain() -> Wire:
    return Wire(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


def test_requests_one_after_another_go_over_one_connection_and_bodies_arrive_whole() -> None:
    with serving(answering()) as (url, accepted):
        transport = plain()
        first, events = send(transport, url)
        second, again = send(transport, url, "PUT", b'{"billing": {"city": "Lyon"}}')
        transport.close()
    assert (first.status_code, first.content) == (200, b"GET ")
    assert second.content == b'PUT {"billing": {"city": "Lyon"}}'
    assert len(accepted) == 1
    assert "connection.connect_tcp.started" in events and "connection.connect_tcp.started" not in again
    assert "http11.send_request_headers.started" in again  # what tells the run a pooled connection was used


def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    with serving(answering(requests_per_connection=1)) as (url, accepted):
        transport = plain()
        send(transport, url)
        time.sleep(0.05)  # the server's FIN arrives at the idle connection
        response, events = send(transport, url)
        transport.close()
    assert response.status_code == 200 and len(accepted) == 2
    assert "connection.connect_tcp.started" in events


def test_a_connection_idle_for_longer_than_keep_alive_is_not_used_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "KEEP_ALIVE_S", 0.0)
    with serving(answering()) as (url, accepted):
        transport = plain()
        send(transport, url)
        send(transport, url)
        transport.close()
    assert len(accepted) == 2


def test_a_connection_closed_before_any_byte_of_the_response_is_httpcores_error() -> None:
    with serving(writing(b"")) as (url, _), pytest.raises(httpx.RemoteProtocolError, match=DISCONNECTED):
        send(plain(), url)


def test_a_status_line_that_does_not_parse_is_a_protocol_error() -> None:
    with serving(writing(b"HTTP/1.1 two hundred OK\r\n\r\n")) as (url, _), pytest.raises(httpx.RemoteProtocolError):
        send(plain(), url)


def test_informational_responses_are_passed_over() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    with serving(writing(answer)) as (url, _):
        response, _ = send(plain(), url)
    assert (response.status_code, response.content) == (200, b"{}")


def test_a_body_cut_short_fails_as_it_is_read_after_its_headers_arrived() -> None:
    with serving(writing(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")) as (url, _):
        request = httpx.Request("GET", url + PATH)
        response = plain().handle_request(request)
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()


def test_no_answer_within_the_timeout_is_a_read_timeout() -> None:
    with serving(writing(b"", then=lambda: time.sleep(1))) as (url, _), pytest.raises(httpx.ReadTimeout):
        send(plain(), url, read=0.2)


def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        send(plain(), f"http://127.0.0.1:{port}")


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def _server_tls(authority: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*names).configure_cert(context)
    return context


def _trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


def test_https_with_a_trusted_certificate_for_the_host(authority: trustme.CA) -> None:
    with serving(answering(), tls=_server_tls(authority, "localhost")) as (url, accepted):
        transport = Wire(_trusting(authority))
        send(transport, url)
        response, _ = send(transport, url)
    assert (response.status_code, response.content, len(accepted)) == (200, b"GET ", 1)


@pytest.mark.parametrize(
    ("names", "trusted"),
    [(("localhost",), False), (("example.org",), True)],
    ids=["untrusted authority", "certificate for another host"],
)
def test_https_refuses_a_certificate_it_cannot_verify(
    authority: trustme.CA, names: tuple[str, ...], trusted: bool
) -> None:
    client_tls = _trusting(authority) if trusted else ssl.create_default_context()
    refused = pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED")
    with serving(answering(), tls=_server_tls(authority, *names)) as (url, _), refused:
        send(Wire(client_tls), url)


def test_a_proxy_the_environment_names_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx's own transport then sends, through the proxy: the run's requests reach the target as before."""
    seen: list[bytes] = []

    def proxy(connection: socket.socket) -> None:
        got = http_double.read_request(connection, h11.Connection(h11.SERVER))
        assert got is not None
        seen.append(got[0].target)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        connection.close()

    with serving(proxy) as (url, _):
        monkeypatch.setenv("HTTP_PROXY", url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        target = Target("http://chat.example.invalid", {})
        exchange = target.send("GET", NO_CREDENTIAL)
        target.close()
    assert exchange.status == 200
    assert seen == [b"http://chat.example.invalid" + PATH.encode()]  # the absolute form a proxy is sent


def test_a_host_no_proxy_names_is_sent_to_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(answering()) as (url, accepted), serving(answering()) as (proxy, proxied):
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        target = Target(url, {})
        exchange = target.send("GET", NO_CREDENTIAL)
        target.close()
    assert (exchange.status, len(accepted), len(proxied)) == (200, 1, 0)


def test_a_body_closed_twice_leaves_its_connection_to_the_next_request() -> None:
    with serving(answering()) as (url, accepted):
        transport = plain()
        response = transport.handle_request(httpx.Request("GET", url + PATH))
        response.read()
        response.stream.close()  # type: ignore[union-attr]
        response.stream.close()  # type: ignore[union-attr]
        again, _ = send(transport, url)
        transport.close()
    assert (again.status_code, len(accepted)) == (200, 1)
