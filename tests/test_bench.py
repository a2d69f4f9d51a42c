"""The benchmarks' own logic, without running them: the results file keeps its hand-written record of
earlier runs (bench/runner.py), the stall benchmark sends the largest update accepted, and the like."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from helpers import ROOT, InProcess

from bench.runner import HISTORY_HEADING, kept_history


def test_the_history_section_is_kept_up_to_the_next_section() -> None:
    previous = f"# Benchmark results\n\n| a | b |\n\n{HISTORY_HEADING}\n\n| figure | before |\n\n## Procedure\n\n- x\n"
    assert kept_history(previous) == f"{HISTORY_HEADING}\n\n| figure | before |\n"


def test_a_history_section_at_the_end_and_none_at_all() -> None:
    assert kept_history(f"# R\n{HISTORY_HEADING}\nlast\n") == f"{HISTORY_HEADING}\nlast\n"
    assert kept_history("# R\n\n## Procedure\n") == ""


def test_the_repository_results_file_has_its_history() -> None:
    results = ROOT / "bench" / "RESULTS.md"
    history = kept_history(results.read_text())
    assert "[HISTORY.md](HISTORY.md)" in history  # the record of earlier runs lives there


def test_the_other_cli_gets_the_daemons_socket() -> None:
    from bench.cli_bench import other_argv

    sock = Path("/tmp/x y/pouchd.sock")
    assert other_argv("curl -s --unix-socket {sock} http://d/v1.24/version", sock) == [
        "curl",
        "-s",
        "--unix-socket",
        "/tmp/x y/pouchd.sock",
        "http://d/v1.24/version",
    ]
    assert other_argv("'/opt/pouch go' -H {host} version", sock) == [
        "/opt/pouch go",
        "-H",
        "unix:///tmp/x y/pouchd.sock",
        "version",
    ]


def test_a_pouchd_names_its_files(tmp_path: Path) -> None:
    """The memory benchmark names its wrk script after the server (``server.name``), as for the bare app."""
    from pouch_testing.pouchd import PouchD

    d = PouchD(tmp_path, executable="pouchd", name="mem", tcp=False)
    assert d.name == "mem" and d.sock == tmp_path / "mem.sock" and d.workdir == tmp_path


def test_the_stall_bench_sends_the_largest_update_accepted(app_factory: Callable[..., InProcess]) -> None:
    """Its limits are the daemon's (read as the bench reads them from its install, here from the dev
    install); its body is accepted, fills the body limit, and one character more in a label is refused."""
    from bench.stall_bench import daemon_limits, largest_update, limit_labels
    from pouch_common import limits
    from pouch_server.protocol import Limits

    lim = daemon_limits(sys.executable)
    assert (lim.max_labels, lim.max_labels_size, lim.max_label_length) == (
        limits.MAX_LABELS,
        limits.MAX_LABELS_SIZE,
        limits.MAX_LABEL_LENGTH,
    )
    assert lim.body_limit == Limits().max_body_bytes
    body = largest_update(1, lim)
    assert lim.body_limit - 3 < len(body) <= lim.body_limit
    labels = json.loads(body)["Labels"]
    assert len(labels) == lim.max_labels and sum(map(len, labels)) == lim.max_labels_size
    assert labels != json.loads(largest_update(2, lim))["Labels"]  # new values each time
    assert limit_labels(1, lim) == labels
    app = app_factory()  # no label of its own: the update brings as many as the daemon holds
    with app.client() as c:
        assert c.post("/v1.24/daemon/update", content=body).status_code == 200
        over = json.loads(body)
        over["Labels"][0] += "x"
        r = c.post("/v1.24/daemon/update", json=over)
        assert r.status_code == 400 and "labels too large" in r.text


def test_the_pouchd_without_gc_freeze_is_checked_by_its_mark() -> None:
    """bench/pouchd_nofreeze.py imports nothing of the bench, so the mark the bench looks for is written twice."""
    from bench import pouchd_nofreeze
    from bench.common import NOFREEZE_MARK

    assert pouchd_nofreeze.MARK == NOFREEZE_MARK
