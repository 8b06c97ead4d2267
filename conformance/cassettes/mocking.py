"""A cassette as a mock of the API for any client vcrpy patches (requests, httpx, urllib3...)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import vcr

from conformance.cassettes.format import CREDENTIAL_HEADER, credential_labeller, serializer_for
from conformance.cassettes.scrub import ScrubbingSerializer


def _credential_matcher(r1: Any, r2: Any) -> None:
    first, second = r1.headers.get(CREDENTIAL_HEADER), r2.headers.get(CREDENTIAL_HEADER)
    if first != second:
        raise AssertionError(f"sent as {first}, recorded as {second}")


@contextlib.contextmanager
def mock(path: Path, tokens: Mapping[str, str]) -> Iterator[Any]:
    """Serve a cassette's account responses to any client, e.g. an SDK's own tests.

    Requests are matched on method, path and role only (any host, any body), and a recording may
    be played again and again. `tokens` maps the roles your client uses to its tokens, e.g.
    `{"owner": "test-token"}`: a request with another token replays as an unknown credential.
    """
    kind = serializer_for(path)
    recorder = vcr.VCR(
        record_mode="none",
        serializer=kind,
        before_record_request=credential_labeller(tokens),
        match_on=["method", "path", "credential"],
    )
    recorder.register_serializer(kind, ScrubbingSerializer(kind))
    recorder.register_matcher("credential", _credential_matcher)
    with recorder.use_cassette(str(path), allow_playback_repeats=True) as cassette:
        yield cassette
