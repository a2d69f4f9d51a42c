"""pouchd without ``gc.freeze()``: for the http benchmark's information rows (bench/http_bench.py).

Run as a script with the bench's install's interpreter and pouchd's own flags. It calls the entry
point the install's ``pouchd`` command calls (``console_scripts`` in the install's metadata, i.e.
pyproject.toml), after replacing ``gc.freeze`` with a function that only prints :data:`MARK`, so
pouchd is the measured one in every other respect: no flag added to pouchd for the bench. The
bench checks that the mark was printed (a pouchd that froze some other way would make the rows
meaningless). Imports nothing from the bench or the project before the entry point.
"""

from __future__ import annotations

import gc
import sys
from importlib.metadata import entry_points
from pathlib import Path

MARK = "bench: gc.freeze() skipped"


def _skip_freeze() -> None:
    print(MARK, file=sys.stderr, flush=True)


def main() -> None:
    # A script's directory comes first on sys.path: bench/ must not shadow anything pouchd imports.
    if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    (entry,) = entry_points(group="console_scripts", name="pouchd")
    gc.freeze = _skip_freeze  # pouchd calls gc.freeze() through the module, after start-up
    sys.argv[0] = "pouchd"
    entry.load()()


if __name__ == "__main__":
    main()
