"""The system manager's host facts, compared with what the host's own tools say."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from pouch_server.managers import system


def test_kernel_version_is_uname_r() -> None:
    assert system.kernel_version() == subprocess.run(["uname", "-r"], capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(not shutil.which("nproc"), reason="no nproc")
def test_usable_cpus_is_nproc() -> None:
    assert system.usable_cpus() == int(subprocess.run(["nproc"], capture_output=True, text=True).stdout)


def test_mem_total_is_meminfo_in_bytes() -> None:
    line = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal:"))
    assert system.mem_total() == int(line.split()[1]) * 1024


def test_operating_system_is_pretty_name() -> None:
    text = Path("/etc/os-release").read_text()
    pretty = next(x for x in text.splitlines() if x.startswith("PRETTY_NAME="))
    assert system.operating_system() == pretty.split("=", 1)[1].strip('"')


def test_hostname() -> None:
    assert system.hostname() == socket.gethostname()


def test_go_arch_names() -> None:
    assert system.go_arch("x86_64") == "amd64"
    assert system.go_arch("aarch64") == "arm64"
    assert system.go_arch("armv7l") == "arm"
    assert system.go_arch("i686") == "386"
    assert system.go_arch() == {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), system.go_arch())


def test_unreadable_facts_are_unknown_not_a_crash(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")
    assert system.mem_total(missing) == 0
    assert system.operating_system((missing,)) == system.UNKNOWN
    garbage = tmp_path / "meminfo"
    garbage.write_text("MemTotal: lots\n")
    assert system.mem_total(str(garbage)) == 0


def test_os_release_quoting(tmp_path: Path) -> None:
    f = tmp_path / "os-release"
    f.write_text("NAME=x\nPRETTY_NAME='Single Quoted 1.0'\n")
    assert system.operating_system((str(f),)) == "Single Quoted 1.0"
    f.write_text("PRETTY_NAME=Bare\n")
    assert system.operating_system((str(f),)) == "Bare"


def test_id_is_made_once_and_kept(tmp_path: Path) -> None:
    first = system.load_or_create_id(tmp_path)
    assert len(first.split(":")) == 12 and all(len(p) == 4 for p in first.split(":"))
    assert system.load_or_create_id(tmp_path) == first
    assert oct((tmp_path / "engine-id").stat().st_mode & 0o777) == "0o600"
    other = tmp_path / "other"
    other.mkdir()
    assert system.load_or_create_id(other) != first


def test_usable_cpus_follows_affinity() -> None:
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 CPUs")
    code = "from pouch_server.managers.system import usable_cpus; print(usable_cpus())"
    out = subprocess.run(["taskset", "-c", "0", os.sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("taskset unavailable")
    assert out.stdout.strip() == "1"
