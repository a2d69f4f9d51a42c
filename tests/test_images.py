"""pouch's image API end to end: a real pouchd on the test run's containerd, a test image built
from busybox-static and pushed to a real docker-registry on loopback, pulled, listed,
inspected, tagged and removed over the wire as pouch's clients send it."""

from __future__ import annotations

import base64
import io
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import PouchD
from registry import Registry, htpasswd_registry_fixture, missing_tools

from pouch_testing.containerd import Containerd
from pouch_testing.images import (
    TestImage,
    build_busybox_image,
    build_image,
    busybox_missing,
    docker_archive_tar,
    files_layer,
    push,
)
from pouch_testing.proxy import ForwardProxy

pytestmark = pytest.mark.skipif(
    bool(Containerd.available() or busybox_missing() or missing_tools(htpasswd=False)),
    reason=str(Containerd.available() or busybox_missing() or missing_tools(htpasswd=False)),
)


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


def objects(stream: bytes) -> list[dict[str, Any]]:
    """pouch's progress stream: JSON objects one after another, no separator."""
    decoder, out, i = json.JSONDecoder(), [], 0
    text = stream.decode()
    while i < len(text):
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)
    return out


def pull(d: PouchD, name: str, tag: str | None = None, **kw: Any) -> httpx.Response:
    params = {"fromImage": name} | ({"tag": tag} if tag else {})
    return d.client(timeout=60).post("/v1.24/images/create", params=params, **kw)


def test_pull_list_inspect_history_tag_remove(daemon: PouchD, registry: Registry, image: TestImage) -> None:
    ref = f"{registry.address}/test/busybox"
    r = pull(daemon, ref, "v1")
    assert r.status_code == 200, r.text
    stream = objects(r.content)
    assert all("error" not in o for o in stream), stream
    assert stream[-1]["status"] == "done" and stream[0]["id"] == f"{ref}:v1"
    assert {o["id"] for o in stream} >= {f"layer-{image.layers[0].digest}", f"config-{image.id}"}

    c = daemon.client()
    listed = c.get("/v1.24/images/json").json()
    assert [i["Id"] for i in listed] == [image.id]
    info = listed[0]
    assert info["RepoTags"] == [f"{ref}:v1"]
    assert info["RepoDigests"] == [f"{ref}@{image.manifest_digest}"]
    assert info["Size"] == image.content_size
    assert info["RootFS"] == {"Type": "layers", "Layers": image.diff_ids}
    assert info["Os"] == "linux" and info["Config"]["Cmd"] == ["sh"]
    assert c.get("/info").json()["Images"] == 1

    # Lookups: by name, by ID, by a short ID, with and without sha256:.
    for name in (f"{ref}:v1", image.id, image.id[7:19], image.id[:19]):
        r = c.get(f"/v1.24/images/{name}/json")
        assert r.status_code == 200 and r.json()["Id"] == image.id, (name, r.text)
    r = c.get("/v1.24/images/nosuch/json")
    assert r.status_code == 404
    assert r.json() == {"message": "image 127.0.0.1:1/library/nosuch: not found"}

    history = c.get(f"/v1.24/images/{ref}:v1/history").json()
    assert history[0]["ID"] == image.id and history[0]["Size"] == image.layers[0].size
    assert history[0]["CreatedBy"] == image.layers[0].created_by

    r = c.post(f"/v1.24/images/{image.id[:12]}/tag", params={"repo": "mybox", "tag": "x"})
    assert r.status_code == 201, r.text
    tags = c.get(f"/v1.24/images/{image.id}/json").json()["RepoTags"]
    assert tags == sorted([f"{ref}:v1", "127.0.0.1:1/library/mybox:x"])

    r = c.delete(f"/v1.24/images/{image.id}")
    assert r.status_code == 500 and "must force" in r.json()["message"]
    r = c.delete("/v1.24/images/127.0.0.1:1/library/mybox:x")
    assert r.status_code == 204 and r.content == b""
    r = c.delete(f"/v1.24/images/{ref}:v1")
    assert r.status_code == 204
    assert c.get("/v1.24/images/json").json() == []
    assert c.get("/info").json()["Images"] == 0


def test_the_list_keeps_what_reference_before_and_since_name(daemon: PouchD) -> None:
    """pouch's image list filters (image.go ListImages): ``reference`` patterns (in pouch's list
    form and Docker's older ``{"pattern": true}``) keep an image with only its matching names;
    ``before`` and ``since`` compare creation times with the named image's; errors are 400s."""

    def made(name: str, year: int) -> TestImage:
        layer = files_layer({"etc/made": f"{name}\n".encode()})
        return build_image([layer], tag_name=name, created=f"{year}-01-01T00:00:00Z", cmd=None)

    old, mid, new = made("test/filters-old:v1", 2020), made("test/filters-mid:v1", 2021), made("test/other:v1", 2022)
    archive = docker_archive_tar(old, more=[(mid, ["test/filters-mid:v1", "test/other:mid"]), (new, ["test/other:v1"])])
    c = daemon.client()
    r = c.post("/v1.24/images/load", content=archive, headers={"Content-Type": "application/x-tar"})
    assert r.status_code == 200, r.text

    def listed(filters: Any) -> list[tuple[str, list[str]]]:
        r = c.get("/v1.24/images/json", params={"filters": json.dumps(filters)})
        assert r.status_code == 200, r.text
        return [(i["Id"], [t.rsplit("/", 2)[-2] + "/" + t.rsplit("/", 1)[-1] for t in i["RepoTags"]]) for i in r.json()]

    assert [i for i, _ in listed({})] == [new.id, mid.id, old.id]
    assert listed({"reference": ["test/filters-*"]}) == [
        (mid.id, ["test/filters-mid:v1"]),
        (old.id, ["test/filters-old:v1"]),
    ]
    # mid's other name alone matches: only it is listed for mid
    assert listed({"reference": {"test/other:*": True}}) == [(new.id, ["test/other:v1"]), (mid.id, ["test/other:mid"])]
    assert listed({"reference": {"test/other:*": False}}) == listed({})
    assert listed({"reference": ["test/filters-old", "test/other:v1"]}) == [
        (new.id, ["test/other:v1"]),
        (old.id, ["test/filters-old:v1"]),
    ]
    # Go's path.Match: `*` stops at `/`
    assert listed({"reference": ["*"]}) == []
    assert [i for i, _ in listed({"reference": ["test/*"]})] == [new.id, mid.id, old.id]
    assert listed({"reference": ["test/filters-[a-n]??:v?"]}) == [(mid.id, ["test/filters-mid:v1"])]
    assert [i for i, _ in listed({"before": ["test/filters-mid:v1"]})] == [old.id]
    assert [i for i, _ in listed({"since": [mid.id[7:19]]})] == [new.id]
    assert [i for i, _ in listed({"since": ["test/filters-old:v1"], "reference": ["test/other:*"]})] == [new.id, mid.id]
    assert listed({"before": ["test/filters-old:v1"]}) == []

    for filters, status, words in [
        ("{", 400, "invalid filters"),
        (json.dumps({"dangling": ["true"]}), 400, "invalid filter key 'dangling'"),
        (json.dumps({"reference": "busybox"}), 400, "want a list of strings"),
        (json.dumps({"reference": ["busy[box"]}), 400, "invalid filter 'reference': syntax error in pattern"),
        (
            json.dumps({"before": ["test/filters-old:v1", "test/other:v1"]}),
            400,
            "can't use before filter more than one",
        ),
        (json.dumps({"since": ["nosuch:v9"]}), 404, "nosuch"),
    ]:
        r = c.get("/v1.24/images/json", params={"filters": filters})
        assert r.status_code == status and words in r.json()["message"], (filters, r.status_code, r.text)


def test_pulls_go_through_the_image_proxy_unless_the_registry_is_on_loopback(
    pouchd_factory: Any, registry: Registry, image: TestImage
) -> None:
    """``--image-proxy``: a registry by a name that resolves nowhere (``.invalid``) is pulled
    through the proxy, its HTTPS endpoint first (a ``CONNECT``, refused here), then plain HTTP; a
    registry on loopback is reached directly; ``POST /daemon/update`` changes the proxy for the
    next pull; a proxy that refuses everything fails the pull with the registry named."""
    port = registry.address.rsplit(":", 1)[1]
    far = f"reg.invalid:{port}"
    with ForwardProxy(registry.address) as proxy, ForwardProxy(registry.address, refuse=True) as refusing:
        d = pouchd_factory(
            "--insecure-registries",
            far,
            "--insecure-registries",
            registry.address,
            "--image-proxy",
            refusing.address,  # no scheme: http://, as pouch reads it
            env={"NO_PROXY": "", "no_proxy": ""},
        )
        c = d.client(timeout=60)
        r = pull(d, f"{far}/test/busybox", "v1")
        message = r.json()["message"]
        assert r.status_code == 500 and far in message and "502 Bad Gateway" in message, r.text
        assert [m for m, _ in refusing.requests] == ["CONNECT", "HEAD"], refusing.requests
        assert (
            refusing.requests[0][1] == far and refusing.requests[1][1] == f"http://{far}/v2/test/busybox/manifests/v1"
        )
        assert c.get("/v1.24/images/json").json() == []

        r = c.post("/v1.24/daemon/update", json={"ImageProxy": f"http://{proxy.address}"})
        assert r.status_code == 200, r.text
        r = pull(d, f"{far}/test/busybox", "v1")
        assert r.status_code == 200 and all("error" not in o for o in objects(r.content)), r.text
        methods = [m for m, _ in proxy.requests]
        assert methods[0] == "CONNECT" and proxy.requests[0][1] == far, proxy.requests
        assert all(t.startswith(f"http://{far}/v2/") for m, t in proxy.requests if m != "CONNECT"), proxy.requests
        assert ("GET", f"http://{far}/v2/test/busybox/blobs/{image.layers[0].digest}") in proxy.requests
        listed = c.get("/v1.24/images/json").json()
        assert [(i["Id"], i["RepoTags"]) for i in listed] == [(image.id, [f"{far}/test/busybox:v1"])]

        seen = len(proxy.requests)
        r = pull(d, f"{registry.address}/test/busybox", "v1")  # on loopback: never proxied
        assert r.status_code == 200 and all("error" not in o for o in objects(r.content)), r.text
        assert len(proxy.requests) == seen and len(refusing.requests) == 2


def test_an_unknown_tag_is_a_404_before_any_stream(daemon: PouchD, registry: Registry, image: TestImage) -> None:
    r = pull(daemon, f"{registry.address}/test/busybox", "nosuch")
    assert r.status_code == 404
    assert r.json() == {"message": f"{registry.address}/test/busybox:nosuch not found: not found"}
    assert daemon.client().get("/v1.24/images/json").json() == []


def test_images_are_kept_across_a_restart(daemon: PouchD, registry: Registry, image: TestImage, tmp_path: Path) -> None:
    assert pull(daemon, f"{registry.address}/test/busybox", "v1").status_code == 200
    before = daemon.client().get("/v1.24/images/json").json()
    daemon.stop()
    daemon.start()
    assert daemon.client().get("/v1.24/images/json").json() == before


def test_events_pull_tag_push_untag_delete(daemon: PouchD, registry: Registry, image: TestImage) -> None:
    ref = f"{registry.address}/test/busybox"
    c = daemon.client(timeout=60)
    assert pull(daemon, ref, "v1").status_code == 200
    assert c.post(f"/v1.24/images/{ref}:v1/tag", params={"repo": f"{ref}-copy", "tag": "c"}).status_code == 201
    r = c.post(f"/v1.24/images/{ref}-copy:c/push")
    assert r.status_code == 200 and all("error" not in o for o in objects(r.content)), r.text
    assert c.delete(f"/v1.24/images/{ref}-copy:c").status_code == 204
    assert c.delete(f"/v1.24/images/{ref}:v1").status_code == 204
    events = [json.loads(line) for line in c.get("/events", params={"until": str(time.time() + 1)}).text.splitlines()]
    seen = [(e["Action"], e["Actor"]["ID"]) for e in events if e["Type"] == "image"]
    assert seen == [
        ("pull", f"{ref}:v1"),
        ("tag", f"{ref}:v1"),
        ("push", f"{ref}-copy:c"),
        ("untag", f"{ref}-copy:c"),
        ("untag", f"{ref}-copy@{image.manifest_digest}"),
        ("untag", f"{ref}:v1"),
        ("untag", f"{ref}@{image.manifest_digest}"),
        ("delete", image.id),
    ], seen
    pulled = next(e for e in events if e["Action"] == "pull")
    assert pulled["Actor"]["Attributes"]["name"] == f"{ref}:v1" and pulled["status"] == "pull"
    # What was pushed is at the registry, under the new name.
    accept = "application/vnd.oci.image.manifest.v1+json"
    manifest = httpx.get(f"{registry.url}/v2/test/busybox-copy/manifests/c", headers={"Accept": accept})
    assert manifest.status_code == 200 and manifest.headers["Docker-Content-Digest"] == image.manifest_digest


def test_save_remove_load_round_trip(daemon: PouchD, registry: Registry, image: TestImage) -> None:
    ref = f"{registry.address}/test/busybox:v1"
    assert pull(daemon, f"{registry.address}/test/busybox", "v1").status_code == 200
    c = daemon.client(timeout=60)
    before = c.get(f"/v1.24/images/{ref}/json").json()
    saved = c.get("/v1.24/images/save", params={"name": ref})
    assert saved.status_code == 200 and saved.headers["Content-Type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(saved.content)) as tar:
        names = set(tar.getnames())
    assert {"oci-layout", "index.json", f"blobs/sha256/{image.id[7:]}"} <= names
    assert c.delete(f"/v1.24/images/{ref}").status_code == 204
    r = c.post("/v1.24/images/load", content=saved.content, headers={"Content-Type": "application/x-tar"})
    assert r.status_code == 200 and r.content == b""
    after = c.get(f"/v1.24/images/{ref}/json").json()
    assert after["Id"] == before["Id"] and after["RepoDigests"] == before["RepoDigests"]
    # Not an archive: a clear 400, and nothing recorded.
    r = c.post("/v1.24/images/load", content=b"not a tar" * 100, headers={"Content-Type": "application/x-tar"})
    assert r.status_code == 400 and r.json()["message"], r.text
    assert [i["Id"] for i in c.get("/v1.24/images/json").json()] == [image.id]
    assert c.get("/v1.24/images/save", params={"name": "nosuch"}).status_code == 404


private_registry = htpasswd_registry_fixture("private-registry", {"puller": "s3cret-pass"})


def _go_auth(config: dict[str, str]) -> str:
    """X-Registry-Auth as pouch's Go client encodes it: base64 with the URL alphabet (and, as
    some clients send it, without padding)."""
    return base64.urlsafe_b64encode(json.dumps(config).encode()).decode().rstrip("=")


def test_raw_requests_as_pouchs_go_client_sends_them(pouchd_factory: Any, private_registry: Registry) -> None:
    """No Content-Type on the POSTs, credentials in X-Registry-Auth (URL-safe base64, lower-case
    keys as Go's decoder also takes), the image name with slashes in the path."""
    img = build_busybox_image(tag_name="private/busybox:v1")
    push(img, private_registry.address, "private/busybox", "v1", auth=("puller", "s3cret-pass"))
    d: PouchD = pouchd_factory("--insecure-registries", private_registry.address)
    ref = f"{private_registry.address}/private/busybox"
    with httpx.Client(transport=httpx.HTTPTransport(uds=str(d.sock)), base_url="http://d", timeout=60) as c:
        r = c.post("/v1.24/images/create", params={"fromImage": ref, "tag": "v1"})
        assert r.status_code == 403 and "authentication required" in r.json()["message"], r.text
        wrong = _go_auth({"username": "puller", "password": "nope"})
        r = c.post("/v1.24/images/create", params={"fromImage": ref, "tag": "v1"}, headers={"X-Registry-Auth": wrong})
        assert r.status_code == 403, r.text
        good = _go_auth({"username": "puller", "password": "s3cret-pass", "serveraddress": private_registry.address})
        r = c.post("/v1.24/images/create", params={"fromImage": ref, "tag": "v1"}, headers={"X-Registry-Auth": good})
        assert r.status_code == 200 and b"errorDetail" not in r.content and "s3cret" not in r.text, r.text
        assert r.headers["Content-Type"] == "application/json"
        r = c.post(f"/v1.24/images/{ref}:v1/tag", params={"repo": "local/copy", "tag": "x"})
        assert r.status_code == 201 and r.content == b""
        assert c.get("/v1.24/images/127.0.0.1:1/local/copy:x/json").json()["Id"] == img.id
        r = c.request("DELETE", f"/v1.24/images/{img.id[7:19]}", params={"force": "1"})
        assert r.status_code == 204 and c.get("/v1.24/images/json").json() == []
        r = c.post("/v1.24/images/create", params={"fromImage": ref, "tag": "v1"}, headers={"X-Registry-Auth": "%%%"})
        assert r.status_code == 400 and r.json() == {
            "message": "invalid X-Registry-Auth: want base64 of AuthConfig's JSON"
        }
