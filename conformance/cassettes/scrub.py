"""Scrubbing: a cassette keeps no token and none of the account's personal values.

- `Authorization` reads `Bearer ***`; which role sent a request is kept in the
  `X-Chat-Conformance-Credential` header of the recorded request (see `format.credential_labeller`).
- The account's original `account_key` and personal billing values (those of the first account
  the run read) are replaced by stable fakes, one fake per real value, where they came from the
  target: in responses.

Scrubbing goes by position in the exchange, not by searching the cassette for the text. A request
is the suite's own, and a replay must send it again byte for byte, so it is never touched, even
where a generated value happens to equal the owner's (a first name "Ada" the generator also
draws). The one request that carries the target's data is the PUT that puts billing back at the
end: it copies what the first read returned, and is scrubbed as that read was (it is marked
`X-Chat-Conformance-Copied` in the recording). In a response, a billing field holds the target's
value until an update the target accepted puts the suite's value there: that value is the
suite's, and is kept; any original value elsewhere is the target's, and is replaced.

Bodies are written back as ASCII JSON where they changed, so that a string the target echoed with
a lone surrogate (valid JSON text, not valid Unicode) survives YAML and JSON alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vcr.serializers import yamlserializer

from conformance import jsontext, spec
from conformance.cassettes.format import COPIED_HEADER, METADATA_KEY, dump_json, load, remember_yaml, response_digest
from conformance.exchange import REDACTED

# Billing fields that hold personal data; country_code and cycle say nothing about a person.
PERSONAL_BILLING = tuple(name for name in spec.BILLING_FIELDS if name not in ("country_code", "cycle"))
# A value this long is also replaced inside other texts the target wrote (an error message quoting
# it); a shorter one only where it is a whole value.
SUBSTRING_MIN = 5


@dataclass
class Scrubber:
    """Replaces original personal values and tokens, the same real value always by the same fake."""

    fakes: dict[str, str]
    secrets: tuple[str, ...] = ()
    # Per billing field, the value the suite put there with an update the target accepted.
    suites: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_interactions(cls, interactions: list[dict[str, Any]], secrets: tuple[str, ...] = ()) -> Scrubber:
        """Learn the originals from the first account the run read (before it wrote anything)."""
        fakes: dict[str, str] = {}
        for interaction in interactions:
            document = _json_of(interaction["response"]["body"].get("string"))
            if interaction["response"]["status"]["code"] != 200 or not isinstance(document, dict):
                continue
            if "account_key" in document and isinstance(document["account_key"], str):
                fakes.setdefault(document["account_key"], "scrubbed-account-key")
            billing = document.get("billing")
            if isinstance(billing, dict) and billing:
                for name in PERSONAL_BILLING:
                    value = billing.get(name)
                    if isinstance(value, str) and value and value not in fakes:
                        fakes[value] = (
                            f"person{len(fakes)}@example.com" if "@" in value else f"Scrubbed {name} {len(fakes)}"
                        )
                break  # the first account with billing is the original one
        return cls(fakes, secrets)

    def interactions(self, interactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for interaction in interactions:
            request, response = interaction["request"], interaction["response"]
            copied = _has_header(request.get("headers", {}), COPIED_HEADER)
            if copied:  # every value in it came from the target, whatever the suite sent before
                request["body"] = self._body(request.get("body"), self._originals)
            self._note_update(request, response, copied)
            response["body"]["string"] = self._body(response["body"].get("string"), self._targets)
            for name, values in list(response.get("headers", {}).items()):
                response["headers"][name] = [self.text(value) for value in values]
        return interactions

    def _note_update(self, request: dict[str, Any], response: dict[str, Any], copied: bool) -> None:
        """After an update the target accepted, its billing fields hold the suite's values, or the target's again."""
        if request.get("method", "").upper() != "PUT" or not 200 <= response["status"]["code"] < 300:
            return
        document = _json_of(request.get("body"))
        billing = document.get("billing") if isinstance(document, dict) else None
        for name, value in (billing if isinstance(billing, dict) else {}).items():
            if copied:
                self.suites.pop(name, None)
            else:
                self.suites[name] = value

    def _targets(self, document: Any, place: tuple[str, ...] = ()) -> Any:
        """A response: every original value the target wrote replaced; the suite's own values kept."""
        if isinstance(document, dict):
            return {key: self._targets(item, (*place, key)) for key, item in document.items()}
        if isinstance(document, list):
            return [self._targets(item, place) for item in document]
        billing_field = len(place) == 2 and place[0] == "billing"
        if billing_field and place[1] in self.suites and self.suites[place[1]] == document:
            return document  # the suite's value, echoed
        return self._originals(document)

    def _originals(self, document: Any) -> Any:
        """Every original value replaced, wherever it is."""
        if isinstance(document, dict):
            return {key: self._originals(item) for key, item in document.items()}
        if isinstance(document, list):
            return [self._originals(item) for item in document]
        if not isinstance(document, str):
            return document
        if document in self.fakes:
            return self.fakes[document]
        return self.text(document)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for real, fake in self.fakes.items():
            if len(real) >= SUBSTRING_MIN and real in text:
                text = text.replace(real, fake)
        return text

    def _body(self, body: Any, scrub: Any) -> Any:
        if body is None:
            return None
        raw = body.encode("utf-8") if isinstance(body, str) else body
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return body  # not text, so no personal value in it; kept as bytes
        try:
            document = jsontext.loads(text)
        except ValueError:  # not JSON, or nested deeper than is parsed: a text
            scrubbed_text = self.text(text)
            return body if scrubbed_text == text else scrubbed_text
        scrubbed = scrub(document)
        # Replay matches bodies as JSON values, so re-serialising a changed one loses nothing.
        return body if scrubbed == document else json.dumps(scrubbed)


def _has_header(headers: dict[str, Any], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)


def _json_of(body: Any) -> Any:
    try:
        return jsontext.loads(body) if body else None
    except (ValueError, TypeError):
        return None


class ScrubbingSerializer:
    """vcrpy's serializer for `kind` (yaml or json), scrubbing the whole cassette as it is written."""

    def __init__(self, kind: str, secrets: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.secrets = secrets

    def serialize(self, data: dict[str, Any]) -> str:
        interactions = data["interactions"]
        Scrubber.for_interactions(interactions, self.secrets).interactions(interactions)
        # The metadata's examples (METADATA_KEY) are what the suite drew: kept as they are.
        kept = (data.get("metadata") or {}).get(METADATA_KEY)
        if isinstance(kept, dict):  # each response as written, for a replay to tell one edited since
            kept["responses"] = [response_digest(interaction["response"]) for interaction in interactions]
        if self.kind == "json":
            return dump_json(data)
        text: str = yamlserializer.serialize(data)
        remember_yaml(text)
        return text

    def deserialize(self, text: str) -> dict[str, Any]:
        return load(text, self.kind)
