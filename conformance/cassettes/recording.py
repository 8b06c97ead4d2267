"""Recording: vcrpy keeps every exchange of a live run, scrubbed, with how the run was made."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vcr
from vcr.persisters.filesystem import FilesystemPersister

from conformance.cassettes.format import METADATA_KEY, credential_labeller, library_versions, serializer_for
from conformance.cassettes.places import RuleSpans
from conformance.cassettes.scrub import ScrubbingSerializer
from conformance.draws import Draws
from conformance.progress import Observer

NOISY_REQUEST_HEADERS = ["user-agent", "accept-encoding", "connection", "host", "content-length"]
NOISY_RESPONSE_HEADERS = ("date", "server", "content-length")


def _drop_noisy_response_headers(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    response["headers"] = {name: value for name, value in headers.items() if name.lower() not in NOISY_RESPONSE_HEADERS}
    return response


def _sent_from(thread: int) -> Callable[[Any], Any]:
    """A vcrpy `before_record_request` keeping only the requests sent from `thread`: the run's own.

    vcrpy records every request made in the process, whichever thread makes it (a proxy in front of
    the target, say, forwarding each request upstream). A replay plays the run's exchanges one by
    one, in order, and another's would stand in their way. The run sends every request from the
    thread that records it: a recorded run is never split over processes or threads.
    """

    def keep(request: Any) -> Any:
        return request if threading.get_ident() == thread else None

    return keep


class _Saving:
    """vcrpy's file persister, keeping why a cassette could not be written instead of raising it.

    When saving raises inside vcrpy's `use_cassette`, the patches it put on httpx stay until the
    collector happens to find them, and every later request of the process goes through them.
    """

    def __init__(self) -> None:
        self.error: str | None = None

    def load_cassette(self, path: str, serializer: Any) -> Any:
        return FilesystemPersister.load_cassette(path, serializer)

    def save_cassette(self, path: str, data: Any, serializer: Any) -> None:
        try:
            FilesystemPersister.save_cassette(path, data, serializer)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"


def _recorder(tokens: Mapping[str, str | None], kind: str, thread: int, saving: _Saving) -> vcr.VCR:
    secrets = tuple(token for token in tokens.values() if token)
    recorder = vcr.VCR(
        record_mode="all",
        serializer=kind,
        filter_headers=NOISY_REQUEST_HEADERS,
        before_record_request=[_sent_from(thread), credential_labeller(tokens)],
        before_record_response=_drop_noisy_response_headers,
        decode_compressed_response=True,
    )
    recorder.register_serializer(kind, ScrubbingSerializer(kind, secrets))
    recorder.register_persister(saving)
    return recorder


@dataclass
class Recording:
    """An open cassette being recorded; `finish` stores how the run was made and what it found."""

    draws: Draws  # give it to the run (RunConfig.draws): it keeps the examples each property is given
    cassette: Any = None
    finished: bool = False
    error: str | None = None  # why the finished cassette could not be saved
    spans: RuleSpans | None = None

    def watching(self, observer: Observer | None) -> Observer:
        """`observer`, passed on to, as the run's observer: it notes which rule sent which exchanges."""
        self.spans = RuleSpans(observer, lambda: len(self.cassette))
        return self.spans

    def finish(self, run_metadata: dict[str, Any]) -> None:
        rules = [list(span) for span in self.spans.spans] if self.spans is not None else []
        kept = {**run_metadata, "versions": library_versions(), "draws": self.draws.kept, "rules": rules}
        self.cassette.get_metadata(METADATA_KEY, kept)
        self.finished = True


@contextlib.contextmanager
def record(path: Path, tokens: Mapping[str, str | None]) -> Iterator[Recording]:
    """Record every exchange made inside the block to a new cassette at `path` (replacing any).

    The cassette is saved as the block ends. Saving a finished recording never raises: the run it
    recorded has its verdict already, so why the cassette could not be saved goes to `error`.
    """
    recording = Recording(Draws(tokens))
    path.unlink(missing_ok=True)
    saving = _Saving()
    try:
        with _recorder(tokens, serializer_for(path), threading.get_ident(), saving).use_cassette(str(path)) as cassette:
            recording.cassette = cassette
            yield recording
    except Exception as error:
        if not recording.finished:
            raise
        recording.error = f"{type(error).__name__}: {error}"
    recording.error = recording.error or saving.error


def run_metadata(result: Any) -> dict[str, Any]:
    """How a run was made and what it found, as a cassette's metadata keeps it."""
    return {
        "base_url": result.target.base_url,
        "roles": result.target.roles,
        "support_created": result.target.support_created,
        "writes": result.target.writes,
        "embedded": result.target.embedded,
        "seed": result.seed,
        "max_examples": result.max_examples,
        "max_requests": result.max_requests,
        "requests": result.requests,
        "verdict": result.verdict,
        "statuses": {entry.requirement.id: entry.status.value for entry in result.requirements},
    }
