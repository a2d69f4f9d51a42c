"""1. CLI: wall time of ``pouch -H unix://SOCK version`` against a running pouchd.

Every command runs with the bench install's interpreter (bench/install.py: a regular,
byte-compiled install). Floors:

- **httpx** (the target's): ``import httpx`` with httpx's own CLI module kept out
  (``sys.modules["httpx._main"] = None``) and ssl left out of http.client and urllib.request,
  as pouch does both: the least any CLI built on httpx pays.
- **design**: bench/design_floor.py, the generated client imported and SystemVersion called once,
  nothing else: the least any CLI of this design (spec → generated client → httpx) can do.
- **other** (optional, ``--other-cli``): any command line, e.g. pouch's Go CLI.

One unmeasured warm-up run of each, then rounds, each running every command once in rotating
order. Two ratios per floor: the median of the rounds' own ratios (the commands of a round run
back to back, so a burst of load from elsewhere weighs on both) and the ratio of the minimums
(the steadiest figure on a shared machine: the run that nothing disturbed).
"""

from __future__ import annotations

import shlex
import subprocess
import time
from pathlib import Path

from bench.common import (
    BENCH_DIR,
    BenchError,
    PouchD,
    Result,
    Row,
    Settings,
    Workspace,
    X,
    installed,
    median,
    ms,
)

TARGET = 1.30
# What pouch skips, the floor skips too: httpx's CLI and, for a pouch that left them out (an
# earlier install, measured beside this one), the HTTPS parts of http.client and urllib.request
# that `import httpx` loads ssl for; a pouch without that speed-up pays for ssl, and so does its floor.
HTTPX_FLOOR = (
    "import sys; sys.modules['httpx._main'] = None\n"
    "try: from pouch_common.speedups import without_https_in\n"
    "except ImportError: pass\n"
    "else: without_https_in('http.client', 'urllib.request')\n"
    "import httpx"
)


def _timed(argv: list[str]) -> float:
    """Wall time of one run, in seconds; raises BenchError if the command fails."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def other_argv(command: str, sock: Path) -> list[str]:
    """``--other-cli`` as argv: ``{sock}`` becomes pouchd's socket path (``{host}``: unix://path)."""
    return [a.replace("{sock}", str(sock)).replace("{host}", f"unix://{sock}") for a in shlex.split(command)]


def run(ws: Workspace, settings: Settings) -> Result:
    result = Result("cli")
    work: Path = ws.subdir("cli")
    py = installed().python
    with PouchD(work, tcp=False) as pouchd:
        pouchd.start()
        commands = {
            "pouch version": [str(installed().pouch), "-H", f"unix://{pouchd.sock}", "version"],
            "httpx": [py, "-c", HTTPX_FLOOR],
            "design": [py, str(BENCH_DIR / "design_floor.py"), str(pouchd.sock)],
        }
        if settings.other_cli:
            commands["other"] = other_argv(settings.other_cli, pouchd.sock)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():
            _timed(argv)  # warm-up: page cache
        for i in range(settings.cli_runs):
            # Rotate the order each round so that no command always runs first after the others.
            names = list(commands)
            k = i % len(names)
            for name in names[k:] + names[:k]:
                times[name].append(_timed(commands[name]))
    pouch = times["pouch version"]
    labels = {
        "httpx": "import httpx without its CLI",
        "design": "the design floor (generated client, one call)",
        "other": f"`{settings.other_cli}`",
    }
    for name in commands:
        if name == "pouch version":
            continue
        floor = times[name]
        # The median of each round's own ratio: the commands of a round run back to back.
        paired = median([a / b for a, b in zip(pouch, floor, strict=True)])
        minimums = min(pouch) / min(floor)
        target = f"≤ {TARGET:.2f}{X}" if name == "httpx" else ""
        info = "" if name == "httpx" else " (info)"
        result.rows += [
            Row(
                "cli",
                f"pouch version / {labels[name]}: paired median{info}",
                ms(median(pouch)),
                ms(median(floor)),
                paired,
                target,
                paired <= TARGET if target else None,
            ),
            Row(
                "cli",
                f"…ratio of minimums{info}",
                ms(min(pouch)),
                ms(min(floor)),
                minimums,
                target,
                minimums <= TARGET if target else None,
            ),
        ]
    result.samples = {f"{n} (ms)": [round(t * 1000, 1) for t in v] for n, v in times.items()}
    result.notes.append(
        f"{settings.cli_runs} rounds, each running every command once in rotating order, on the bench's regular "
        f"install ({installed().bin.parent}); floors: `import httpx` without its CLI and, as pouch, without ssl "
        f"(`HTTPX_FLOOR` in bench/cli_bench.py), bench/design_floor.py"
        + (f", and `{settings.other_cli}`" if settings.other_cli else "")
        + ". Paired median: the median of the rounds' own ratios; ratio of minimums: fastest run / fastest run."
    )
    return result
