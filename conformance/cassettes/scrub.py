"""Scrubbing: a cassette keeps no token and none of the account's personal values.

- `Authorization` reads `Bearer ***`; which role sent a request is kept in the
  `X-Chat-Conformance-Credential` header of the recorded request (see `format.credential_labeller`);
- the account's original `account_key` and personal billing values (those of the first account
  the run read) are replaced by stable fakes, one fake per real value, everywhere in the cassette.
  Values the suite generated itself are left alone, since replay must send them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vcr.serializers import yamlserializer

from conformance import jsontext, spec
from conformance.cassettes.format import METADATA_KEY, dump_json, load
from conformance.exchange import REDACTED

# Billing fields that hold personal data; country_code and cycle say nothing about a person.
PERSONAL_BILLING = tuple(name for name in spec.BILLING_FIELDS if name not in ("country_code", "cycle"))
# A value this long is also replaced inside other texts (an error message quoting it); a shorter
# one only where it is a whole value, so that generated values that merely contain it survive.
SUBSTRING_MIN = 5


@dataclass
class Scrubber:
    """Replaces original personal values and tokens, the same real value always by the same fake."""

    fakes: dict[str, str]
    secrets: tuple[str, ...] = ()

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

    def value(self, document: Any) -> Any:
        if isinstance(document, str):
            if document in self.fakes:
                return self.fakes[document]
            return self.text(document)
        if isinstance(document, dict):
            return {key: self.value(item) for key, item in document.items()}
        if isinstance(document, list):
            return [self.value(item) for item in document]
        return document

    def text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for real, fake in self.fakes.items():
            if len(real) >= SUBSTRING_MIN and real in text:
                text = text.replace(real, fake)
        return text

    def body(self, body: Any) -> Any:
        if body is None:
            return None
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                return body  # not text, so no personal value in it; kept as binary
        try:
            document = jsontext.loads(body)
        except ValueError:
            return self.text(body)
        scrubbed = self.value(document)
        # Replay matches bodies as JSON values, so re-serialising a changed one loses nothing.
        return body if scrubbed == document else json.dumps(scrubbed, ensure_ascii=False)

    def interactions(self, interactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for interaction in interactions:
            request, response = interaction["request"], interaction["response"]
            request["body"] = self.body(request.get("body"))
            response["body"]["string"] = self.body(response["body"].get("string"))
            for name, values in list(response.get("headers", {}).items()):
                response["headers"][name] = [self.text(value) for value in values]
        return interactions


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
        scrubber = Scrubber.for_interactions(interactions, self.secrets)
        scrubber.interactions(interactions)
        ours = data.get("metadata", {}).get(METADATA_KEY)
        if ours and "draws" in ours:  # generated values, but scrubbed alike so that replay sends the same
            ours["draws"] = scrubber.value(ours["draws"])
        return dump_json(data) if self.kind == "json" else yamlserializer.serialize(data)

    def deserialize(self, text: str) -> dict[str, Any]:
        return load(text, self.kind)
