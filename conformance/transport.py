"""The only way the suite talks to a target.

Every request goes through `Target.send`, which paces requests, waits out 429s, never follows a
redirect (so a token can never reach another origin), reads and decodes each body once, and hands
each exchange, secrets removed, to the listeners that judge it. A request that gets no complete
answer is handed to them too (ROBUST-HTTP judges it) and raises `NoResponse`; a target that has
stopped answering altogether raises `TargetGone`.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast
from urllib.parse import urlsplit

from conformance import __version__, spec
from conformance.exchange import (
    NO_CREDENTIAL,
    NO_RESPONSE,
    REDACTED,
    Credential,
    Exchange,
    ReceivedResponse,
    SentRequest,
)
from conformance.lazy import httpx
from conformance.quota import Quota

if TYPE_CHECKING:
    import ssl

Listener = Callable[[Exchange], None]
# `answer(method, url, headers, content)` of a transport that needs no HTTP objects: None to send it.
Answering = Callable[[str, str, Mapping[str, str], bytes | None], "Answer | None"]
MAX_RETRY_WAIT_S = 120.0
MAX_RATE_LIMIT_RETRIES = 8
FALLBACK_BACKOFF_S = 0.5  # the first wait after a 429 that says nothing; doubled on each retry
USER_AGENT = f"zendesk-chat-conformance/{__version__}"
PROBES = 2  # GETs sent after a request got no answer, to tell a hang on one request from a target gone
# Idempotent (RFC 9110 §9.2.2): sent once more when a keep-alive race lost them. Other methods are
# sent over a new connection each, which no race can close under them.
RESENT = ("GET", "PUT", "HEAD", "DELETE")


class NoResponse(Exception):
    """A request got no complete, well-formed response. ROBUST-HTTP has judged `exchange`;
    the check that sent it cannot judge its own rule with it and moves on."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__(f"{exchange.method} as {exchange.credential.label}: {exchange.problem}")
        self.exchange = exchange


class BudgetSpent(BaseException):
    """The run has sent as many requests as it may (`--max-requests`): the rules not reached are skipped.

    A BaseException for the same reason as TargetGone: hypothesis must stop at once.
    """


class TargetGone(BaseException):
    """The target stopped answering altogether (or a replay ran out of recorded answers): the run ends.

    A BaseException, as pytest's outcomes are, so that hypothesis stops at once instead of
    shrinking an example against a server that is no longer there.
    """


class Pacer:
    """Spaces requests so that no more than `per_second` are sent, over any window."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, text: str) -> Pacer:
        """`N/s` or `N/m`, e.g. `10/s` or `300/m`."""
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*([sm])\s*", text)
        if not match or float(match.group(1)) <= 0:
            raise ValueError(f"rate limit {text!r} is not of the form N/s or N/m with N > 0")
        count = float(match.group(1))
        return cls(count if match.group(2) == "s" else count / 60.0)

    def delay(self) -> float:
        """Reserve the next slot and say how long to wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
            return slot - now


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    import email.utils  # an HTTP date, which few targets send

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Redactor:
    """Removes every secret it knows from text bound for output, reports or cassettes.

    A secret of `WHOLE_ONLY_BELOW` characters or more is removed wherever it appears. A shorter
    one (a placeholder token given to a mock) is removed where it stands alone, not inside longer
    words: masking every `o` in a report would leave nothing readable.
    """

    WHOLE_ONLY_BELOW = 8

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
        short = [re.escape(secret) for secret in self.secrets if len(secret) < self.WHOLE_ONLY_BELOW]
        alone = r"(?<![\w.~+/-])(?:{})(?![\w.~+/-])"
        self._short = re.compile(alone.format("|".join(short))) if short else None

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if len(secret) >= self.WHOLE_ONLY_BELOW and secret in text:
                text = text.replace(secret, REDACTED)
        if self._short is not None:
            text = self._short.sub(REDACTED, text)
        return text


class Target:
    """The account endpoint of one server, and the role tokens the suite may use on it."""

    def __init__(
        self,
        base_url: str,
        tokens: Mapping[str, str | None],
        *,
        timeout: float = 10.0,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
        explain: Callable[[Exception], str | None] | None = None,
        limit: int | None = None,
        quota: Quota | None = None,
        interrupted: Callable[[], bool] | None = None,
        wire: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + spec.ACCOUNT_PATH
        self.origin = origin(self.url)
        self.tokens = {role: token for role, token in tokens.items() if token}
        self.redact = Redactor(self.tokens.values())
        self.pacer = pacer
        self.listeners: list[Listener] = []
        self.requests = 0
        self.resent = 0  # requests sent once more after a keep-alive connection closed under them
        self._sleep = sleep
        self.timeout = timeout
        self.gone: TargetGone | None = None
        self.limit = limit  # requests the run may send, restore aside; None: no limit
        self.quota = quota or Quota()
        self.answered_once = False  # a target that never answered "could not be reached"
        # Says why an error that is not the network's means no answer (e.g. a cassette without
        # this request), or None to let it through as the bug it is.
        self._explain = explain
        # Whether the run was asked to stop (Ctrl-C): asked before each request. Python raises
        # KeyboardInterrupt wherever the main thread is, and one raised inside a garbage-collector
        # callback (hypothesis keeps one) is reported as ignored and lost; this raises it again.
        self._interrupted = interrupted
        self._transport = transport
        # A transport that can also answer without HTTP objects (a replay's cassette: `answer`).
        self._answers: Answering | None = getattr(transport, "answer", None)
        self._tls_context: ssl.SSLContext | None = None
        # httpx's own transport where a proxy is configured, or where the run is recorded (vcrpy
        # records what goes through httpx's transports); `Wire` everywhere else.
        self._wire = self._new_wire() if wire and transport is None and not _proxied(self.url) else None
        self._made_client: httpx.Client | None = None

    # httpx is loaded by the first request that needs it: a replay answered by `answer` never does.
    @functools.cached_property
    def _parsed_url(self) -> httpx.URL:
        return httpx.URL(self.url)  # parsed once, not for each request

    @functools.cached_property
    def _url_text(self) -> str:
        """The URL as a transport reads it (`str(request.url)`): as written when httpx writes it so."""
        return self.url if _written_as_httpx_writes(self.url) else str(self._parsed_url)

    @property
    def _client(self) -> httpx.Client:
        if self._made_client is None:
            self._made_client = self._new_client()
        return self._made_client

    def _new_client(self) -> httpx.Client:
        # The client only builds requests where Wire or the given transport sends them: no pool of
        # httpx's own is made. A transport is anything with httpx's `handle_request` and `close`.
        transport = cast("httpx.BaseTransport | None", self._transport or self._wire)
        return httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,  # SECURITY-REDIRECT: a redirect is judged, never followed
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            cookies=_no_cookies(),
            transport=transport,
            verify=self._tls(),
        )

    def _new_wire(self) -> httpx.BaseTransport:
        from conformance.wire import Wire  # h11 and sockets: not loaded for a replay, which needs neither

        return Wire(self._tls())

    def _tls(self) -> ssl.SSLContext:
        """One TLS context for every client of the run: loading the trusted certificates costs 30 ms.

        A plain-HTTP target never speaks TLS (no redirect is followed), so it gets a context that
        verifies as strictly and trusts no certificate, which costs nothing to make.
        """
        import ssl

        if self._tls_context is None:
            if self.origin[0] == "https":
                self._tls_context = httpx.create_ssl_context()
            else:
                self._tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return self._tls_context

    def close(self) -> None:
        if self._made_client is not None:
            self._made_client.close()  # and the transport it was given (Wire's connection)
        elif self._wire is not None:
            self._wire.close()

    def try_again(self, limit: int | None) -> None:
        """Forget that the target stopped answering: restoring a live account deserves one more try.

        `limit` is the run's whole budget, of which the requests that restore were kept in reserve.
        """
        self.gone = None
        self.limit = limit
        self._interrupted = None  # the account is being put back: an interrupt has been heard
        # Through a new connection pool: an interrupt raised inside the old one may have left its
        # lock held, and closing it would wait for that lock too.
        if self._wire is not None:
            self._wire = self._new_wire()
        self._made_client = None  # made anew by the next request

    def has(self, role: str) -> bool:
        return role in self.tokens

    def as_role(self, role: str) -> Credential:
        return Credential(role, f"Bearer {self.tokens[role]}")

    def get(self, credential: Credential) -> Exchange:
        return self.send("GET", credential)

    def put(self, document: Any, credential: Credential) -> Exchange:
        return self.send("PUT", credential, content=json.dumps(document).encode(), content_type="application/json")

    def send(
        self,
        method: str,
        credential: Credential,
        *,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> Exchange:
        """Send one request to the account endpoint; 429s are waited out and retried."""
        headers = {}
        if credential.header is not None:
            headers["Authorization"] = credential.header
        if content_type is not None:
            headers["Content-Type"] = content_type
        backoff = FALLBACK_BACKOFF_S
        for _ in range(MAX_RATE_LIMIT_RETRIES + 1):
            exchange = self._send_once(method, credential, headers, content)
            if exchange.status != 429:
                return exchange
            wait = retry_after_seconds(exchange.response.headers.get("retry-after"))
            if wait is None:
                wait, backoff = backoff, backoff * 2
            if wait > MAX_RETRY_WAIT_S:
                raise self._gone(f"the target is rate limiting and asks to wait {wait:.0f} s; try again later")
            self._sleep(wait)
        raise self._gone(f"the target kept answering 429 after {MAX_RATE_LIMIT_RETRIES} waits")

    def _gone(self, reason: str) -> TargetGone:
        self.gone = TargetGone(reason)
        return self.gone

    def _send_once(
        self, method: str, credential: Credential, headers: dict[str, str], content: bytes | None
    ) -> Exchange:
        # Once the target has stopped answering, fail at once: nothing would be learnt by waiting
        # out more timeouts.
        if self.gone is not None:
            raise self.gone
        if self._interrupted is not None and self._interrupted():
            self._interrupted = None  # once: the requests that put the account back must go through
            raise KeyboardInterrupt
        delay = max(self.pacer.delay() if self.pacer is not None else 0.0, self.quota.delay())
        if delay > 0:
            self._sleep(delay)
        try:
            exchange = self._exchange(method, credential, headers, content)
        except httpx.LocalProtocolError:
            raise  # the suite built an invalid request: a bug in the suite, not the target
        except Exception as error:
            explained = self._explain(error) if self._explain else None
            if explained is None:
                raise
            sent = "" if content is None else " with body " + self.redact(content.decode("utf-8", "replace"))[:200]
            raise self._gone(f"{method} {self.url} as {credential.label}{sent}: {explained}") from None
        if exchange.complete:
            self.quota.observe(exchange.response.headers)
            self._tell(exchange)
            return exchange
        # An answer that never came is ROBUST-HTTP's to judge only while the target answers others;
        # a target that has stopped answering altogether ends the run instead (its rules errored).
        if exchange.status == NO_RESPONSE and not self._still_answering():
            sent = "" if exchange.request.body is None else f" with body {exchange.request.body[:120]}"
            what = "stopped answering" if self.answered_once else "could not be reached"
            raise self._gone(
                f"the target {what}: {method} as {credential.label}{sent} got no answer ({exchange.problem}), "
                f"nor did {PROBES} GETs without credentials sent to see whether it answers at all"
            )
        self._tell(exchange)
        raise NoResponse(exchange)

    def _exchange(
        self, method: str, credential: Credential, headers: dict[str, str], content: bytes | None
    ) -> Exchange:
        """One request and what came back of it, complete or not."""
        for attempt in range(2):
            if self.limit is not None and self.requests >= self.limit:
                raise BudgetSpent(f"the --max-requests budget was spent ({self.requests} requests) before this rule")
            self.requests += 1
            answer = self._answers(method, self._url_text, headers, content) if self._answers else None
            if answer is not None:
                self.answered_once = True
                return self._record(method, credential, headers, content, answer)
            # A request that may not be sent twice (POST, PATCH) goes over a connection of its own,
            # where no keep-alive race can lose it.
            own = method not in RESENT and self._transport is None
            sender = self._sender(own)
            request = sender.request(method, self._parsed_url, headers, content)
            connection = _Connection.traced(request)
            response: httpx.Response | None = None
            try:
                response = sender(request)
                try:
                    response.read()  # undoes the content coding, once; checks only ever see the result
                finally:
                    response.close()
            except httpx.LocalProtocolError:
                raise
            except httpx.HTTPError as error:
                if attempt == 0 and method in RESENT and response is None and connection.closed_unused(error):
                    self.resent += 1  # the connection's fault, not the target's: once more, on a new one
                    continue
                problem = self.redact(describe_failure(error, response, self.timeout))
                self.answered_once |= response is not None
                return self._record(method, credential, headers, content, response, problem)
            finally:
                if own:
                    sender.close()
            break
        self.answered_once = True
        return self._record(method, credential, headers, content, response)

    def _sender(self, own: bool) -> _Direct | _Sending:
        """What sends a request and gives its response, the body not yet read; `own`: on a connection of its own.

        A transport given (a replay's cassette, a test's double) or `Wire` answers directly: nothing
        the client would add applies, as the run keeps no cookie and follows no redirect.
        """
        if self._transport is not None:
            return _Direct(self._transport, self._client)
        if self._wire is not None:
            return _Direct(self._new_wire() if own else self._wire, self._client)
        return _Sending(self._new_client() if own else self._client)

    def _tell(self, exchange: Exchange) -> None:
        for listener in self.listeners:
            listener(exchange)

    def _still_answering(self) -> bool:
        """After a request got no answer: does the target answer anything at all?

        The probe is a GET without credentials: it changes nothing and carries no token. A target
        that hangs on one odd request (as some mocks do) answers it, and the run goes on. One that
        is down, or never was up, answers neither it nor a second one, and the run ends.
        """
        for _ in range(PROBES):
            try:
                probe = self._exchange("GET", NO_CREDENTIAL, {}, None)
            except Exception:  # a replay without this probe: the target is not answering as recorded
                return False
            if probe.status != NO_RESPONSE:
                self._tell(probe)
                return True
        return False

    def _record(
        self,
        method: str,
        credential: Credential,
        headers: Mapping[str, str],
        content: bytes | None,
        response: httpx.Response | Answer | None,
        problem: str | None = None,
    ) -> Exchange:
        shown = {name: self.redact(value) for name, value in headers.items()}
        if "Authorization" in shown:
            shown["Authorization"] = f"Bearer {REDACTED}"
        body = None if content is None else self.redact(content.decode("utf-8", "backslashreplace"))
        request = SentRequest(method, self.redact(self.url), shown, body)
        if response is None:
            return Exchange(credential, request, ReceivedResponse(NO_RESPONSE, {}, ""), problem, self.redact)
        if not isinstance(response, Answer):
            lower_case = {name.lower(): value for name, value in response.headers.items()}
            if problem is not None:  # the status line and headers arrived, the body did not
                received = ReceivedResponse(response.status_code, lower_case, "")
                return Exchange(credential, request, received, problem, self.redact)
            response = Answer(response.status_code, lower_case, response.content)
        received = ReceivedResponse(
            status=response.status,
            headers=response.headers,
            body=response.content.decode(_codec(response.headers.get("content-type")), "replace"),
            content=response.content,
        )
        return Exchange(credential, request, received, redact=self.redact)


class Transport(Protocol):
    """What sends a request: httpx's transports, Wire, a replay's cassette, a test's double."""

    def handle_request(self, request: httpx.Request) -> httpx.Response: ...

    def close(self) -> None: ...


class Answer(NamedTuple):
    """A response as a transport that needs no HTTP objects gives it: the body with no coding left to undo."""

    status: int
    headers: dict[str, str]  # lower-case names, repeated headers joined with ", " as httpx joins them
    content: bytes


class _Direct:
    """Sends through a transport itself: the client's own steps (cookies, redirects, hooks) are not the run's."""

    def __init__(self, transport: Transport, client: httpx.Client) -> None:
        self.transport = transport
        self.client = client

    def request(self, method: str, url: httpx.URL, headers: dict[str, str], content: bytes | None) -> httpx.Request:
        """The request `client` builds (its headers under the run's, its timeout, no cookie), in two
        thirds of the time: the client's cookies and URL have nothing to merge into it."""
        merged = self.client.headers.copy()
        merged.update(headers)
        extensions = {"timeout": self.client.timeout.as_dict()}
        return httpx.Request(method, url, headers=merged, content=content, extensions=extensions)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        response = self.transport.handle_request(request)
        response.request = request
        return response

    def close(self) -> None:
        self.transport.close()


class _Sending:
    """Sends through an httpx client, as a proxy or a recording needs."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def request(self, method: str, url: httpx.URL, headers: dict[str, str], content: bytes | None) -> httpx.Request:
        return self.client.build_request(method, url, headers=headers, content=content)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self.client.send(request, stream=True)

    def close(self) -> None:
        self.client.close()


def _proxied(url: str) -> bool:
    """Whether the environment names a proxy for `url` (httpx's transport then goes through it)."""
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    parts = urlsplit(url)
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")  # with proxies in the environment: by NO_PROXY


def _no_cookies() -> Any:
    """A jar that keeps no cookie a target sets: each request carries only the credentials its rule chose.

    A session cookie kept from an owner's answer would make a later request "without credentials"
    one with the owner's session. (http.cookiejar loads urllib.request: only where a client is made.)
    """
    import http.cookiejar

    class NoCookies(http.cookiejar.CookieJar):
        def extract_cookies(self, response: Any, request: Any) -> None:
            pass

        def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
            pass

    return NoCookies()


# What httpx writes back as it was written: a lower-case scheme and host, a port that is not the
# scheme's default and has no leading zero, a path of unreserved characters and no dot segment.
_AS_HTTPX_WRITES = re.compile(
    r"(?:http://[a-z0-9.-]+(?::(?!80/)[1-9][0-9]{0,4})?|https://[a-z0-9.-]+(?::(?!443/)[1-9][0-9]{0,4})?)(?:/[A-Za-z0-9_~-]+)+"
)


def _written_as_httpx_writes(url: str) -> bool:
    return _AS_HTTPX_WRITES.fullmatch(url) is not None


class _Connection:
    """Which connection one request went over, as httpcore's trace extension tells it.

    httpcore (1.0) already opens a new connection when a pooled one is readable before it is used
    (the server's FIN has arrived), and its `retries` only cover opening a connection. What neither
    covers is the race RFC 9112 §9.3.1.1 allows a client to mend: the server closes an idle
    connection just as the next request goes out on it, and that request gets no byte back.
    """

    def __init__(self) -> None:
        self.events: list[str] = []

    @classmethod
    def traced(cls, request: httpx.Request) -> _Connection:
        connection = cls()
        request.extensions["trace"] = lambda name, info: connection.events.append(name)
        return connection

    @property
    def reused(self) -> bool:
        """Sent over a pooled connection: the request was written and no connection was opened for it.

        A transport that tells nothing (a replay, a test's mock) is never taken for a pooled one.
        """
        wrote = any(name.startswith("http11.send_request_headers.") for name in self.events)
        return wrote and not any(name.startswith("connection.connect_") for name in self.events)

    def closed_unused(self, error: httpx.HTTPError) -> bool:
        """Whether a pooled connection closed before the response's first byte (a reset, a broken pipe)."""
        if not self.reused:
            return False
        if isinstance(error, httpx.RemoteProtocolError):
            return "without sending a response" in str(error)  # httpcore: end of stream before any response
        return isinstance(error, httpx.ReadError | httpx.WriteError)


# A media type with no parameter but a bare charset, `application/json; charset=utf-8`: what nearly
# every server sends, and a charset the email package reads as written.
_PLAIN_CONTENT_TYPE = re.compile(
    r"[\w.+-]+/[\w.+-]+(?:[ \t]*;[ \t]*(?i:charset)=(?P<charset>[\w.:+-]+))?[ \t]*", re.ASCII
)


@functools.lru_cache(maxsize=64)
def _codec(content_type: str | None) -> str:
    """The codec to show a body with: its declared charset when Python knows it, else UTF-8.

    The charset is read as httpx reads it (`Response.charset_encoding`, by the email package's
    parameter rules), once per Content-Type: a run sees a handful, hundreds of times each.
    """
    charset = None
    plain = _PLAIN_CONTENT_TYPE.fullmatch(content_type or "")
    if plain:
        charset = plain["charset"]
    elif content_type:
        import email.message  # 10 ms to load: a replay, which loads no httpx, need not for the usual types

        message = email.message.Message()
        message["content-type"] = content_type
        charset = message.get_content_charset(failobj=None)
    if charset:
        try:
            return codecs.lookup(charset).name
        except LookupError:
            pass
    return "utf-8"


def describe_failure(error: httpx.HTTPError, response: httpx.Response | None, timeout: float) -> str:
    """What went wrong, in the words of HTTP rather than of the client library."""
    detail = str(error) or type(error).__name__
    if response is not None:
        if isinstance(error, httpx.DecodingError):
            coding = response.headers.get("content-encoding", "(none)")
            return f"the body does not decode as its Content-Encoding {coding} says: {detail}"
        if isinstance(error, httpx.TimeoutException):
            return f"the status line arrived but the body did not within the timeout ({timeout:g} s)"
        return f"the body was cut short of what its headers announce: {detail}"
    if isinstance(error, httpx.ConnectTimeout):
        return f"no connection could be opened within the timeout ({timeout:g} s)"
    if isinstance(error, httpx.TimeoutException):
        return f"no answer within the timeout ({timeout:g} s)"
    if isinstance(error, httpx.ConnectError):
        return f"the connection was refused or could not be opened: {detail}"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"no well-formed response (the status line or headers did not parse, or the connection closed): {detail}"
    return f"the connection was dropped before a response: {detail}"
