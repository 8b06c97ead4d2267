"""Building the zoo's compiled members: once per change of their sources; a clear word when a toolchain is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from interop import toolchains
from interop.toolchains import Broken, Toolchain, Unavailable

# Each build appends a line to builds.log, so a test can count the builds that really ran.
COUNTING_BUILD = "import pathlib, sys; pathlib.Path('builds.log').open('a').write('built\\n'); sys.exit({code})"


def _toolchain(code: int = 0, executables: tuple[str, ...] = ()) -> Toolchain:
    return Toolchain(
        "a counting compiler (pkg-one, pkg-two)",
        executables,
        (),
        ("pkg-one", "pkg-two"),
        "*.src",
        lambda folder, out: [sys.executable, "-c", COUNTING_BUILD.format(code=code)],
    )


def _builds(folder: Path) -> int:
    log = folder / "builds.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_a_member_is_built_once_per_change_of_its_sources(tmp_path: Path) -> None:
    (tmp_path / "main.src").write_text("one")
    toolchain = _toolchain()
    toolchains.build("member", tmp_path, toolchain)
    toolchains.build("member", tmp_path, toolchain)
    assert _builds(tmp_path) == 1
    (tmp_path / "main.src").write_text("two")
    toolchains.build("member", tmp_path, toolchain)
    assert _builds(tmp_path) == 2


def test_a_failed_build_is_broken_with_what_the_compiler_said(tmp_path: Path) -> None:
    (tmp_path / "main.src").write_text("one")
    with pytest.raises(Broken, match="building member"):
        toolchains.build("member", tmp_path, _toolchain(code=1))
    # Not stamped: the next start builds again rather than running nothing.
    with pytest.raises(Broken):
        toolchains.build("member", tmp_path, _toolchain(code=1))
    assert _builds(tmp_path) == 2


def test_a_missing_toolchain_says_which_packages_bring_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toolchains.os, "geteuid", lambda: 1000)  # not root: nothing is installed for the user
    toolchain = _toolchain(executables=("no-such-compiler-anywhere",))
    with pytest.raises(Unavailable, match=r"member needs a counting compiler .*: apt-get install pkg-one pkg-two"):
        toolchains.build("member", tmp_path, toolchain)
    assert _builds(tmp_path) == 0


def test_a_toolchain_apt_cannot_bring_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toolchains.os, "geteuid", lambda: 0)
    monkeypatch.setattr(toolchains.shutil, "which", lambda tool: "/usr/bin/apt-get" if tool == "apt-get" else None)
    tried: list[tuple[str, ...]] = []
    monkeypatch.setattr(toolchains, "_apt_install", lambda packages: tried.append(packages) or False)
    with pytest.raises(Unavailable, match="`apt-get install pkg-one pkg-two` failed"):
        toolchains.build("member", tmp_path, _toolchain(executables=("no-such-compiler-anywhere",)))
    assert tried == [("pkg-one", "pkg-two")]
