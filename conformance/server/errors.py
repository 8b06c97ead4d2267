"""Zendesk's error envelope: a short label, a human description, and the fields at fault."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

JSON = "application/json; charset=utf-8"


def error_response(
    status: int,
    label: str,
    description: str,
    *,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"error": label, "description": description}
    if details:
        body["details"] = dict(details)
    return Response(json.dumps(body).encode(), status_code=status, headers=headers, media_type=JSON)
