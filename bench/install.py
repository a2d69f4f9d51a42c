"""The install the benchmarks measure: a regular, byte-compiled ``pip install .`` in a venv of its own.

An editable install (the dev venv) on a machine with ``PYTHONDONTWRITEBYTECODE=1`` compiles the
project's modules from source at every start, which is not what a user gets and costs pouch's
start-up 10-20 %. The bench builds ``bench/out/venv`` once (pinned by constraints.txt; pip
byte-compiles what it installs) and reinstalls only the project when its sources change (a stamp
of their contents). Floors and products all run with that venv's interpreter.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
VENV = BENCH_DIR / "out" / "venv"
_SOURCES = ("pyproject.toml", "constraints.txt", "pouch_common", "pouch_server", "pouch_cli", "generated/pouch_client")


@dataclass(frozen=True)
class Install:
    """Where the measured commands live."""

    source: Path  # the project tree that was installed
    bin: Path

    @property
    def python(self) -> str:
        return str(self.bin / "python")

    @property
    def pouch(self) -> Path:
        return self.bin / "pouch"

    @property
    def pouchd(self) -> Path:
        return self.bin / "pouchd"


def _stamp(source: Path) -> str:
    digest = hashlib.sha256(str(source).encode())
    for name in _SOURCES:
        path = source / name
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for f in files:
            if f.exists():
                digest.update(str(f.relative_to(source)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()


def _pip(venv: Path, *args: str, cwd: Path) -> None:
    cmd = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")


def ensure(source: Path, venv: Path = VENV) -> Install:
    """``venv`` with ``source`` installed (regular install, byte-compiled); built or refreshed as needed."""
    source = source.resolve()
    stamp_file = venv / "pouch-source.stamp"
    stamp = _stamp(source)
    if not (venv / "bin" / "python").exists():
        print(f"bench: building {venv} (pip install {source}; once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        _pip(venv, "-c", str(source / "constraints.txt"), str(source), cwd=source)
    elif not stamp_file.exists() or stamp_file.read_text() != stamp:
        print(f"bench: reinstalling {source} into {venv} (its sources changed)", flush=True)
        _pip(venv, "--no-deps", "--force-reinstall", str(source), cwd=source)
        _pip(venv, "-c", str(source / "constraints.txt"), str(source), cwd=source)  # new dependencies, if any
    stamp_file.write_text(stamp)
    return Install(source=source, bin=venv / "bin")
