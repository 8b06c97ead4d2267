"""Whatever a target does on the wire, the suite gives a verdict and writes its report.

The targets are the reference server behind `http_double`, a raw HTTP/1.1 server that can break
HTTP in ways an ASGI app cannot. Conformant ways of writing HTTP (each content coding, chunked
bodies, `Connection: close`, odd header-name case) must fail nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import http_double
import jsonschema
import pytest
from conftest import SEED, TOKEN_ARGS

from conformance import cli
from conformance.reports.json_report import SCHEMA_PATH

TOKENS = TOKEN_ARGS


def _run(
    play: http_double.Play, tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: int, timeout: float = 0.3
) -> tuple[int, dict]:
    """`chat-conformance run` against the double; the exit code and the JSON report, checked for tracebacks.

    The short default timeout keeps the double's hangs cheap; it is well under `http_double.HANG_S`.
    """
    report = tmp_path / "report.json"
    with http_double.serving(play) as url:
        code = cli.main(
            ["run", "--base-url", url, *TOKENS, "--seed", str(SEED), "--max-examples", str(examples),
             "--timeout", str(timeout), "--json", str(report)]
        )  # fmt: skip
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    document = json.loads(report.read_text())
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert not [entry["id"] for entry in document["requirements"] if "error" in entry], "a check raised"
    assert code == {"pass": 0, "fail": 1, "error": 3}[document["verdict"]]
    return code, document


def _failed(report: dict) -> set[str]:
    return {entry["id"] for entry in report["requirements"] if entry["status"] == "failed"}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_target_misbehaving_at_random_gets_a_verdict_and_a_report(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    double = http_double.Misbehaving(seed, fraction=0.12)
    _, report = _run(double, tmp_path, capsys, examples=8)
    assert double.played, "the double misbehaved"
    assert report["verdict"] == "fail"  # not "error": the target answered, wrongly
    # Nothing of hypothesis's own reporting reaches the user (seed 2 fails on a long edge value).
    assert [str(warning.message) for warning in recwarn if "hypothesis" in warning.filename] == []


# The rule each kind of misbehaviour breaks, where one rule is sure to catch it; None where which
# rule breaks depends on which request it lands on (then SEEN_IN says how its answer looks).
KINDS: dict[str, str | None] = {
    "dropped before a response": "ROBUST-HTTP",
    "status line that does not parse": "ROBUST-HTTP",
    "header line without a colon": "ROBUST-HTTP",
    "body shorter than Content-Length": "ROBUST-HTTP",
    "two Content-Lengths that disagree": "ROBUST-HTTP",
    "chunk size that is not hex": "ROBUST-HTTP",
    "Content-Encoding gzip on a plain body": "ROBUST-HTTP",
    "no answer within the timeout": "ROBUST-HTTP",
    "body declared JSON that is not JSON": "ROBUST-HTTP",
    "body declared UTF-8 that is not": "ROBUST-HTTP",
    "200 with an empty JSON body": "ROBUST-HTTP",
    "HTML 500": "ROBUST-NO-5XX",
    "503 with Retry-After": "ROBUST-NO-5XX",
    "429 without Retry-After": "RATE-RETRY-AFTER",
    "200 with HTML": "SHAPE-CONTENT-TYPE",
    "deeply nested body": "SHAPE-ACCOUNT",
    "204 with no account": None,
    "same-origin redirect": None,
    "huge body": None,
}
# Kinds that cost a wait each time (a backoff, a timeout) come more rarely: a few show what many would.
EVERY = {"429 without Retry-After": 50, "no answer within the timeout": 50}


# How the misbehaving answer looks in a failure's response, for the kinds no one rule is sure to catch.
SEEN_IN: dict[str, Callable[[dict], bool]] = {
    "204 with no account": lambda response: response["status"] == 204,
    "same-origin redirect": lambda response: response["status"] == 302,
    "huge body": lambda response: response["body"].startswith('{"padding": "xxx'),
}


def test_every_misbehaviour_has_an_expectation() -> None:
    assert set(KINDS) == set(http_double.MISBEHAVIOURS)
    assert set(SEEN_IN) == {kind for kind, rule in KINDS.items() if rule is None}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_of_misbehaviour_is_named_by_the_rule_it_breaks(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = _run(http_double.EveryNth(kind, n=EVERY.get(kind, 9)), tmp_path, capsys, examples=3)
    expected = KINDS[kind]
    if expected is not None:
        assert expected in _failed(report)
        return
    # A failed verdict (an errored run is no verdict on the target), and a failure that shows the
    # misbehaving answer, not some other one.
    assert report["verdict"] == "fail"
    shown = [
        entry["id"]
        for entry in report["requirements"]
        if entry["status"] == "failed"
        and any("response" in failure and SEEN_IN[kind](failure["response"]) for failure in entry["failures"])
    ]
    assert shown, f"no failure shows the {kind}: {sorted(_failed(report))}"


STYLES = {
    "gzip": http_double.Style(coding="gzip"),
    "deflate": http_double.Style(coding="deflate"),
    "br": http_double.Style(coding="br"),
    "zstd": http_double.Style(coding="zstd"),
    "chunked": http_double.Style(chunked=True),
    "connection-close": http_double.Style(close=True),
    "odd-header-case": http_double.Style(name_case=str.upper, media_type_case=str.title),
    "all-at-once": http_double.Style(coding="gzip", chunked=True, close=True, name_case=str.swapcase),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_conformant_ways_of_writing_http_fail_nothing(
    style: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing hangs here: a generous timeout, so that a busy machine cannot fail a conformant server.
    code, report = _run(STYLES[style].play, tmp_path, capsys, examples=5, timeout=10)
    assert _failed(report) == set() and code == 0
    assert next(e for e in report["requirements"] if e["id"] == "ROBUST-HTTP")["status"] == "passed"
