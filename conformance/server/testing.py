"""The reference server for a client's own tests: `ChatServer`, and the `chat_server` pytest fixture.

One server runs for the whole test session (starting one per test would cost more than most tests);
`reset()` gives each test a fresh account, the default tokens, and no fault, latency or failure.

    def test_my_client_reads_the_plan(chat_server):
        client = MyClient(chat_server.url, token=chat_server.tokens["owner"])
        assert client.account().plan.name == "team"

    def test_my_client_reports_a_refusal(chat_server):
        chat_server.fault("owner-cannot-update")  # see `chat-conformance serve --list-faults`
        ...
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from conformance import spec
from conformance.server.embedded import BackgroundServer
from conformance.server.serving import Behaviour, build
from conformance.server.settings import ServerSettings, checked_account
from conformance.server.store import DEFAULT_ACCOUNT, AccountStore


class _Switch:
    """An ASGI app whose inner app can be replaced while the server runs."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class ChatServer:
    """A running reference server whose account, settings and misbehaviour a test may change."""

    def __init__(self, log: Any = None) -> None:
        self._switch = _Switch()
        self._log = log
        self.reset()
        self._server = BackgroundServer(self._switch)
        self.url = ""

    def start(self) -> ChatServer:
        self._server.start()
        self.url = self._server.url
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> ChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """The default account and tokens, a Chat-created account, nothing misbehaving."""
        self.settings = ServerSettings()
        self._store = AccountStore(copy.deepcopy(DEFAULT_ACCOUNT))
        self._behaviour = Behaviour()
        self._rebuild()

    def _rebuild(self) -> None:
        self._switch.app = build(self.settings, self._store, self._behaviour, self._log)

    @property
    def tokens(self) -> dict[str, str]:
        """The bearer token of each role: owner, admin, agent."""
        return dict(self.settings.tokens)

    @property
    def account_url(self) -> str:
        return self.url + spec.ACCOUNT_PATH

    @property
    def account(self) -> dict[str, Any]:
        """The account as the owner sees it (billing included)."""
        return self._store.account()

    @account.setter
    def account(self, account: dict[str, Any]) -> None:
        self._store = AccountStore(copy.deepcopy(checked_account(account, "chat_server.account")))
        self._rebuild()

    @property
    def support_created(self) -> bool:
        return self.settings.support_created

    @support_created.setter
    def support_created(self, value: bool) -> None:
        """True: the account was created in Zendesk Support, so every PUT is refused."""
        self.settings.support_created = value
        self._rebuild()

    def fault(self, *names: str) -> None:
        """Break rules on purpose until the next reset: names from `chat-conformance serve --list-faults`."""
        before = self._behaviour
        self._behaviour = dataclasses.replace(before, faults=[*before.faults, *names])
        try:
            self._rebuild()
        except KeyError as error:
            self._behaviour = before
            self._rebuild()
            raise ValueError(error.args[0]) from None

    def slow(self, latency_ms: float = 0.0, error_rate: float = 0.0) -> None:
        """Answer after `latency_ms`, and a share `error_rate` of requests with 503, until the next reset."""
        self._behaviour = dataclasses.replace(self._behaviour, latency_ms=latency_ms, error_rate=error_rate)
        self._rebuild()
