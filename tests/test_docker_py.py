"""docker-py (the Docker SDK for Python, PyPI ``docker``) as a real third-party client of pouchd.

docker-py talks to the daemon with requests over the unix socket or TCP, as its users write it:
``ping``, ``version``, ``info``, ``events`` with since/until (reading docker's ``Type``,
``Action``, ``Actor``), and ``login`` with good and bad credentials against the real test registry
(docker-py sends AuthConfig with lowercase keys). docker-py's default, ``version="auto"``, reads
``ApiVersion`` from ``GET /version`` and uses 1.24; ``version="1.24"`` works as well, and a newer
version named by the user is refused with a clear 400. The daemon's default registry is the
loopback test registry, so nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import PouchD
from registry import Registry, htpasswd_registry_fixture, missing_tools

docker = pytest.importorskip("docker")

USER = "pyuser"
PASSWORD = "py-Pa55-w0rd"


registry = htpasswd_registry_fixture("docker-py-registry", {USER: PASSWORD}, optional=True)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry | None) -> Iterator[PouchD]:
    default_registry = registry.address if registry else "127.0.0.1:1"
    with PouchD(
        tmp_path_factory.mktemp("docker-py-pouchd"), "--label", "zone=py", "--default-registry", default_registry
    ).start() as d:
        yield d


@pytest.fixture(autouse=True)
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docker-py reads (and on login remembers) credentials from $DOCKER_CONFIG: a fresh one."""
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


@pytest.fixture(params=["unix-auto", "tcp-1.24"])
def client(request: pytest.FixtureRequest, daemon: PouchD) -> Iterator[docker.DockerClient]:
    transport, version = request.param.split("-")
    base_url = daemon.host if transport == "unix" else f"tcp://127.0.0.1:{daemon.port}"
    c = docker.DockerClient(base_url=base_url, version=version, timeout=10)
    yield c
    c.close()


def direct(daemon: PouchD, path: str) -> dict:
    with daemon.client() as c:
        r = c.get(path)
    assert r.status_code == 200
    return r.json()


def test_ping_version_info(client: docker.DockerClient, daemon: PouchD) -> None:
    assert client.ping() is True
    assert client.api.api_version == "1.24"  # negotiated ("auto") or given
    version = client.version()
    assert version == direct(daemon, "/version")
    assert version["ApiVersion"] == "1.24" and version["Version"] == "1.0.0"
    info = client.info()
    assert info["ID"] == direct(daemon, "/info")["ID"]
    assert info["DockerRootDir"] == info["PouchRootDir"] == str(daemon.home)
    assert "zone=py" in info["Labels"]


def test_default_version_is_detected_and_newer_ones_are_refused(daemon: PouchD) -> None:
    """docker-py 7's default is ``version="auto"`` (``GET /version``, then its ``ApiVersion``);
    a version above 1.24 named by the user is refused (as a docker daemon of API 1.24 would), in
    words docker-py shows."""
    c = docker.DockerClient(base_url=daemon.host, timeout=10)
    try:
        assert c.api.api_version == "1.24"
        assert c.version()["ApiVersion"] == "1.24"
    finally:
        c.close()
    c = docker.DockerClient(base_url=daemon.host, version=docker.constants.DEFAULT_DOCKER_API_VERSION, timeout=10)
    try:
        with pytest.raises(docker.errors.APIError) as e:
            c.version()
    finally:
        c.close()
    assert e.value.status_code == 400
    assert (
        f"client version {docker.constants.DEFAULT_DOCKER_API_VERSION} is too new. "
        "Maximum supported API version is 1.24"
    ) in str(e.value.explanation)


def update(daemon: PouchD, label: str) -> None:
    with daemon.client() as c:
        assert c.post("/daemon/update", json={"Labels": [label]}).status_code == 200


def wait_past_second(t: float) -> None:
    """Sleep until the clock is past the whole second after ``t`` (at most a second): docker-py
    sends ``until`` in whole seconds, and an event later in that second is after it."""
    time.sleep(max(0.0, int(t) + 1.05 - time.time()))


def test_events_since_until_read_with_dockers_names(client: docker.DockerClient, daemon: PouchD) -> None:
    start = time.time()
    update(daemon, f"py-event={client.api.base_url[:4]}")
    wait_past_second(time.time())
    events = list(client.events(since=int(start), until=int(time.time()), decode=True))
    updates = [e for e in events if e["Action"] == "update"]
    assert updates, events
    event = updates[-1]
    assert event["Type"] == "daemon" and event["scope"] == "local"
    assert event["Actor"]["ID"] == direct(daemon, "/info")["ID"]
    assert event["Actor"]["Attributes"]["py-event"] == client.api.base_url[:4]
    # pouch's own fields carry the same facts.
    assert (event["type"], event["action"], event["actor"]) == (event["Type"], event["Action"], event["Actor"])
    assert event["time"] == event["timeNano"] // 1_000_000_000 >= int(start)


def test_events_filters_and_datetimes(client: docker.DockerClient, daemon: PouchD) -> None:
    from datetime import UTC, datetime

    start = datetime.now(UTC).replace(microsecond=0)
    update(daemon, "py-filtered=1")
    wait_past_second(time.time())
    events = list(
        client.events(
            since=start,
            until=datetime.now(UTC),
            decode=True,
            filters={"type": "daemon", "event": "update", "label": "py-filtered=1"},
        )
    )
    assert [e["Action"] for e in events] == ["update"]
    assert events[0]["Actor"]["Attributes"]["py-filtered"] == "1"


def test_events_stream_live_and_close(client: docker.DockerClient, daemon: PouchD) -> None:
    stream = client.events(decode=True)
    try:
        update(daemon, "py-live=1")
        event = next(iter(stream))
        assert (event["Type"], event["Action"]) == ("daemon", "update")
        assert event["Actor"]["Attributes"]["py-live"] == "1"
    finally:
        stream.close()


@pytest.mark.skipif(missing_tools() is not None, reason=missing_tools() or "")
def test_login_good_and_bad(daemon: PouchD, registry: Registry) -> None:
    good = docker.DockerClient(base_url=daemon.host, version="auto", timeout=30)
    try:
        answer = good.login(username=USER, password=PASSWORD, registry=registry.address)
    finally:
        good.close()
    assert answer == {"Status": "Login Succeeded", "IdentityToken": ""}

    bad = docker.DockerClient(base_url=daemon.host, version="auto", timeout=30)
    try:
        with pytest.raises(docker.errors.APIError) as e:
            bad.login(username=USER, password=PASSWORD + "-wrong", registry=registry.address, reauth=True)
    finally:
        bad.close()
    assert e.value.status_code == 401
    assert PASSWORD not in str(e.value)


@pytest.mark.skipif(missing_tools() is not None, reason=missing_tools() or "")
def test_login_without_registry_uses_the_daemons_default(daemon: PouchD) -> None:
    """docker-py leaves ``serveraddress`` out when no registry is named (it drops None values):
    the daemon's default registry, the loopback one here."""
    c = docker.DockerClient(base_url=daemon.host, version="1.24", timeout=30)
    try:
        assert c.login(username=USER, password=PASSWORD)["Status"] == "Login Succeeded"
    finally:
        c.close()
