"""1. CLI: wall time of ``pouch -H unix://SOCK version`` against a running pouchd.

Floor: ``python -c "import httpx"`` in the same venv, the least any httpx-based CLI can cost.
The commands run in rounds (each once per round, in rotating order) after one unmeasured warm-up
run of each; the ratio is the median of the rounds' own ratios, which a burst of load from
elsewhere on the machine disturbs less than a ratio of two medians.
An extra, informational floor imports httpx the way pouch does (without httpx's own CLI module,
which ``import httpx`` loads when rich/click/pygments are installed): see pouch_server/speedups.py.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.common import POUCH, PYTHON, BenchError, PouchD, Result, Row, Settings, Workspace, X, median, ms

TARGET = 1.15
_FLOOR = [PYTHON, "-c", "import httpx"]
_FLOOR_NO_CLI = [PYTHON, "-c", "import sys; sys.modules['httpx._main'] = None; import httpx"]


def _timed(argv: list[str]) -> float:
    """Wall time of one run, in seconds; raises BenchError if the command fails."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=60)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("cli")
    work: Path = ws.subdir("cli")
    with PouchD(work, tcp=False) as pouchd:
        pouchd.start()
        commands = {
            "pouch version": [str(POUCH), "-H", f"unix://{pouchd.sock}", "version"],
            "import httpx": _FLOOR,
            "import httpx (no httpx._main)": _FLOOR_NO_CLI,
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():
            _timed(argv)  # warm-up: page cache, .pyc files
        for i in range(settings.cli_runs):
            # Rotate the order each round so that no command always runs first after the others.
            names = list(commands)
            k = i % len(names)
            for name in names[k:] + names[:k]:
                times[name].append(_timed(commands[name]))
    cli, floor, floor2 = (median(times[n]) for n in commands)
    # The ratio is the median of each round's own ratio: the commands of a round run back to back,
    # so a burst of load from elsewhere on the machine weighs on both sides of it alike.
    ratio = median([a / b for a, b in zip(times["pouch version"], times["import httpx"], strict=True)])
    ratio2 = median([a / b for a, b in zip(times["pouch version"], times["import httpx (no httpx._main)"],
                                           strict=True)])
    result.samples = {f"{n} (ms)": [round(t * 1000, 1) for t in v] for n, v in times.items()}
    result.rows += [
        Row("cli", "pouch version, median wall", ms(cli), ms(floor), ratio, f"≤ {TARGET:.2f}{X}",
            ratio <= TARGET),
        Row("cli", "…vs import httpx without httpx._main (info)", ms(cli), ms(floor2), ratio2),
    ]
    result.notes.append(f"{settings.cli_runs} rounds, each running every command once in rotating order; floor "
                        "is `python -c \"import httpx\"`; the info row's floor skips httpx's CLI module as pouch "
                        "does. The ratio is the median of the rounds' own ratios.")
    return result
