"""Running Debian's wrk and reading its report."""

from __future__ import annotations

import functools
import os
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import WRK, BenchError, Skipped

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"

# Stops each thread after its share of a fixed number of responses (wrk has no request count) and
# says so on stderr: wrk's main thread still sleeps for the whole -d duration, so the caller
# interrupts it (SIGINT: wrk prints its report and exits) once every thread has said so.
LIMIT_LUA = """\
local paths = {%(paths)s}
local limit = %(per_thread)d
local n = 0
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
response = function(status, headers, body)
  n = n + 1
  if n == limit then
    io.stderr:write("%(marker)s\\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end
"""
LIMIT_MARKER = "bench-limit-reached"


@dataclass
class WrkReport:
    requests: int
    rps: float
    p50: float  # seconds
    p99: float
    errors: int  # socket errors plus non-2xx/3xx responses


def have_wrk() -> bool:
    return WRK.exists()


def require_wrk() -> None:
    if not have_wrk():
        raise Skipped(f"{WRK} not found: install Debian's wrk (apt-get install wrk) to run this benchmark")


def _seconds(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse(text: str) -> WrkReport:
    """Requests/sec, the 50% and 99% lines of ``--latency``, the request count and any errors."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+" + _DURATION, text, re.M)
    p99 = re.search(r"^\s+99%\s+" + _DURATION, text, re.M)
    count = re.search(r"(\d+) requests in", text)
    if not (rps and p50 and p99 and count):
        raise BenchError(f"cannot read wrk's report:\n{text}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors += int(non2xx.group(1)) if non2xx else 0
    return WrkReport(int(count.group(1)), float(rps.group(1)), _seconds(*p50.groups()), _seconds(*p99.groups()), errors)


def run_wrk(
    url: str,
    connections: int,
    seconds: float,
    threads: int = 2,
    script: Path | None = None,
    cpus: frozenset[int] | None = None,
) -> WrkReport:
    """``wrk --latency -tT -cC -dDs URL``, on ``cpus`` when given; a run that fails or has errors
    is a BenchError."""
    argv = [str(WRK), "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    if script is not None:
        argv += ["-s", str(script)]
    argv.append(url)
    pin = None if cpus is None else functools.partial(os.sched_setaffinity, 0, cpus)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, preexec_fn=pin)
    if proc.returncode != 0:
        raise BenchError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    report = parse(proc.stdout)
    if report.errors:
        raise BenchError(f"wrk saw {report.errors} errors against {url}:\n{proc.stdout}")
    return report


def limit_script(path: Path, paths: list[str], total: int, threads: int) -> Path:
    """Write a wrk script that cycles through ``paths`` and stops after about ``total`` responses."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    path.write_text(LIMIT_LUA % {"paths": quoted, "per_thread": -(-total // threads), "marker": LIMIT_MARKER})
    return path


def run_wrk_count(url: str, connections: int, threads: int, script: Path, max_seconds: float = 60) -> WrkReport:
    """wrk with a :func:`limit_script`: interrupted as soon as every thread reached its count."""
    argv = [
        str(WRK),
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max_seconds:.0f}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        fd = proc.stderr.fileno()
        deadline = time.monotonic() + max_seconds + 5
        said = b""
        while said.count(LIMIT_MARKER.encode()) < threads and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 4096) if ready else b""
            if not chunk:
                break  # deadline, or wrk exited (its duration ended)
            said += chunk
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out_b, err_b = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out, err = out_b.decode(), (said + err_b).decode().replace(LIMIT_MARKER + "\n", "")
    if proc.returncode != 0:
        raise BenchError(f"wrk failed ({proc.returncode}): {err}{out}")
    report = parse(out)
    if report.errors:
        raise BenchError(f"wrk saw {report.errors} errors against {url}:\n{out}")
    return report
