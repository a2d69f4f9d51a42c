"""The test daemons themselves (pouch_testing/pouchd.py, tests/helpers.py): none reads a config
file of the host's, whoever runs the tests; a test that means a config file gets exactly its own."""

from __future__ import annotations

import ast
import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, InProcess, PouchD, info

from pouch_common import paths
from pouch_server.config import load_config
from pouch_testing.pouchd import with_config_file


def config_flags(argv: list[str]) -> list[str]:
    """Every --config-file of ``argv``, with its value."""
    return [f"{a}={b}" for a, b in itertools.pairwise(argv) if a == "--config-file"] + [
        a for a in argv if a.startswith("--config-file=")
    ]


def test_a_test_daemon_is_given_no_config_file(tmp_path: Path) -> None:
    assert config_flags(PouchD(tmp_path).argv()) == ["--config-file="]
    assert config_flags(PouchD(tmp_path, "--label", "a=b", validate=False).argv()) == ["--config-file="]


@pytest.mark.parametrize("flags", [("--config-file", "/x/c.json"), ("--config-file=/x/c.json",)])
def test_a_test_that_means_a_config_file_gets_only_its_own(tmp_path: Path, flags: tuple[str, ...]) -> None:
    assert config_flags(PouchD(tmp_path, *flags).argv()) == ["--config-file=/x/c.json"]
    assert with_config_file(flags) == list(flags)
    assert with_config_file(["-D"], "/y.json") == ["-D", "--config-file", "/y.json"]


def write_config(path: Path, labels: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"label": labels}))
    return path


def test_an_in_process_daemon_reads_no_default_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pouchd's default config file made one holding a label: load_config alone reads it (so this
    test can fail), the in-process daemon does not, unless its flags name a file."""
    default = write_config(tmp_path / "etc" / "config.json", ["from=default"])
    monkeypatch.setattr(paths, "default_config_file", lambda: str(default))
    assert load_config(["--home-dir", str(tmp_path / "h")]).labels == ["from=default"]
    with InProcess(tmp_path) as d:
        assert d.config.config_file is None
        assert info(d)["Labels"] == []
    own = write_config(tmp_path / "own.json", ["from=own"])
    (tmp_path / "own").mkdir()
    with InProcess(tmp_path / "own", "--config-file", str(own)) as d:
        assert info(d)["Labels"] == ["from=own"]


class WrappedPouchD(PouchD):
    """A test daemon started through ``prefix`` (a command that runs the rest of its argv). With
    ``default_config``, the harness's ``--config-file ""`` is left out, to show what a daemon
    without it reads."""

    def __init__(self, tmp: Path, prefix: list[str], default_config: bool = False, **kw: object) -> None:
        super().__init__(tmp, tcp=False, **kw)
        self.prefix = prefix
        self.default_config = default_config

    def argv(self) -> list[str]:
        argv = super().argv()
        if self.default_config:
            assert argv[-2:] == ["--config-file", ""], argv
            argv = argv[:-2]
        return [*self.prefix, *argv]


def labels_with_and_without_the_flag(tmp: Path, prefix: list[str], **kw: object) -> tuple[list[str], list[str]]:
    """The labels of a daemon started through ``prefix`` without the harness's flag, then with it."""
    labels = []
    for name, default_config in (("without", True), ("with", False)):
        (tmp / name).mkdir()
        with WrappedPouchD(tmp / name, prefix, default_config, **kw).start() as d:
            labels.append(info(d)["Labels"])
    return labels[0], labels[1]


def unavailable(prefix: list[str]) -> str | None:
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return None if probe.returncode == 0 else probe.stderr.decode().strip() or f"exit status {probe.returncode}"


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare (util-linux)")
def test_a_subprocess_daemon_reads_no_users_config_file(tmp_path: Path) -> None:
    """As uid 1000 (a user namespace), pouchd's default config file is
    ``$XDG_CONFIG_HOME/pouch/config.json``: one is written there."""
    as_user = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    if reason := unavailable(as_user):
        pytest.skip(f"user namespaces unavailable: {reason}")
    home = tmp_path / "user"
    write_config(home / ".config" / "pouch" / "config.json", ["from=home"])
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    assert labels_with_and_without_the_flag(tmp_path, as_user, env=env) == (["from=home"], [])


@pytest.mark.skipif(os.geteuid() != 0, reason="root's default config file is /etc/pouch/config.json")
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare (util-linux)")
def test_a_subprocess_daemon_as_root_reads_no_etc_pouch(tmp_path: Path) -> None:
    """As root, pouchd's default config file is /etc/pouch/config.json: a copy of /etc holding one
    is mounted on /etc for the daemon alone (a mount namespace of its own); the host's /etc is
    never written."""
    in_own_mounts = ["unshare", "--mount", "--propagation", "private"]
    if reason := unavailable(in_own_mounts):
        pytest.skip(f"mount namespaces unavailable: {reason}")
    etc = tmp_path / "etc"
    shutil.copytree(
        "/etc",
        etc,
        symlinks=True,
        ignore_dangling_symlinks=True,
        ignore=lambda _dir, names: [n for n in names if n == "pouch"],
    )
    write_config(etc / "pouch" / "config.json", ["from=etc"])
    prefix = [*in_own_mounts, "sh", "-c", 'mount --bind "$0" /etc && exec "$@"', str(etc)]
    assert labels_with_and_without_the_flag(tmp_path, prefix) == (["from=etc"], [])


def test_pouch_testing_needs_only_the_standard_library_and_pouch_common() -> None:
    """The benchmarks run the harness from any interpreter that has the project's tree: importing
    it loads the standard library and pouch_common only. What one feature needs beyond (httpx to
    push a test image, cryptography for the token server, pytest for a fixture) is imported when
    that feature is used."""
    allowed = set(sys.stdlib_module_names) | {"pouch_testing", "pouch_common", "__future__"}
    for path in sorted((ROOT / "pouch_testing").rglob("*.py")):
        imported: set[str] = set()
        for node in ast.parse(path.read_text()).body:  # what runs on import (not in functions)
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                continue
            for inner in _outside_functions(node):
                if isinstance(inner, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in inner.names}
                elif isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    imported.add(inner.module.split(".")[0])
        assert imported <= allowed, f"{path.name} imports {imported - allowed}"


def _outside_functions(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and what it holds, except the bodies of functions (which run when called)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _outside_functions(child)
