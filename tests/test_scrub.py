"""conformance.cassettes.scrub, one exchange at a time: what the owner's account holds never reaches a cassette."""

from __future__ import annotations

import json
from typing import Any

from conformance.cassettes.scrub import Scrubber

OWNER = {"account_key": "acme-widget-key-0042", "billing": {"first_name": "Wilhelmina", "company": "Acme Corp ApS"}}


def _interaction(method: str, status: int, body: Any) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "request": {"method": method, "uri": "http://t.example/api/v2/chat/account", "body": None, "headers": {}},
        "response": {"status": {"code": status, "message": ""}, "headers": {}, "body": {"string": text}},
    }


def _scrubbed(*interactions: dict[str, Any]) -> str:
    listed = list(interactions)
    return json.dumps(Scrubber.for_interactions(listed).interactions(listed))


def test_a_body_that_is_not_json_is_scrubbed_as_text() -> None:
    quoted = _interaction("GET", 500, "Internal error while serving Acme Corp ApS (Wilhelmina)")
    text = _scrubbed(_interaction("GET", 200, OWNER), quoted)
    assert "Acme Corp ApS" not in text and "Wilhelmina" not in text
    assert "Internal error while serving" in text  # the rest of the text is kept


def test_the_originals_are_learnt_from_the_first_account_that_shows_billing() -> None:
    # An answer with billing empty (as an admin is shown) says nothing of the owner: the originals
    # come from the next one that shows billing.
    admin_view = _interaction("GET", 200, {"account_key": "acme-widget-key-0042", "billing": {}})
    text = _scrubbed(admin_view, _interaction("GET", 200, OWNER))
    assert "Acme Corp ApS" not in text and "Wilhelmina" not in text and "acme-widget-key-0042" not in text
