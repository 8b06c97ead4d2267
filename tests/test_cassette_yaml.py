"""YAML (cassettes, the description) read fast and as PyYAML's safe loader reads it, from the cache once it was read."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vcr.serializers import yamlserializer

from conformance import spec, yamlcache, yamlread
from conformance.cassettes.format import CassetteError, load, read_ahead, remember_yaml

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.binary(max_size=20)
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "chat-conformance" / "yaml"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_the_lean_loader_reads_what_the_safe_loader_reads(value: object, cache: Path) -> None:
    text = yamlserializer.serialize({"interactions": [], "value": value})
    assert yaml.load(text, Loader=yamlread.LeanLoader) == yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, *x]\n",  # a cycle
        "base: &b {k: 1}\nmerged: {<<: *b, j: 2}\n",  # a merge key
        "when: 2014-08-06\nyes_: yes\nnull_: ~\nbinary: !!binary aGVsbG8=\n",
        "deep: " + "[" * 50 + "]" * 50 + "\n",
    ],
)
def test_the_lean_loader_reads_every_tag_the_safe_loader_does(text: str) -> None:
    assert repr(yaml.load(text, Loader=yamlread.LeanLoader)) == repr(yaml.load(text, Loader=yaml.CSafeLoader))


@pytest.mark.parametrize("text", ["!!python/object/apply:os.system [echo no]\n", "{[1]: 2}\n", "a: [\n"])
def test_what_the_safe_loader_refuses_the_lean_loader_refuses(text: str, cache: Path) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.load(text, Loader=yamlread.LeanLoader)
    with pytest.raises(CassetteError, match="not valid YAML"):
        load(text, "yaml")


def test_the_collector_is_off_while_a_text_is_parsed_and_as_it_was_after(gc_passes: list[str]) -> None:
    text = yamlserializer.serialize({"interactions": [{"request": {"n": n, "list": [n]}} for n in range(5000)]})
    gc.enable()
    before = len(gc_passes)
    assert len(yamlread.parse(text)["interactions"]) == 5000
    # Some 60,000 objects were allocated: the collector would have run dozens of times. At most
    # once now, as it comes back on.
    assert len(gc_passes) - before <= 1
    assert gc.isenabled()
    with pytest.raises(yaml.YAMLError):
        yamlread.parse("a: [\n")
    assert gc.isenabled()


def _cassette(body: bytes | str) -> str:
    interaction = {"request": {"body": body, "method": "GET"}, "response": {"body": {"string": body}}}
    return yamlserializer.serialize({"interactions": [interaction], "version": 1})


def test_a_cassette_read_once_is_read_again_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _cassette(b"\xff not text")
    first = load(text, "yaml")
    assert len(list(cache.glob("*.json"))) == 1
    monkeypatch.setattr(yamlread, "parse", lambda *args: pytest.fail("parsed the YAML again"))
    assert load(text, "yaml") == first
    assert first["interactions"][0]["response"]["body"]["string"] == b"\xff not text"


def test_a_recorded_cassette_is_in_the_cache_before_its_first_replay(cache: Path) -> None:
    text = _cassette("recorded")
    remember_yaml(text)
    (entry,) = cache.glob("*.json")
    entry.write_text('{"interactions": [], "from": "the cache"}')
    assert load(text, "yaml") == {"interactions": [], "from": "the cache"}


def test_a_garbled_entry_or_an_unwritable_cache_only_means_parsing_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _cassette("body")
    expected = yaml.safe_load(text)
    load(text, "yaml")
    (entry,) = cache.glob("*.json")
    entry.write_text("{not json")
    assert load(text, "yaml") == expected
    blocked = cache.parents[2] / "a file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # the cache folder cannot be made, even as root
    assert load(_cassette("another"), "yaml")["interactions"][0]["request"]["body"] == "another"


def test_the_cache_keeps_the_most_recently_read(cache: Path) -> None:
    texts = [_cassette(f"body {n}") for n in range(yamlcache.CACHE_ENTRIES + 3)]
    for number, text in enumerate(texts):
        load(text, "yaml")
        for entry in cache.glob("*.json"):  # mtimes a second apart, oldest first, whatever the clock's grain
            if entry == yamlcache.entry(text):
                os.utime(entry, (number, number))
    kept = {entry.name for entry in cache.glob("*.json")}
    assert len(kept) == yamlcache.CACHE_ENTRIES
    assert yamlcache.entry(texts[-1]).name in kept and yamlcache.entry(texts[0]).name not in kept


READ_AHEAD = """
import sys
from pathlib import Path
from conformance.cassettes.format import read_ahead
read_ahead(Path(sys.argv[1]))()
"""


def test_a_replay_reads_a_yaml_cassette_ahead_into_the_cache(cache: Path, tmp_path: Path) -> None:
    # In a fresh interpreter: no thread of pytest's runs there to keep it from forking.
    path = tmp_path / "run.yaml"
    text = _cassette("read ahead")
    path.write_text(text)
    subprocess.run([sys.executable, "-c", READ_AHEAD, str(path)], check=True, timeout=60, env=os.environ)
    (entry,) = cache.glob("*.json")
    assert load(text, "yaml") == yaml.safe_load(text)
    entry.write_text('{"interactions": [], "from": "the cache"}')
    assert load(text, "yaml") == {"interactions": [], "from": "the cache"}


def test_nothing_is_read_ahead_beside_running_threads_or_for_json(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(_cassette("not ahead"))
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        read_ahead(path)()
    finally:
        stop.set()
        beside.join()
    (tmp_path / "run.json").write_text("{}")
    read_ahead(tmp_path / "run.json")()
    assert not list(cache.glob("*.json"))


DESCRIPTION = """
import json, sys
from conformance import spec
print(json.dumps({"yaml loaded": "yaml" in sys.modules, "description": spec.load()}))
"""


def test_the_description_is_parsed_once_then_read_without_pyyaml(cache: Path) -> None:
    def read() -> dict:
        out = subprocess.run([sys.executable, "-c", DESCRIPTION], capture_output=True, text=True, timeout=60)
        return json.loads(out.stdout)

    first, again = read(), read()
    assert first["yaml loaded"] and not again["yaml loaded"]
    assert first["description"] == again["description"] == yaml.safe_load(spec.spec_path().read_text())
