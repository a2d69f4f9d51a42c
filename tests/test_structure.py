"""Structural guards for CLI start-up: a command pays only for what it uses (no timings here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(k for k, v in "
                          "sys.modules.items() if v is not None)))"], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


NEVER_IN_THE_CLI = {"connexion", "uvicorn", "starlette", "prometheus_client", "yaml", "rich", "httpx._main",
                    "pouch_server.app", "pouch_server.daemon", "pouch_server.managers"}
OTHER_COMMANDS = {"pouch_cli.login", "pouch_cli.logout", "pouch_cli.credentials", "pouch_cli.events",
                  "pouch_cli.updatedaemon", "pouch_cli.completion", "pouch_cli.info", "pouch_cli.version"}


def test_importing_the_cli_loads_no_command() -> None:
    loaded = modules_after("import pouch_cli.main")
    assert not loaded & (NEVER_IN_THE_CLI | OTHER_COMMANDS)
    assert "pouch_client" not in loaded and "httpx" not in loaded  # not even the client, until a command runs


@pytest.mark.parametrize(("command", "own"), [
    ("version", "pouch_cli.version"), ("info", "pouch_cli.info"), ("events", "pouch_cli.events"),
    ("login", "pouch_cli.login"), ("updatedaemon", "pouch_cli.updatedaemon"),
])
def test_a_command_loads_only_itself(command: str, own: str) -> None:
    loaded = modules_after(f"import pouch_cli.main as m\nm.cli.get_command(None, {command!r})")
    assert own in loaded
    assert not loaded & NEVER_IN_THE_CLI
    allowed = {own, "pouch_cli.credentials"} if command == "login" else {own}  # login stores credentials
    assert not loaded & (OTHER_COMMANDS - allowed)


def test_version_without_format_does_not_load_the_template_engine() -> None:
    loaded = modules_after("import pouch_cli.main as m\nm.cli.get_command(None, 'version')")
    assert "pouch_cli.template" not in loaded
