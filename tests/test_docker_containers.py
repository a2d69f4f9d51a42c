"""Clients nobody here wrote, on pouchd's container API: the Docker CLI (``docker run``, ``ps``,
``logs -f``, ``exec``, ``stop``, ``rm -f``, ``inspect``, ``wait``, ``top``, ``stats``) negotiating
API 1.24, and docker-py (``client.containers.*``), against a real pouchd, runc containers and a
busybox image in a real docker-registry on loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engine import MISSING, image_ref, on_a_terminal, registry, remove_all
from helpers import PouchD
from registry import Registry

DOCKER = shutil.which("docker")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=str(MISSING))
__all__ = ["image_ref", "registry"]  # fixtures

_DOCKER_ENV = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_API_VERSION", "DOCKER_TLS", "DOCKER_TLS_VERIFY")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry, image_ref: str) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("docker-containers"), "--insecure-registries", registry.address).start() as d:
        yield d
        remove_all(d)


@pytest.fixture
def docker_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DOCKER_ENV}
    env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    env["DOCKER_CLI_HINTS"] = "false"
    return env


def docker(
    env: dict[str, str], d: PouchD, *args: str, ok: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    assert DOCKER is not None
    r = subprocess.run([DOCKER, "-H", d.host, *args], capture_output=True, text=True, env=env, timeout=60, input=stdin)
    if ok:
        assert r.returncode == 0, f"docker {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r


def containers(d: PouchD) -> list[dict[str, Any]]:
    with d.client() as c:
        listed: list[dict[str, Any]] = c.get("/v1.24/containers/json", params={"all": 1}).json()
    return listed


@pytest.mark.skipif(DOCKER is None, reason="no docker client binary on PATH")
def test_docker_run_in_the_foreground(docker_env: dict[str, str], daemon: PouchD, image_ref: str) -> None:
    # The image is not there yet: the CLI pulls it (Unable to find image ... locally), then runs.
    r = docker(docker_env, daemon, "run", "--rm", "--net", "none", image_ref, "echo", "hi")
    assert r.stdout == "hi\n" and "Unable to find image" in r.stderr
    r = docker(
        docker_env, daemon, "run", "--rm", "--net", "none", image_ref, "sh", "-c", "echo e >&2; exit 3", ok=False
    )
    assert (r.returncode, r.stdout, r.stderr) == (3, "", "e\n")
    r = docker(docker_env, daemon, "run", "--rm", "-i", "--net", "none", image_ref, "cat", stdin="through stdin\n")
    assert r.stdout == "through stdin\n"
    r = docker(docker_env, daemon, "run", "--net", "none", "--name", "kept", image_ref, "true")
    assert r.stdout == ""
    for _ in range(100):  # --rm is the CLI's: it removes after the die event
        if [c["Names"] for c in containers(daemon)] == [["/kept"]]:
            break
        time.sleep(0.05)
    assert [c["Names"] for c in containers(daemon)] == [["/kept"]]
    assert docker(docker_env, daemon, "wait", "kept").stdout == "0\n"
    docker(docker_env, daemon, "rm", "kept")
    r = docker(docker_env, daemon, "run", "--rm", "--net", "none", image_ref, "/no/such/thing", ok=False)
    assert r.returncode in (126, 127) and "/no/such/thing" in r.stderr


@pytest.mark.skipif(DOCKER is None, reason="no docker client binary on PATH")
def test_docker_run_detached_ps_logs_exec_top_stats_stop_rm(
    docker_env: dict[str, str], daemon: PouchD, image_ref: str
) -> None:
    script = "echo started; trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done"
    cid = docker(docker_env, daemon, "run", "-d", "--net", "none", "--name", "web", image_ref, "sh", "-c", script)
    cid = cid.stdout.strip()
    assert len(cid) == 64
    ps = docker(docker_env, daemon, "ps", "--format", "{{.ID}}|{{.Names}}|{{.Command}}|{{.Status}}").stdout
    fields = ps.strip().split("|")
    assert fields[:2] == [cid[:12], "web"] and fields[3].startswith("Up ")
    assert docker(docker_env, daemon, "ps", "-q", "--no-trunc").stdout.split() == [cid]
    for _ in range(100):
        if docker(docker_env, daemon, "logs", "web").stdout == "started\n":
            break
        time.sleep(0.05)
    assert docker(docker_env, daemon, "logs", "web").stdout == "started\n"
    r = docker(docker_env, daemon, "exec", "web", "sh", "-c", "echo in-exec; exit 5", ok=False)
    assert (r.returncode, r.stdout) == (5, "in-exec\n")
    r = docker(docker_env, daemon, "exec", "-i", "web", "cat", stdin="exec stdin\n")
    assert r.stdout == "exec stdin\n"
    top = docker(docker_env, daemon, "top", "web").stdout
    assert top.splitlines()[0].split()[:2] == ["UID", "PID"] and "while true" in top
    stats = docker(docker_env, daemon, "stats", "--no-stream", "--format", "{{.Name}}|{{.PIDs}}", "web").stdout
    name, pids = stats.strip().split("|")
    assert name == "web" and int(pids) >= 2
    inspected = json.loads(docker(docker_env, daemon, "inspect", "web").stdout)
    assert inspected[0]["Id"] == cid and inspected[0]["Name"] == "web" and inspected[0]["State"]["Running"]
    assert (inspected[0]["Path"], inspected[0]["Args"]) == ("sh", ["-c", script])
    assert docker(docker_env, daemon, "inspect", "-f", "{{.State.Status}}", "web").stdout == "running\n"
    with subprocess.Popen(
        [DOCKER, "-H", daemon.host, "logs", "-f", "web"], stdout=subprocess.PIPE, env=docker_env, text=True
    ) as follower:
        docker(docker_env, daemon, "stop", "-t", "5", "web")
        out, _ = follower.communicate(timeout=30)
    assert out == "started\nbye\n"
    assert docker(docker_env, daemon, "wait", "web").stdout == "0\n"
    docker(docker_env, daemon, "start", "web")
    docker(docker_env, daemon, "rm", "-f", "web")
    assert containers(daemon) == []
    r = docker(docker_env, daemon, "logs", "web", ok=False)
    assert r.returncode == 1 and "web" in r.stderr


def test_docker_py_runs_containers(daemon: PouchD, image_ref: str) -> None:
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url=daemon.host, version="1.24", timeout=60)
    try:
        client.images.pull(image_ref)
        out = client.containers.run(image_ref, ["echo", "from", "docker-py"], network_mode="none", remove=True)
        assert out == b"from docker-py\n"
        with pytest.raises(docker_py.errors.ContainerError) as e:
            client.containers.run(image_ref, ["sh", "-c", "echo bad >&2; exit 2"], network_mode="none", remove=True)
        assert e.value.exit_status == 2 and b"bad" in e.value.stderr
        c = client.containers.run(
            image_ref, ["sh", "-c", "for i in 1 2 3; do echo n$i; sleep 0.1; done; sleep 300"], detach=True,
            network_mode="none", name="pyrun", labels={"by": "docker-py"},
        )  # fmt: skip
        assert c.name == "pyrun" and c.status in ("created", "running")
        streamed = b""
        for chunk in c.logs(stream=True, follow=True):
            streamed += chunk
            if streamed.count(b"\n") == 3:
                break
        assert streamed == b"n1\nn2\nn3\n"
        code, output = c.exec_run(["sh", "-c", "echo exec-out; exit 7"])
        assert (code, output) == (7, b"exec-out\n")
        assert [x.name for x in client.containers.list(filters={"label": "by=docker-py"})] == ["pyrun"]
        c.stop(timeout=1)
        # sh is PID 1 with no handler for SIGTERM, which PID 1 then ignores: SIGKILL after 1 s.
        assert c.wait()["StatusCode"] == 137
        c.reload()
        assert c.status == "stopped"  # pouch's word (Docker has "exited"): docker-py takes it as it is
        c.remove()
        with pytest.raises(docker_py.errors.NotFound):
            client.containers.get("pyrun")
    finally:
        client.close()


@pytest.mark.skipif(DOCKER is None, reason="no docker client binary on PATH")
def test_docker_run_and_exec_detach_with_ctrl_p_ctrl_q(
    docker_env: dict[str, str], daemon: PouchD, image_ref: str, tmp_path: Path
) -> None:
    """The Docker CLI finds ctrl-p ctrl-q itself (typed: one key a read) and leaves; the
    container, whose stdin pouchd does not end when a TTY's client goes, runs on. `run` exits 0,
    `exec` 1 with "read escape sequence", as both do against dockerd 20.10."""
    docker(docker_env, daemon, "pull", image_ref)
    base = [DOCKER or "docker", "-H", daemon.host]
    try:
        code, text = on_a_terminal([*base, "run", "-it", "--name", "dk", "--net", "none", image_ref, "sh"],
                                   tmp_path, [b"\x10", b"\x11"], timeout=30, env=docker_env)  # fmt: skip
        assert code == 0, text
        assert json.loads(docker(docker_env, daemon, "inspect", "dk").stdout)[0]["State"]["Running"] is True
        code, text = on_a_terminal([*base, "exec", "-it", "dk", "sh"], tmp_path, [b"\x10", b"\x11"], timeout=30,
                                   env=docker_env)  # fmt: skip
        # `docker exec` reports the detach as an error (as it does against dockerd 20.10: checked)
        assert code == 1 and text.endswith("read escape sequence\n"), text
        assert json.loads(docker(docker_env, daemon, "inspect", "dk").stdout)[0]["State"]["Running"] is True
    finally:
        docker(docker_env, daemon, "rm", "-f", "dk", ok=False)
