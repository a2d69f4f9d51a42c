"""Faults during a pull, end to end: containerd killed mid-pull (the pull fails cleanly, pouchd
restarts containerd, the next pull succeeds) and pouchd SIGKILLed mid-pull (after a restart no
half image is listed, and the pull's lease is dropped). Real pouchds with containerds of their
own, a registry that stalls a layer on purpose (pouch_testing/registry.py's FaultyRegistry)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from helpers import PouchD

from pouch_testing.containerd import Containerd, probe_version
from pouch_testing.images import TestImage, build_busybox_image, busybox_missing
from pouch_testing.registry import Fault, FaultyRegistry

_MISSING = Containerd.available() or busybox_missing()
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=str(_MISSING))


@pytest.fixture(scope="module")
def image() -> TestImage:
    # a second layer of 4 MB, so that a stall after 1 MB holds the pull mid-layer
    return build_busybox_image(tag_name="test/busybox:v1", extra_layer_bytes=4 << 20, seed=7)


@pytest.fixture
def stalling(image: TestImage) -> Iterator[FaultyRegistry]:
    big = image.layers[-1]
    with FaultyRegistry(image, "test/busybox", "v1", faults={big.digest: Fault.stall(after=1 << 20)}) as reg:
        yield reg


def _wait(cond: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class Pull(threading.Thread):
    """A pull over pouchd's socket in a thread: its stream, as it arrives."""

    def __init__(self, d: PouchD, ref: str) -> None:
        super().__init__(daemon=True)
        self.d, self.ref = d, ref
        self.received = b""
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            with (
                self.d.client(timeout=60) as c,
                c.stream("POST", "/v1.24/images/create", params={"fromImage": self.ref}) as r,
            ):
                for chunk in r.iter_bytes():
                    self.received += chunk
        except httpx.HTTPError as e:
            self.error = e

    def downloading(self) -> bool:
        return b'"status":"downloading"' in self.received


def _images(d: PouchD) -> list[Any]:
    return list(d.client().get("/v1.24/images/json").json())


def test_containerd_killed_mid_pull(pouchd_factory: Any, stalling: FaultyRegistry, image: TestImage) -> None:
    d: PouchD = pouchd_factory(containerd="own")
    first = int((d.home / "containerd/state/containerd.pid").read_text())
    pull = Pull(d, stalling.reference)
    _wait(pull.downloading)
    os.kill(first, signal.SIGKILL)
    pull.join(60)
    assert not pull.is_alive()
    assert pull.error is None and b'"errorDetail"' in pull.received, pull.received[-400:]
    _wait(lambda: probe_version(d.containerd_address) is not None)
    assert int((d.home / "containerd/state/containerd.pid").read_text()) != first
    assert _images(d) == []
    stalling.faults.clear()  # the registry tells the truth again
    r = d.client(timeout=60).post("/v1.24/images/create", params={"fromImage": stalling.reference})
    assert r.status_code == 200 and b'"errorDetail"' not in r.content, r.text[-400:]
    assert [i["Id"] for i in _images(d)] == [image.id]


def test_pouchd_killed_mid_pull_leaves_no_image(
    pouchd_factory: Any, stalling: FaultyRegistry, image: TestImage
) -> None:
    d: PouchD = pouchd_factory(containerd="own")
    pull = Pull(d, stalling.reference)
    _wait(pull.downloading)
    d.stop(signal.SIGKILL)
    pull.join(30)
    d.start()
    assert "adopting containerd" in d.logs()
    assert "dropped 1 lease(s) of unfinished pulls" in d.logs()
    assert _images(d) == [] and d.client().get("/info").json()["Images"] == 0
    stalling.faults.clear()
    r = d.client(timeout=60).post("/v1.24/images/create", params={"fromImage": stalling.reference})
    assert r.status_code == 200 and b'"errorDetail"' not in r.content
    listed = _images(d)
    assert [i["Id"] for i in listed] == [image.id] and listed[0]["Size"] == image.content_size
    assert json.loads(json.dumps(listed))  # plain JSON all the way
