from __future__ import annotations

from pathlib import Path

import pytest

from conformance import caches, yamlcache


def test_the_cache_folder_is_the_users_as_xdg_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert caches.folder("hypothesis") == tmp_path / "chat-conformance" / "hypothesis"
    assert yamlcache.folder() == tmp_path / "chat-conformance" / "yaml"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert caches.folder("yaml") == tmp_path / "home" / ".cache" / "chat-conformance" / "yaml"
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # empty is unset, as the XDG spec says
    assert caches.folder("yaml") == tmp_path / "home" / ".cache" / "chat-conformance" / "yaml"
