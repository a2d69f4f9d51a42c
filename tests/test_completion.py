"""Shell completion and the client's own version."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from helpers import BIN, run_pouch


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _pouch_completion pouch"),
        ("zsh", "#compdef pouch"),
        ("fish", "complete --no-files --command pouch"),
    ],
)
def test_completion_scripts(shell: str, marker: str) -> None:
    r = run_pouch("completion", shell)
    assert r.returncode == 0 and marker in r.stdout


def test_unknown_shell_is_an_error() -> None:
    r = run_pouch("completion", "tcsh")
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1


@pytest.mark.skipif(not shutil.which("bash"), reason="no bash")
def test_bash_completes_commands_and_flags() -> None:
    script = """
source <(pouch completion bash)
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _pouch_completion pouch; \
echo "${COMPREPLY[*]}"; }
complete_words pouch ver
complete_words pouch info --fo
complete_words pouch ""
complete_words pouch version --tls
"""
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "version"
    assert lines[1] == "--format"
    assert {"version", "info", "completion"} <= set(lines[2].split())
    assert set(lines[3].split()) == {"--tlscacert", "--tlscert", "--tlskey", "--tlsverify"}  # global, after it


@pytest.mark.skipif(not shutil.which("zsh"), reason="no zsh")
def test_zsh_parses_the_script(tmp_path) -> None:
    script = tmp_path / "_pouch"
    script.write_text(run_pouch("completion", "zsh").stdout)
    r = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(not shutil.which("fish"), reason="no fish")
def test_fish_completes_commands_flags_and_choices(tmp_path) -> None:
    script = tmp_path / "pouch.fish"
    script.write_text(run_pouch("completion", "fish").stdout)
    probe = (
        f"source {script}; complete -C 'pouch ver'; echo ==; complete -C 'pouch info --fo'; echo ==; "
        "complete -C 'pouch completion '"
    )
    r = subprocess.run(["fish", "--no-config", "-c", probe], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    commands, flags, shells = (part.strip().splitlines() for part in r.stdout.split("==\n"))
    assert [line.split("\t")[0] for line in commands] == ["version"]
    assert [line.split("\t")[0] for line in flags] == ["--format"]
    assert sorted(shells) == ["bash", "fish", "zsh"]


def test_client_version_flag() -> None:
    r = run_pouch("--version")
    assert r.returncode == 0 and r.stdout == "pouch version 1.0.0\n"
