"""The command line of ``python -m bench``: choose benchmarks, run them, print and write the results."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from bench import (
    cli_bench,
    container_bench,
    events_bench,
    http_bench,
    image_bench,
    install,
    memory_bench,
    stall_bench,
    startup_bench,
)
from bench.common import (
    BENCH_DIR,
    REPO_ROOT,
    WRK,
    BenchError,
    Result,
    Row,
    Settings,
    Skipped,
    Workspace,
    X,
    installed,
    stop_all,
    use_install,
)

BENCHMARKS: dict[str, Callable[[Workspace, Settings], Result]] = {
    "cli": cli_bench.run,
    "http": http_bench.run,
    "startup": startup_bench.run,
    "memory": memory_bench.run,
    "events": events_bench.run,
    "stall": stall_bench.run,
    "images": image_bench.run,
    "containers": container_bench.run,
}
PACKAGES = ("connexion", "uvicorn", "starlette", "httpx", "uvloop", "httptools")
COLUMNS = ("benchmark", "metric", "pouch", "floor", "ratio", "target", "result")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark pouchd and pouch against floors measured in the same run; see bench/README.md.",
    )
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs (about a minute)")
    parser.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        choices=list(BENCHMARKS),
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--output",
        metavar="PATH",
        type=Path,
        default=BENCH_DIR / "RESULTS.md",
        help="results file to write (default: bench/RESULTS.md)",
    )
    parser.add_argument(
        "--other-cli",
        metavar="COMMAND",
        help="another CLI to time beside `pouch version` (cli benchmark), e.g. pouch's Go CLI: "
        "'pouch -H {host} version' ({sock}: pouchd's socket path, {host}: unix://{sock})",
    )
    parser.add_argument(
        "--source",
        metavar="DIR",
        type=Path,
        default=REPO_ROOT,
        help="the project tree to install and measure (default: this checkout), e.g. an "
        "earlier version exported with git archive, for before/after figures",
    )
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------
# machine description


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _wrk_version() -> str:
    if not WRK.exists():
        return "absent"
    out = subprocess.run([str(WRK), "-v"], capture_output=True, text=True, timeout=10)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0] if (out.stdout or out.stderr) else "?"


def _tool_version(argv: list[str]) -> str:
    """The first line of a tool's ``--version`` (the images benchmark's containerd and dockerd)."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except OSError:
        return "absent"
    lines = (out.stdout or out.stderr).splitlines()
    return lines[0] if out.returncode == 0 and lines else "?"


def _versions() -> str:
    """The measured packages' versions, as installed in the bench's install."""
    code = (
        f"import importlib.metadata as m\nfor n in {PACKAGES!r}:\n    try: print(n, m.version(n))\n"
        "    except m.PackageNotFoundError: print(n, '(absent)')"
    )
    out = subprocess.run([installed().python, "-c", code], capture_output=True, text=True, timeout=30)
    return ", ".join(out.stdout.split("\n")[:-1]) if out.returncode == 0 else "?"


def machine() -> list[tuple[str, str]]:
    return [
        ("CPU", _cpu_model()),
        ("Cores", f"{os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})"),
        ("Memory", _mem_total()),
        ("Kernel", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Install", f"regular `pip install` of {installed().source} in {installed().bin.parent}"),
        ("Packages", _versions()),
        ("wrk", _wrk_version()),
        ("containerd", _tool_version(["containerd", "--version"])),
        ("dockerd", _tool_version([str(image_bench.DOCKERD), "--version"])),
    ]


# ---------------------------------------------------------------------------------------------
# output


def _cells(row: Row) -> list[str]:
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}{X}"
    return [row.bench, row.metric, row.value, row.floor, ratio, row.target, row.mark]


def text_table(rows: list[Row]) -> str:
    table = [list(COLUMNS), *(_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    right = {2, 3, 4}
    lines = []
    for n, line in enumerate(table):
        lines.append(
            "  ".join(
                c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


HISTORY_HEADING = "## Before and after"


def kept_history(previous: str) -> str:
    """The hand-kept "Before and after" section of an earlier results file (up to the next section),
    so that a new run replaces the measurements but not the record of how they changed."""
    start = previous.find(HISTORY_HEADING + "\n")
    if start < 0:
        return ""
    end = previous.find("\n## ", start + len(HISTORY_HEADING))
    return previous[start : end if end >= 0 else len(previous)].rstrip() + "\n"


def markdown(
    results: list[Result],
    skipped: dict[str, str],
    settings: Settings,
    started: dt.datetime,
    elapsed: float,
    argv: list[str],
    history: str = "",
) -> str:
    rows = [r for res in results for r in res.rows]
    out = ["# Benchmark results", ""]
    out += [
        f"- **Date**: {started.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"- **Command**: `python -m bench{' ' + shlex.join(argv) if argv else ''}`"
        f" ({'quick' if settings.quick else 'full'} run, {elapsed:.0f} s)",
    ]
    out += [f"- **{k}**: {v}" for k, v in machine()]
    out += [
        "",
        "Every figure is compared with a floor measured in the same run (see bench/README.md); "
        "the ratio is pouch/floor. A missed target is reported as MISS, never as a failure.",
        "",
    ]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "|".join("---:" if i in (2, 3, 4) else "---" for i in range(len(COLUMNS))) + "|")
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in _cells(r)) + " |" for r in rows]
    for name, why in skipped.items():
        out.append(f"| {name} | skipped: {why} | | | | | |")
    if history:
        out += ["", history.rstrip()]
    out += ["", "## Procedure", ""]
    out += [f"- **{res.name}** ({res.seconds:.0f} s): {note}" for res in results for note in res.notes]
    out += ["", "## Raw samples", ""]
    for res in results:
        for label, values in res.samples.items():
            out.append(f"- {res.name} / {label}: {', '.join(_fmt(v) for v in values)}")
    return "\n".join(out) + "\n"


def _fmt(v: float) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------------------------------
# main


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    settings = Settings.make(args.quick, args.other_cli)
    names = args.only or list(BENCHMARKS)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # cleanup runs on SIGTERM as on Ctrl-C
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    results: list[Result] = []
    skipped: dict[str, str] = {}
    ws: Workspace | None = None
    code = 0
    try:
        try:
            use_install(install.ensure(args.source))
        except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
            raise BenchError(f"cannot build the bench's install: {e}") from None
        ws = Workspace()
        for name in names:
            print(f"== {name} ...", flush=True)
            t = time.monotonic()
            try:
                res = BENCHMARKS[name](ws, settings)
            except Skipped as e:
                print(f"== {name}: SKIPPED: {e}", flush=True)
                skipped[name] = str(e)
                continue
            res.seconds = time.monotonic() - t
            results.append(res)
            print(text_table(res.rows), flush=True)
            print(f"== {name} done in {res.seconds:.0f} s\n", flush=True)
        elapsed = time.monotonic() - t0
        rows = [r for res in results for r in res.rows]
        print(f"\nAll results ({elapsed:.0f} s):\n")
        print(text_table(rows))
        for name, why in skipped.items():
            print(f"{name}: skipped: {why}")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        history = kept_history(args.output.read_text()) if args.output.exists() else ""
        args.output.write_text(markdown(results, skipped, settings, started, elapsed, argv, history))
        print(f"\nwrote {args.output}")
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        code = 130
    finally:
        stop_all()
        if ws is not None:
            ws.cleanup()
    sys.exit(code)
