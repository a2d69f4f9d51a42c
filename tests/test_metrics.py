"""Prometheus as a client: /metrics in the text exposition format, checked by Prometheus' own
``promtool check metrics`` (Debian's ``prometheus`` package), with the standard process metrics
(pouch's Go daemon exports its process and runtime metrics too) telling the truth about the daemon
process."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

PROMTOOL = shutil.which("promtool")


def scrape(pouchd) -> str:
    with pouchd.client() as c:
        # Traffic first, so that every family has samples: requests by operation and status.
        c.get("/version")
        c.get("/nope")
        c.post("/daemon/update", json={})
        r = c.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package prometheus)")
def test_promtool_finds_nothing_to_complain_about(pouchd) -> None:
    assert PROMTOOL is not None
    text = scrape(pouchd)
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", ""), text


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian package prometheus)")
def test_promtool_is_not_blind() -> None:
    """The check above means something: promtool does complain about a bad exposition."""
    assert PROMTOOL is not None
    bad = "# TYPE requests counter\nrequests 1\n"  # a counter without _total and without HELP
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=bad, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and r.stdout + r.stderr


def test_standard_process_metrics_describe_the_daemon(pouchd) -> None:
    families = {f.name: f for f in text_string_to_metric_families(scrape(pouchd))}
    value = {s.name: s.value for f in families.values() for s in f.samples if s.name.startswith("process_")}
    assert set(value) >= {
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
        "process_cpu_seconds_total",
        "process_max_fds",
        "process_virtual_memory_bytes",
    }
    assert pouchd.proc is not None
    pid = pouchd.proc.pid
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    assert abs(value["process_open_fds"] - fds) <= 3  # the scrape itself opens and closes some
    rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    rss = rss_pages * os.sysconf("SC_PAGE_SIZE")
    assert 0.5 * rss < value["process_resident_memory_bytes"] < 2 * rss
    assert time.time() - 600 < value["process_start_time_seconds"] <= time.time()
    assert value["process_cpu_seconds_total"] > 0
    assert families["process_cpu_seconds"].type == "counter"
    assert "python_info" in families and families["python_gc_collections"].type == "counter"
    # pouch's own metrics are still there.
    assert "engine_daemon_engine_info" in families and "pouchd_http_requests" in families
