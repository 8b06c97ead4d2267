import httpx
import pytest
from conftest import context, exchange

from conformance.checks.security import credentials_stay_at_the_target
from conformance.exchange import Credential
from conformance.failures import Violation
from conformance.server.embedded import BackgroundServer
from conformance.transport import Target


def test_a_credential_sent_to_another_origin_fails() -> None:
    assert credentials_stay_at_the_target(exchange(200, {}), context()) is True
    elsewhere = exchange(200, {}, url="http://127.0.0.1:9999/api/v2/chat/account")
    with pytest.raises(Violation, match="another origin"):
        credentials_stay_at_the_target(elsewhere, context())
    assert credentials_stay_at_the_target(exchange(200, {}, label="none", url="http://x.invalid/"), context()) is None


def test_a_redirect_to_another_origin_is_never_followed_with_the_token() -> None:
    seen: list[dict[str, str]] = []

    async def other_origin(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    with BackgroundServer(other_origin) as other:

        async def redirector(scope, receive, send):  # type: ignore[no-untyped-def]
            location = (other.url + scope["path"]).encode()
            await send({"type": "http.response.start", "status": 307, "headers": [(b"location", location)]})
            await send({"type": "http.response.body", "body": b""})

        with BackgroundServer(redirector) as target_server:
            target = Target(target_server.url, {"owner": "top-secret"})
            result = target.get(Credential("owner", "Bearer top-secret"))
            assert result.status == 307
            assert seen == []
            following = httpx.get(target.url, headers={"Authorization": "Bearer top-secret"}, follow_redirects=True)
            assert following.status_code == 200 and seen  # httpx would have followed (and strips the token)
