"""Clients nobody here wrote, on pouchd's image API: the Docker CLI (``docker pull``, ``images``,
``image inspect``, ``tag``, ``rmi``) and docker-py (``client.images.*``), against a real pouchd on
the test run's containerd and a test image in a real docker-registry on loopback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import PouchD
from registry import Registry, missing_tools

from pouch_testing.containerd import Containerd
from pouch_testing.images import TestImage, build_busybox_image, busybox_missing, push

DOCKER = shutil.which("docker")
_MISSING = Containerd.available() or busybox_missing() or missing_tools(htpasswd=False)
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=str(_MISSING))

_DOCKER_ENV = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_API_VERSION", "DOCKER_TLS", "DOCKER_TLS_VERIFY")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with Registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


@pytest.fixture(scope="module")
def image(registry: Registry) -> TestImage:
    img = build_busybox_image(tag_name="test/busybox:v1")
    push(img, registry.address, "test/busybox", "v1")
    return img


@pytest.fixture
def daemon(pouchd_factory: Any, registry: Registry) -> PouchD:
    d: PouchD = pouchd_factory("--insecure-registries", registry.address)
    return d


@pytest.fixture
def docker_env(tmp_path: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DOCKER_ENV}
    env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    env["DOCKER_CLI_HINTS"] = "false"
    return env


def docker(env: dict[str, str], d: PouchD, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    assert DOCKER is not None
    r = subprocess.run([DOCKER, "-H", d.host, *args], capture_output=True, text=True, env=env, timeout=60)
    if ok:
        assert r.returncode == 0, f"docker {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}"
    return r


@pytest.mark.skipif(DOCKER is None, reason="no docker client binary on PATH")
def test_the_docker_cli_pulls_lists_inspects_tags_and_removes(
    docker_env: dict[str, str], daemon: PouchD, registry: Registry, image: TestImage, tmp_path: Path
) -> None:
    ref = f"{registry.address}/test/busybox:v1"
    docker(docker_env, daemon, "pull", ref)
    out = docker(docker_env, daemon, "images", "--format", "{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Size}}").stdout
    assert out.splitlines() == [f"{registry.address}/test/busybox|v1|{image.id[7:19]}|{image.content_size / 1e6:.2f}MB"]
    inspected = json.loads(docker(docker_env, daemon, "image", "inspect", ref).stdout)
    assert inspected[0]["Id"] == image.id and inspected[0]["RepoTags"] == [ref]
    docker(docker_env, daemon, "tag", ref, f"{registry.address}/test/other:v2")
    tags = json.loads(docker(docker_env, daemon, "image", "inspect", image.id).stdout)[0]["RepoTags"]
    assert sorted(tags) == sorted([ref, f"{registry.address}/test/other:v2"])
    docker(docker_env, daemon, "push", f"{registry.address}/test/other:v2")
    accept = {"Accept": "application/vnd.oci.image.manifest.v1+json"}
    pushed = httpx.get(f"{registry.url}/v2/test/other/manifests/v2", headers=accept)
    assert pushed.status_code == 200 and pushed.headers["Docker-Content-Digest"] == image.manifest_digest
    out = docker(docker_env, daemon, "rmi", f"{registry.address}/test/other:v2").stdout
    other = f"{registry.address}/test/other"
    assert out.splitlines() == [f"Untagged: {other}:v2", f"Untagged: {other}@{image.manifest_digest}"]
    saved = tmp_path / "saved.tar"
    docker(docker_env, daemon, "save", "-o", str(saved), ref)
    out = docker(docker_env, daemon, "rmi", ref).stdout.splitlines()
    assert f"Untagged: {ref}" in out and f"Deleted: {image.id}" in out
    out = docker(docker_env, daemon, "load", "-i", str(saved)).stdout
    assert out.splitlines() == [f"Loaded image: {ref}"]
    out = docker(docker_env, daemon, "rmi", ref).stdout.splitlines()
    assert f"Untagged: {ref}" in out and f"Deleted: {image.id}" in out
    assert docker(docker_env, daemon, "images", "-q").stdout == ""
    r = docker(docker_env, daemon, "pull", f"{registry.address}/test/busybox:nosuch", ok=False)
    assert r.returncode == 1 and "not found" in r.stderr


def test_docker_py_pulls_lists_tags_and_removes(daemon: PouchD, registry: Registry, image: TestImage) -> None:
    docker_py = pytest.importorskip("docker")
    client = docker_py.DockerClient(base_url=daemon.host, version="1.24", timeout=60)
    try:
        pulled = client.images.pull(f"{registry.address}/test/busybox", tag="v1")
        assert pulled.id == image.id and pulled.tags == [f"{registry.address}/test/busybox:v1"]
        assert [i.id for i in client.images.list()] == [image.id]
        assert client.images.get(image.id).labels == {}
        assert pulled.tag(f"{registry.address}/test/copy", "c1") is True
        assert sorted(client.images.get(image.id).tags) == sorted(
            [f"{registry.address}/test/busybox:v1", f"{registry.address}/test/copy:c1"]
        )
        # API 1.24: docker-py sends name= as Docker's old `filter` parameter (and then inspects
        # each image listed: the low-level answer shows the names that matched)
        assert [i.id for i in client.images.list(name=f"{registry.address}/test/copy")] == [image.id]
        listed = client.api.images(name=f"{registry.address}/test/copy")
        assert [(i["Id"], i["RepoTags"]) for i in listed] == [(image.id, [f"{registry.address}/test/copy:c1"])]
        assert client.images.list(name="test/nosuch*") == []
        client.images.remove(f"{registry.address}/test/copy:c1")
        archive = b"".join(client.images.get(image.id).save())
        client.images.remove(image.id, force=True)
        loaded = client.images.load(archive)
        assert [i.id for i in loaded] == [image.id]
        client.images.remove(image.id, force=True)
        assert client.images.list() == []
        with pytest.raises(docker_py.errors.NotFound):
            client.images.get("nosuch")
    finally:
        client.close()
