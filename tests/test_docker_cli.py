"""The Docker CLI as a real third-party client of pouchd: ``docker version`` and ``docker info``
negotiate an API version with the daemon and show its facts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(DOCKER is None, reason="no docker client binary on PATH")

# Variables that would point docker somewhere else or pin its API version.
_DOCKER_ENV = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_API_VERSION", "DOCKER_TLS", "DOCKER_TLS_VERIFY",
               "DOCKER_CERT_PATH", "DOCKER_DEFAULT_PLATFORM")


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
    out = docker(docker_env, host, "version", "--format",
                 "{{.Server.Version}}|{{.Server.APIVersion}}|{{.Server.Os}}/{{.Server.Arch}}|{{.Client.APIVersion}}")
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

