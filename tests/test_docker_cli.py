"""The Docker CLI as a real third-party client of pouchd: ``docker version`` and ``docker info``
negotiate an API version with the daemon and show its facts (Docker Root Dir included),
``docker events --since/--until`` shows the daemon's events, and ``docker login`` logs in to the
real test registry through the daemon (whose default registry is that loopback one too)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PouchD
from registry import Registry, htpasswd_registry_fixture

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="no docker client binary on PATH")

# Variables that would point docker somewhere else or pin its API version.
_DOCKER_ENV = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_API_VERSION",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_DEFAULT_PLATFORM",
)


@pytest.fixture(scope="module")
def docker_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DOCKER_ENV}
    env["DOCKER_CONFIG"] = str(tmp_path_factory.mktemp("docker-config"))
    env["DOCKER_CLI_HINTS"] = "false"
    return env


@pytest.fixture(scope="module")
def facts(pouchd) -> tuple[dict, dict]:
    with pouchd.client() as c:
        version, info = c.get("/version"), c.get("/info")
    assert version.status_code == 200 and info.status_code == 200
    return version.json(), info.json()


@pytest.fixture(scope="module", params=["unix", "tcp"])
def host(request: pytest.FixtureRequest, pouchd) -> str:
    return pouchd.host if request.param == "unix" else f"tcp://127.0.0.1:{pouchd.port}"


def docker(env: dict[str, str], host: str, *args: str) -> str:
    assert DOCKER is not None
    r = subprocess.run([DOCKER, "-H", host, *args], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, f"docker {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def field(text: str, label: str) -> list[str]:
    """Values of ``label: value`` lines in docker's human output (any indentation)."""
    return [m.group(1).strip() for m in re.finditer(rf"^\s*{re.escape(label)}:[ \t]*(.*)$", text, re.M)]


def test_version_formatted(docker_env, host, facts) -> None:
    version, _ = facts
    out = docker(
        docker_env,
        host,
        "version",
        "--format",
        "{{.Server.Version}}|{{.Server.APIVersion}}|{{.Server.Os}}/{{.Server.Arch}}|{{.Client.APIVersion}}",
    )
    server_version, api_version, os_arch, client_api = out.strip().split("|")
    assert server_version == version["Version"] == "1.0.0"
    assert api_version == version["ApiVersion"]
    assert os_arch == f"{version['Os']}/{version['Arch']}"
    # docker 28 speaks a newer API; it negotiated down to ours through /_ping's API-Version header.
    assert client_api == version["ApiVersion"]


def test_version_human_output(docker_env, host, facts) -> None:
    version, _ = facts
    out = docker(docker_env, host, "version")
    assert "Server:" in out, out
    server = out.split("Server:", 1)[1]
    assert field(server, "Version")[0] == version["Version"]
    assert field(server, "API version")[0].startswith(version["ApiVersion"])
    assert field(server, "OS/Arch")[0] == f"{version['Os']}/{version['Arch']}"
    client = out.split("Server:", 1)[0]
    assert field(client, "API version")[0].startswith(version["ApiVersion"])


def test_info_formatted(docker_env, host, facts) -> None:
    version, info = facts
    out = docker(docker_env, host, "info", "--format", "{{.NCPU}}|{{.ServerVersion}}|{{json .ServerErrors}}")
    ncpu, server_version, errors = out.strip().split("|")
    assert int(ncpu) == len(os.sched_getaffinity(0)) == info["NCPU"]
    assert server_version == version["Version"] == info["ServerVersion"]
    assert errors in ("null", "[]")


def test_info_human_output(docker_env, host, facts) -> None:
    version, info = facts
    out = docker(docker_env, host, "info")
    assert "Server:" in out, out
    server = out.split("Server:", 1)[1]
    assert field(server, "CPUs") == [str(len(os.sched_getaffinity(0)))]
    assert field(server, "Server Version") == [version["Version"]]
    assert field(server, "Kernel Version") == [info["KernelVersion"]]
    assert field(server, "Operating System") == [info["OperatingSystem"]]
    assert field(server, "Name") == [info["Name"]]
    assert field(server, "ID") == [info["ID"]]
    assert "zone=test" in server  # the fixture daemon's --label


def test_info_shows_docker_root_dir(docker_env, host, pouchd) -> None:
    out = docker(docker_env, host, "info")
    assert field(out.split("Server:", 1)[1], "Docker Root Dir") == [str(pouchd.home)]
    assert docker(docker_env, host, "info", "--format", "{{.DockerRootDir}}").strip() == str(pouchd.home)


def test_events_since_until(docker_env, host, pouchd, facts) -> None:
    """``docker events --since 2m --until 0s``: the CLI sends whole seconds (since two minutes
    ago, until now), reads each event as docker's Message and prints it."""
    _, info = facts
    label = f"cli-{host[:3]}-{time.monotonic_ns()}"
    with pouchd.client() as c:
        assert c.post("/daemon/update", json={"Labels": [f"{label}=1"]}).status_code == 200
    # `--until 0s` is now in whole seconds: an event later in this second would be after it.
    time.sleep(max(0.0, int(time.time()) + 1.05 - time.time()))
    out = docker(docker_env, host, "events", "--since", "2m", "--until", "0s")
    mine = [line for line in out.splitlines() if f"{label}=1" in line]
    assert len(mine) == 1, out
    assert re.fullmatch(rf"\S+ daemon update {re.escape(info['ID'])} \(.*\b{label}=1\b.*\)", mine[0]), mine[0]
    # What docker decoded, in its own field names.
    out = docker(docker_env, host, "events", "--since", "2m", "--until", "0s", "--format", "{{json .}}")
    events = [json.loads(line) for line in out.splitlines() if label in line]
    assert len(events) == 1, out
    event = events[0]
    assert (event["Type"], event["Action"], event["scope"]) == ("daemon", "update", "local")
    assert event["Actor"]["ID"] == info["ID"] and event["Actor"]["Attributes"][label] == "1"


# ---- docker login, against the real test registry on 127.0.0.1 ---------------------------------

USER = "cliuser"
PASSWORD = "cli-Pa55-w0rd"


registry = htpasswd_registry_fixture("docker-cli-registry", {USER: PASSWORD})


@pytest.fixture(scope="module")
def login_daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("docker-cli-login"), "--default-registry", registry.address).start() as d:
        yield d


def docker_login(env: dict[str, str], d: PouchD, registry: Registry, password: str) -> subprocess.CompletedProcess[str]:
    assert DOCKER is not None
    return subprocess.run(
        [DOCKER, "-H", d.host, "login", "-u", USER, "--password-stdin", registry.address],
        capture_output=True,
        text=True,
        env=env,
        input=password + "\n",
        timeout=60,
    )


def test_login_good_and_bad(docker_env, login_daemon, registry, tmp_path: Path) -> None:
    """The Docker CLI sends AuthConfig with lowercase keys; the daemon checks them against the
    registry and the CLI stores what it was told worked."""
    env = {**docker_env, "DOCKER_CONFIG": str(tmp_path / "docker-config")}
    r = docker_login(env, login_daemon, registry, PASSWORD)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "Login Succeeded"
    stored = json.loads((tmp_path / "docker-config" / "config.json").read_text())["auths"][registry.address]
    assert base64.b64decode(stored["auth"]).decode() == f"{USER}:{PASSWORD}"

    env = {**docker_env, "DOCKER_CONFIG": str(tmp_path / "other-config")}
    r = docker_login(env, login_daemon, registry, PASSWORD + "-wrong")
    assert r.returncode == 1
    assert r.stderr.startswith("Error response from daemon: ") and "401" in r.stderr, r.stderr
    assert PASSWORD not in r.stderr
    assert not (tmp_path / "other-config" / "config.json").exists()
