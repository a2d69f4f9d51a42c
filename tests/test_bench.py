"""The benchmark's results file keeps its hand-written record of earlier runs (bench/runner.py)."""

from __future__ import annotations

from pathlib import Path

from helpers import ROOT

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
    assert "stop 7" in history and "now" in history


def test_the_other_cli_gets_the_daemons_socket() -> None:
    from bench.cli_bench import other_argv

    sock = Path("/tmp/x y/pouchd.sock")
    assert other_argv("curl -s --unix-socket {sock} http://d/v1.24/version", sock) == [
        "curl", "-s", "--unix-socket", "/tmp/x y/pouchd.sock", "http://d/v1.24/version"]
    assert other_argv("'/opt/pouch go' -H {host} version", sock) == [
        "/opt/pouch go", "-H", "unix:///tmp/x y/pouchd.sock", "version"]


def test_a_pouchd_names_its_files(tmp_path: Path) -> None:
    """The memory benchmark names its wrk script after the server (``server.name``), as for the bare app."""
    from bench.pouchd import PouchD

    d = PouchD(tmp_path, executable="pouchd", name="mem", tcp=False)
    assert d.name == "mem" and d.sock == tmp_path / "mem.sock" and d.workdir == tmp_path
