"""The only way the suite talks to a target.

Every request goes through `Target.send`, which paces requests, waits out 429s, never follows a
redirect (so a token can never reach another origin), turns network trouble into `Unreachable`,
and hands each exchange, secrets removed, to the listeners that judge it.
"""

from __future__ import annotations

import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from conformance import __version__, spec
from conformance.exchange import REDACTED, Credential, Exchange, ReceivedResponse, SentRequest

Listener = Callable[[Exchange], None]
MAX_RETRY_WAIT_S = 120.0
MAX_RATE_LIMIT_RETRIES = 8
FALLBACK_BACKOFF_S = 0.5  # the first wait after a 429 that says nothing; doubled on each retry
USER_AGENT = f"zendesk-chat-conformance/{__version__}"


class Unreachable(Exception):
    """The target did not answer usefully: refused, timed out, broke the connection, or stayed rate-limited."""


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
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Redactor:
    """Removes every secret it knows from text bound for output, reports or cassettes."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
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
        transport: httpx.BaseTransport | None = None,
        explain: Callable[[Exception], str | None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + spec.ACCOUNT_PATH
        self.origin = origin(self.url)
        self.tokens = {role: token for role, token in tokens.items() if token}
        self.redact = Redactor(self.tokens.values())
        self.pacer = pacer
        self.listeners: list[Listener] = []
        self.requests = 0
        self._sleep = sleep
        self._failed: Unreachable | None = None
        # Says why an error that is not the network's means no answer (e.g. a cassette without
        # this request), or None to let it through as the bug it is.
        self._explain = explain
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,  # SECURITY-REDIRECT: a redirect is judged, never followed
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

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
                raise Unreachable(f"the target is rate limiting and asks to wait {wait:.0f} s; try again later")
            self._sleep(wait)
        raise Unreachable(f"the target kept answering 429 after {MAX_RATE_LIMIT_RETRIES} waits")

    def _send_once(
        self, method: str, credential: Credential, headers: dict[str, str], content: bytes | None
    ) -> Exchange:
        # Once the target has failed to answer, fail at once: a property being shrunk would
        # otherwise wait out the same timeout again and again.
        if self._failed is not None:
            raise self._failed
        if self.pacer is not None:
            delay = self.pacer.delay()
            if delay > 0:
                self._sleep(delay)
        self.requests += 1
        try:
            response = self._client.request(method, self.url, headers=headers, content=content)
        except httpx.LocalProtocolError:
            raise  # the suite built an invalid request: a bug in the suite, not the target
        except httpx.TimeoutException:
            self._failed = Unreachable(f"{method} {self.url} got no answer within the timeout")
            raise self._failed from None
        except httpx.TransportError as error:
            reason = self.redact(str(error)) or type(error).__name__
            self._failed = Unreachable(f"{method} {self.url} failed: {reason}")
            raise self._failed from None
        except Exception as error:
            explained = self._explain(error) if self._explain else None
            if explained is None:
                raise
            sent = "" if content is None else " with body " + self.redact(content.decode("utf-8", "replace"))[:200]
            self._failed = Unreachable(f"{method} {self.url} as {credential.label}{sent}: {explained}")
            raise self._failed from None
        exchange = self._record(method, credential, headers, content, response)
        for listener in self.listeners:
            listener(exchange)
        return exchange

    def _record(
        self,
        method: str,
        credential: Credential,
        headers: Mapping[str, str],
        content: bytes | None,
        response: httpx.Response,
    ) -> Exchange:
        shown = {name: self.redact(value) for name, value in headers.items()}
        if "Authorization" in shown:
            shown["Authorization"] = f"Bearer {REDACTED}"
        body = None if content is None else self.redact(content.decode("utf-8", "backslashreplace"))
        request = SentRequest(method, self.redact(self.url), shown, body)
        received = ReceivedResponse(
            status=response.status_code,
            headers={name.lower(): self.redact(value) for name, value in response.headers.items()},
            body=self.redact(response.content.decode("utf-8", "replace")),
        )
        return Exchange(credential, request, received)
