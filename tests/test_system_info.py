"""/info is built once and kept by SystemManager, until the daemon's state changes: the manager on
its own, and a real pouchd whose /info follows each /daemon/update at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from helpers import PouchD

from pouch_server.config import DaemonConfig
from pouch_server.managers.daemon import DaemonStateStore, UpdateError
from pouch_server.managers.system import HostFacts, SystemManager

FACTS = HostFacts(
    kernel_version="6.1.0",
    hostname="host",
    ncpu=2,
    mem_total=1 << 30,
    operating_system="Debian GNU/Linux 12 (bookworm)",
    arch="amd64",
    security_options=[],
    runtime_version="cpython3.11.2",
)


def manager(tmp_path: Path) -> tuple[SystemManager, DaemonStateStore]:
    config = DaemonConfig(home_dir=str(tmp_path), labels=["a=1"], image_proxy="http://old:1")
    state = DaemonStateStore(tmp_path, config.labels, config.image_proxy)
    return SystemManager(config, state, "ID", ["unix:///x.sock"], facts=FACTS), state


def test_info_is_kept_until_the_state_changes(tmp_path: Path) -> None:
    system, state = manager(tmp_path)
    first = system.info()
    assert first["Labels"] == ["a=1"] and first["HttpProxy"] == "http://old:1"
    assert system.info() is first  # kept: not built again

    asyncio.run(state.update(["b=2"], None))
    second = system.info()
    assert second is not first
    assert second["Labels"] == ["a=1", "b=2"] and second["HttpProxy"] == "http://old:1"
    assert first["Labels"] == ["a=1"]  # what was handed out before is not changed under its holder
    assert system.info() is second

    asyncio.run(state.update(None, "http://new:2"))
    third = system.info()
    assert third is not second and third["HttpProxy"] == "http://new:2"
    assert system.info() is third


def test_a_refused_update_keeps_info(tmp_path: Path) -> None:
    system, state = manager(tmp_path)
    kept = system.info()
    with pytest.raises(UpdateError):
        asyncio.run(state.update([], None))
    with pytest.raises(UpdateError):
        asyncio.run(state.update(["no-value"], None))
    assert system.info() is kept


def test_version_is_one_mapping(tmp_path: Path) -> None:
    system, _ = manager(tmp_path)
    assert system.version() is system.version()
    assert system.version()["KernelVersion"] == "6.1.0"


def test_info_follows_each_update_at_once(pouchd_factory) -> None:
    d: PouchD = pouchd_factory("--label", "zone=test")
    with d.client() as reader, d.client() as writer:
        assert reader.get("/info").json()["Labels"] == ["zone=test"]  # kept from here on
        for i in range(20):
            body = {"Labels": [f"step={i}"], "ImageProxy": f"http://proxy:{1000 + i}"}
            assert writer.post("/v1.24/daemon/update", json=body).status_code == 200
            answer = reader.get("/v1.24/info")  # the reader's own connection, kept alive
            assert answer.status_code == 200
            got = answer.json()
            assert got["Labels"] == ["zone=test", f"step={i}"]
            assert got["HttpProxy"] == f"http://proxy:{1000 + i}"
