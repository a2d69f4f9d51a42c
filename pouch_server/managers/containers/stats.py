"""A running container's resource usage, as Docker's stats API shows it, read from its cgroups.

pouch asks containerd for the task's metrics (which reads the same cgroup files); pouchd reads
them itself, off the event loop: the container's cgroup (``cgroupsPath`` of its spec) under each
cgroup v1 hierarchy, or the one directory of a cgroup v2 host.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any, Final

CGROUP_ROOT: Final = Path("/sys/fs/cgroup")
#: Linux's USER_HZ: /proc/stat counts in these.
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _int(path: Path) -> int:
    text = _read(path).strip()
    if text == "max":
        return 0
    try:
        return int(text)
    except ValueError:
        return 0


def _kv(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in _read(path).splitlines():
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            out[key] = int(value)
    return out


def system_cpu_usage() -> int:
    """The host's CPU time in nanoseconds (the first line of /proc/stat), as Docker reports it."""
    for line in _read(Path("/proc/stat")).splitlines():
        if line.startswith("cpu "):
            ticks = sum(int(x) for x in line.split()[1:8])
            return ticks * 1_000_000_000 // _CLOCK_TICKS
    return 0


def _blkio(directory: Path) -> dict[str, Any]:
    entries = []
    for line in _read(directory / "blkio.throttle.io_service_bytes").splitlines():
        parts = line.split()
        if len(parts) == 3 and ":" in parts[0]:
            major, minor = parts[0].split(":")
            entries.append({"major": int(major), "minor": int(minor), "op": parts[1], "value": int(parts[2])})
    return {"io_service_bytes_recursive": entries}


def _bounded(limit: int) -> int:
    """A memory limit as Docker reports it: the host's memory when the cgroup has none (cgroup
    v1 says 2^63 rounded to a page, v2 ``max``, read as 0)."""
    try:
        with open("/proc/meminfo") as f:
            total = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        return limit
    return total if limit <= 0 or limit > total else limit


def sample(cgroups_path: str) -> dict[str, Any]:
    """One reading of the cgroup ``cgroups_path`` (e.g. ``/default/<id>``), in Docker's shape
    (``precpu_stats`` left for the caller)."""
    relative = cgroups_path.lstrip("/")
    now = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
    unified = (CGROUP_ROOT / "cgroup.controllers").exists()
    online = os.cpu_count() or 1
    if unified:
        d = CGROUP_ROOT / relative
        cpu = _kv(d / "cpu.stat")
        memory = _kv(d / "memory.stat")
        usage = _int(d / "memory.current")
        limit = _int(d / "memory.max")
        max_usage = _int(d / "memory.peak")
        cpu_stats = {
            "cpu_usage": {
                "total_usage": cpu.get("usage_usec", 0) * 1000,
                "usage_in_kernelmode": cpu.get("system_usec", 0) * 1000,
                "usage_in_usermode": cpu.get("user_usec", 0) * 1000,
            },
            "system_cpu_usage": system_cpu_usage(),
            "online_cpus": online,
            "throttling_data": {
                "periods": cpu.get("nr_periods", 0),
                "throttled_periods": cpu.get("nr_throttled", 0),
                "throttled_time": cpu.get("throttled_usec", 0) * 1000,
            },
        }
        pids = _int(d / "pids.current")
        blkio: dict[str, Any] = {"io_service_bytes_recursive": []}
    else:
        cpuacct = CGROUP_ROOT / "cpuacct" / relative
        cpu_dir = CGROUP_ROOT / "cpu" / relative
        mem = CGROUP_ROOT / "memory" / relative
        percpu = [int(x) for x in _read(cpuacct / "cpuacct.usage_percpu").split() if x.isdigit()]
        acct = _kv(cpuacct / "cpuacct.stat")
        throttling = _kv(cpu_dir / "cpu.stat")
        cpu_stats = {
            "cpu_usage": {
                "total_usage": _int(cpuacct / "cpuacct.usage"),
                "percpu_usage": percpu,
                "usage_in_kernelmode": acct.get("system", 0) * 1_000_000_000 // _CLOCK_TICKS,
                "usage_in_usermode": acct.get("user", 0) * 1_000_000_000 // _CLOCK_TICKS,
            },
            "system_cpu_usage": system_cpu_usage(),
            "online_cpus": online,
            "throttling_data": {
                "periods": throttling.get("nr_periods", 0),
                "throttled_periods": throttling.get("nr_throttled", 0),
                "throttled_time": throttling.get("throttled_time", 0),
            },
        }
        memory = _kv(mem / "memory.stat")
        usage = _int(mem / "memory.usage_in_bytes")
        limit = _int(mem / "memory.limit_in_bytes")
        max_usage = _int(mem / "memory.max_usage_in_bytes")
        pids = _int(CGROUP_ROOT / "pids" / relative / "pids.current")
        blkio = _blkio(CGROUP_ROOT / "blkio" / relative)
    cpu_stats["syetem_cpu_usage"] = cpu_stats["system_cpu_usage"]  # pouch's spelling, beside Docker's
    return {
        "read": now,
        "pids_stats": {"current": pids},
        "blkio_stats": blkio,
        "num_procs": 0,
        "cpu_stats": cpu_stats,
        "memory_stats": {"usage": usage, "max_usage": max_usage, "stats": memory, "limit": _bounded(limit)},
    }
