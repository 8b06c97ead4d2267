"""Building the zoo's compiled members (Go, Java) from Debian's toolchains, and getting those.

A compiled member is built into its folder's `.build/` once per change of its sources: a stamp
holds the hash of the sources and of the build command, so that the tests' many starts of a member
cost one build. A toolchain that is missing is installed with apt-get where that can be done (as
root on Debian, as CI and the README's test command run); elsewhere the member is Unavailable, and
the message says which packages bring it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

BUILD = ".build"
JAVA_LIBS = Path("/usr/share/java")
JACKSON = tuple(JAVA_LIBS / name for name in ("jackson-databind.jar", "jackson-core.jar", "jackson-annotations.jar"))
APT_TIMEOUT = 900  # seconds; a JDK is a few hundred MB


class Unavailable(Exception):
    """A member's runtime is missing on this machine; the message says how to get it."""


class Broken(Exception):
    """A member could not be installed or started, though its runtime is there: the message says why."""


@dataclass(frozen=True)
class Toolchain:
    name: str
    executables: tuple[str, ...]  # on PATH once installed
    files: tuple[Path, ...]  # libraries the build needs
    packages: tuple[str, ...]  # the Debian packages that bring both
    sources: str  # glob, in the member's folder
    command: Callable[[Path, Path], list[str]]  # the build command, given the sources' folder and the output's
    env: Callable[[], dict[str, str]] = dict

    def missing(self) -> list[str]:
        return [tool for tool in self.executables if shutil.which(tool) is None] + [
            str(path) for path in self.files if not path.exists()
        ]


def java_classpath(*first: str) -> str:
    return os.pathsep.join([*first, *map(str, JACKSON)])


def _go_env() -> dict[str, str]:
    # Standard library only: no module proxy, and the build cache kept out of the user's home.
    cache = Path(tempfile.gettempdir()) / "chat-conformance-gocache"
    return {"GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOCACHE": str(cache), "GOTOOLCHAIN": "local"}


def _names(folder: Path, pattern: str) -> list[str]:
    return sorted(path.name for path in folder.glob(pattern))


TOOLCHAINS = {
    "go": Toolchain(
        "Go (golang-go)",
        ("go",),
        (),
        ("golang-go",),
        "*.go",
        lambda folder, out: ["go", "build", "-o", str(out / "server"), "."],
        _go_env,
    ),
    "java": Toolchain(
        "Java 17 with Jackson (default-jdk-headless, libjackson2-databind-java)",
        ("javac", "java"),
        JACKSON,
        ("default-jdk-headless", "libjackson2-databind-java"),
        "*.java",
        lambda folder, out: ["javac", "-d", str(out), "-cp", java_classpath(), *_names(folder, "*.java")],
    ),
}


def build(member: str, folder: Path, toolchain: Toolchain) -> None:
    """Build `member` in `folder` unless its last build is of the same sources; install the toolchain first."""
    _ensure(member, toolchain)
    out = folder / BUILD
    with FileLock(str(folder / ".install.lock")):
        stamp = _stamp(folder, toolchain, out)
        if (out / ".stamp").exists() and (out / ".stamp").read_text() == stamp:
            return
        out.mkdir(exist_ok=True)
        done = subprocess.run(
            toolchain.command(folder, out),
            cwd=folder,
            env={**os.environ, **toolchain.env()},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise Broken(f"building {member} in {folder} failed:\n{(done.stdout + done.stderr)[-2000:]}")
        (out / ".stamp").write_text(stamp)


def _stamp(folder: Path, toolchain: Toolchain, out: Path) -> str:
    digest = hashlib.sha256(" ".join(toolchain.command(folder, out)).encode())
    for source in sorted(folder.glob(toolchain.sources)) + sorted(folder.glob("go.mod")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _ensure(member: str, toolchain: Toolchain) -> None:
    if not toolchain.missing():
        return
    how = f"apt-get install {' '.join(toolchain.packages)}"
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise Unavailable(f"{member} needs {toolchain.name}: {how}")
    # One install at a time for the whole machine: apt holds a lock of its own, and waits on it badly.
    with FileLock(os.path.join(tempfile.gettempdir(), "chat-conformance-apt.lock")):
        if toolchain.missing() and not _apt_install(toolchain.packages):
            raise Unavailable(f"{member} needs {toolchain.name}, and `{how}` failed")
    if toolchain.missing():
        raise Unavailable(f"{member} needs {', '.join(toolchain.missing())}: {how}")


def _apt_install(packages: tuple[str, ...]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", *packages]
    for step in ([], ["apt-get", "update", "-qq"]):  # a fresh machine has no package lists yet
        if step and subprocess.run(step, env=env, capture_output=True, timeout=APT_TIMEOUT).returncode != 0:
            return False
        if subprocess.run(install, env=env, capture_output=True, timeout=APT_TIMEOUT).returncode == 0:
            return True
    return False
