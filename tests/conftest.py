"""Fixtures: pouchd as a subprocess on a temporary socket and port (what needs the real daemon:
sockets, signals, the protocol's limits, TLS, restarts, the real CLI, third-party clients), and
pouchd's app in this process (what only checks an answer's status, headers or body). The classes
and functions behind them are in helpers.py."""

from __future__ import annotations

import itertools
import os
import signal
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, InProcess, PouchD


def pytest_sessionstart(session: pytest.Session) -> None:
    """The installed ``pouchd`` and ``pouch``, which the tests run, must be this checkout's code
    (scripts/setup.sh --dev installs it editable): a regular install is a copy, and the tests
    would test that copy, however the code has changed since."""
    import subprocess
    import sys

    where = subprocess.run(
        [sys.executable, "-c", "import pouch_server; print(pouch_server.__file__)"],
        cwd="/",  # as the console scripts import it: not from the current directory
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not where.startswith(str(ROOT) + os.sep):
        raise pytest.UsageError(
            f"the pouchd the tests would run is not this checkout's code ({where or 'not installed'}): "
            "run scripts/setup.sh --dev, which installs it editable"
        )


@pytest.fixture
def pouchd_factory(tmp_path: Path) -> Iterator[Callable[..., PouchD]]:
    """``make(*flags, start=True, **kw)``: a PouchD in this test's tmp_path; any still running at
    the end is killed."""
    started: list[PouchD] = []

    def make(*extra: str, start: bool = True, **kw: Any) -> PouchD:
        d = PouchD(tmp_path, *extra, **kw)
        started.append(d)
        return d.start() if start else d

    yield make
    for d in started:
        if d.proc and d.proc.poll() is None:
            d.stop(signal.SIGKILL)
        d.cleanup()


@pytest.fixture(scope="module")
def pouchd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    """A daemon shared by the read-only tests of a module."""
    with PouchD(tmp_path_factory.mktemp("pouchd"), "--label", "zone=test").start() as d:
        yield d


@pytest.fixture
def app_factory(tmp_path: Path) -> Iterator[Callable[..., InProcess]]:
    """``make(*flags, validate=True)``: a new daemon in this process, with a home of its own."""
    made: list[InProcess] = []
    numbers = itertools.count()

    def make(*flags: str, validate: bool = True) -> InProcess:
        tmp = tmp_path / f"app{next(numbers)}"
        tmp.mkdir()
        made.append(InProcess(tmp, *flags, validate=validate))
        return made[-1]

    yield make
    for d in made:
        d.close()


@pytest.fixture
def app(app_factory: Callable[..., InProcess]) -> InProcess:
    """A new daemon in this process for each test, labelled as ``pouchd`` is."""
    return app_factory("--label", "zone=test")


# ---- a failure says how to replay it ------------------------------------------------------------
# A module whose tests draw their data from a seed (test_fuzz.py) says how to replay a run in its
# ``REPLAY``: every failure of its tests shows it, in a section of its own.


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    replay = getattr(getattr(item, "module", None), "REPLAY", None)
    if report.failed and replay:
        report.sections.append(("replay", replay))
    return report


# ---- in CI, a test skipped is a test failed -----------------------------------------------------
# Tests that need a tool (the Docker CLI, a registry, Chromium, promtool, Node) skip where it is
# missing, so that a developer without it can still run the rest. CI installs every one of them
# (scripts/setup.sh --dev): a skip there means an install step is missing, and a green run would
# hide that those clients were never tried. POUCH_TESTS_ALLOW_SKIPS=1 lifts this.

_skipped: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, reason))


def _skips_fail() -> bool:
    return bool(os.environ.get("CI")) and not os.environ.get("POUCH_TESTS_ALLOW_SKIPS")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int) -> None:
    if _skipped and _skips_fail():
        terminalreporter.section("skipped in CI (each is a failure here)", sep="=", red=True)
        for nodeid, reason in _skipped:
            terminalreporter.line(f"{nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and _skips_fail() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
