"""The test images (pouch_testing/images.py) and the test registries (pouch_testing/registry.py):
the images are what they claim (a busybox rootfs, digests and sizes that match, the same bytes for
the same input), a real docker-registry takes them and gives them back, one with htpasswd refuses
anonymous pushes, the faulty registry serves exactly the faults asked for, and a real containerd
imports the archives and runs the image (``ctr``, only here: it proves the rootfs is real)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pouch_testing.containerd import Containerd, mounts_under
from pouch_testing.images import (
    BUSYBOX,
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER,
    OCI_MANIFEST,
    PushError,
    TestImage,
    TestIndex,
    build_busybox_image,
    build_index,
    build_multiplatform_image,
    busybox_missing,
    docker_archive_tar,
    host_platform,
    oci_layout_tar,
    push,
)
from pouch_testing.registry import Fault, FaultyRegistry, Registry, TokenServer, missing_tools

pytestmark = pytest.mark.skipif(busybox_missing() is not None, reason=str(busybox_missing()))

USER, PASSWORD = "pusher", "s3cret-pw"
ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST])
CREATED_BY = re.compile(r"^/bin/sh -c #\(nop\) (ADD|COPY) file:[0-9a-f]{64} in /\S* $")


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_members(data: bytes) -> dict[str, tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        out: dict[str, tuple[tarfile.TarInfo, bytes | None]] = {}
        for m in tf.getmembers():
            f = tf.extractfile(m) if m.isfile() else None
            out[m.name] = (m, f.read() if f else None)
        return out


@pytest.fixture(scope="module")
def image() -> TestImage:
    return build_busybox_image()


# ---- the image itself ----------------------------------------------------------------------------


def test_the_layer_is_a_busybox_rootfs(image: TestImage) -> None:
    (layer,) = image.layers
    assert gzip.decompress(layer.blob) == layer.tar
    assert layer.blob[4:8] == b"\0\0\0\0"  # gzip without a timestamp
    assert layer.tar[257:265] == b"ustar\x0000"  # POSIX (PAX) headers, not GNU's
    members = tar_members(layer.tar)
    info, data = members["bin/busybox"]
    assert data == BUSYBOX.read_bytes() and info.mode == 0o755
    for applet in ("bin/sh", "bin/echo", "bin/cat", "bin/sleep", "bin/true", "usr/bin/env", "sbin/ifconfig"):
        assert members[applet][0].issym() and members[applet][0].linkname == "/bin/busybox", applet
    assert "linuxrc" not in members
    assert members["tmp"][0].isdir() and members["tmp"][0].mode == 0o1777
    assert {"proc", "sys", "dev", "etc", "root", "usr/sbin"} <= {n for n, (m, _) in members.items() if m.isdir()}
    assert members["etc/passwd"][1] is not None and members["etc/passwd"][1].startswith(
        b"root:x:0:0:root:/root:/bin/sh\n"
    )
    assert members["etc/group"][1] is not None and b"root:x:0:" in members["etc/group"][1]
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 for m, _ in members.values())


def test_config_and_manifest_describe_the_layers(image: TestImage) -> None:
    config = json.loads(image.config)
    arch, _ = host_platform()
    assert (config["os"], config["architecture"], config["created"]) == ("linux", arch, "2024-01-01T00:00:00Z")
    assert config["config"]["Cmd"] == ["sh"] and config["config"]["Env"][0].startswith("PATH=")
    assert config["rootfs"] == {"type": "layers", "diff_ids": [digest(image.layers[0].tar)]}
    assert len(config["history"]) == len(image.layers)
    assert all(CREATED_BY.match(h["created_by"]) for h in config["history"])
    manifest = json.loads(image.manifest)
    assert manifest == {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": image.id, "size": len(image.config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": digest(image.layers[0].blob), "size": len(image.layers[0].blob)}],
    }
    assert image.id == image.config_digest == digest(image.config)
    assert image.manifest_digest == digest(image.manifest)
    assert image.blobs == {image.id: image.config, image.layers[0].digest: image.layers[0].blob}
    assert image.content_size == len(image.manifest) + len(image.config) + len(image.layers[0].blob)


def test_docker_media_labels_extra_layers_and_cmd_history() -> None:
    img = build_busybox_image(
        media="docker",
        labels={"maintainer": "pouch"},
        extra_files={"hello.txt": b"hi\n", "/srv/data/a": b"a"},
        extra_layer_bytes=100_000,
        seed=7,
        cmd_history=True,
    )
    manifest = json.loads(img.manifest)
    assert manifest["mediaType"] == DOCKER_MANIFEST and manifest["config"]["mediaType"] == DOCKER_CONFIG
    assert [layer["mediaType"] for layer in manifest["layers"]] == [DOCKER_LAYER] * 3
    config = img.config_json
    assert config["config"]["Labels"] == {"maintainer": "pouch"}
    assert config["rootfs"]["diff_ids"] == img.diff_ids
    # One history line per layer, then the CMD line a build adds, with no layer.
    assert [h.get("empty_layer", False) for h in config["history"]] == [False, False, False, True]
    assert config["history"][-1]["created_by"] == '/bin/sh -c #(nop)  CMD ["sh"]'
    files = tar_members(img.layers[1].tar)
    assert files["hello.txt"][1] == b"hi\n" and files["srv/data/a"][1] == b"a" and files["srv/data"][0].isdir()
    (random_file,) = [data for _, data in tar_members(img.layers[2].tar).values() if data is not None]
    assert len(random_file) == 100_000
    assert len(img.layers[2].blob) >= 100_000  # random bytes do not compress


def test_the_same_input_gives_the_same_digests(image: TestImage) -> None:
    again = build_busybox_image()
    assert (again.manifest, again.config, again.layers[0].blob) == (image.manifest, image.config, image.layers[0].blob)
    a = build_busybox_image(extra_layer_bytes=50_000, seed=1)
    b = build_busybox_image(extra_layer_bytes=50_000, seed=1)
    c = build_busybox_image(extra_layer_bytes=50_000)
    d = build_busybox_image(extra_layer_bytes=50_000)
    assert a.manifest_digest == b.manifest_digest and a.id == b.id
    assert len({a.id, c.id, d.id}) == 3  # without a seed, new bytes each time
    labelled = build_busybox_image(labels={"x": "1"})
    assert labelled.id != image.id and labelled.layers[0].digest == image.layers[0].digest
    assert build_busybox_image(tag_name="other:v1").id == image.id  # the name is no part of the image
    assert oci_layout_tar(image) == oci_layout_tar(again)
    assert docker_archive_tar(image) == docker_archive_tar(again)


def test_a_multiplatform_index_lists_both_platforms() -> None:
    index = build_multiplatform_image(media="docker")
    host, other = index.images
    body = json.loads(index.index)
    assert body["mediaType"] == DOCKER_MANIFEST_LIST and index.digest == digest(index.index)
    assert [m["platform"] for m in body["manifests"]] == [host.platform, other.platform]
    assert [m["digest"] for m in body["manifests"]] == [host.manifest_digest, other.manifest_digest]
    assert host.architecture == host_platform()[0] and other.architecture != host.architecture
    assert other.config_json["architecture"] == other.architecture
    assert index.for_platform(other.architecture) is other
    assert set(index.blobs) == set(host.blobs) | set(other.blobs)
    with pytest.raises(KeyError):
        index.for_platform("mips64")
    with pytest.raises(ValueError):
        build_index([])


# ---- the archives --------------------------------------------------------------------------------


def test_an_oci_layout_holds_every_blob_under_its_digest(image: TestImage) -> None:
    members = tar_members(oci_layout_tar(image, ["v1", "docker.io/library/busybox:latest"]))
    assert json.loads(members["oci-layout"][1] or b"") == {"imageLayoutVersion": "1.0.0"}
    index = json.loads(members["index.json"][1] or b"")
    assert [m["annotations"] for m in index["manifests"]] == [
        {"org.opencontainers.image.ref.name": "v1"},
        {"io.containerd.image.name": "docker.io/library/busybox:latest", "org.opencontainers.image.ref.name": "latest"},
    ]
    assert all(m["digest"] == image.manifest_digest and m["size"] == len(image.manifest) for m in index["manifests"])
    blobs = {n: data for n, (_, data) in members.items() if n.startswith("blobs/sha256/")}
    assert {f"blobs/sha256/{d[7:]}" for d in [image.manifest_digest, *image.blobs]} == set(blobs)
    assert all(digest(data or b"") == "sha256:" + n.rsplit("/", 1)[1] for n, data in blobs.items())

    multi = build_multiplatform_image()
    members = tar_members(oci_layout_tar(multi, []))  # no name: listed once, unnamed
    (entry,) = json.loads(members["index.json"][1] or b"")["manifests"]
    assert entry == {"mediaType": OCI_INDEX, "digest": multi.digest, "size": multi.size}
    expected = {multi.digest, *multi.manifests, *multi.blobs}
    assert {"sha256:" + n.rsplit("/", 1)[1] for n in members if n.startswith("blobs/sha256/")} == expected


def test_a_docker_archive_is_docker_saves_layout(image: TestImage, tmp_path: Path) -> None:
    other = build_busybox_image(extra_files={"x": b"x"})
    path = docker_archive_tar(
        image, ["busybox:latest", "127.0.0.1:5000/bb:v1"], more=[(other, ["x:1"])], dest=tmp_path / "a.tar"
    )
    assert path == tmp_path / "a.tar"
    members = tar_members(path.read_bytes())
    manifest = json.loads(members["manifest.json"][1] or b"")
    assert [m["RepoTags"] for m in manifest] == [["busybox:latest", "127.0.0.1:5000/bb:v1"], ["x:1"]]
    for entry, img in zip(manifest, [image, other], strict=True):
        assert members[entry["Config"]][1] == img.config and entry["Config"] == img.id[7:] + ".json"
        # Uncompressed layers: each the diff_id's bytes.
        assert [digest(members[name][1] or b"") for name in entry["Layers"]] == img.diff_ids
    assert manifest[1]["Layers"][0] == manifest[0]["Layers"][0]  # the shared busybox layer, once
    assert sum(1 for n in members if n.endswith("/layer.tar")) == 2
    top = manifest[0]["Layers"][-1].split("/")[0]
    assert json.loads(members["repositories"][1] or b"") == {
        "busybox": {"latest": top},
        "127.0.0.1:5000/bb": {"v1": top},
        "x": {"1": manifest[1]["Layers"][-1].split("/")[0]},
    }


# ---- a real registry -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    reason = missing_tools(htpasswd=False)
    if reason:
        pytest.skip(reason)
    with Registry(tmp_path_factory.mktemp("registry")) as r:
        yield r


def pull_back(address: str, repo: str, ref: str, auth: tuple[str, str] | None = None) -> httpx.Response:
    return httpx.get(f"http://{address}/v2/{repo}/manifests/{ref}", headers={"Accept": ACCEPT}, auth=auth, timeout=30)


def check_blobs(address: str, repo: str, img: TestImage, auth: tuple[str, str] | None = None) -> None:
    for d, data in img.blobs.items():
        r = httpx.get(f"http://{address}/v2/{repo}/blobs/{d}", auth=auth, timeout=30, follow_redirects=True)
        assert r.status_code == 200 and digest(r.content) == d and len(r.content) == len(data)


@pytest.mark.parametrize("media", ["oci", "docker"])
def test_push_then_pull_back_every_byte(registry: Registry, media: str) -> None:
    img = build_busybox_image(media=media, extra_layer_bytes=200_000, seed=3)  # type: ignore[arg-type]
    assert push(img, registry.address, f"test/{media}", "v1") == img.manifest_digest
    r = pull_back(registry.address, f"test/{media}", "v1")
    assert r.status_code == 200 and r.content == img.manifest
    assert r.headers["Content-Type"] == img.manifest_media_type
    assert r.headers["Docker-Content-Digest"] == img.manifest_digest
    manifest = r.json()
    assert [(layer["digest"], layer["size"]) for layer in manifest["layers"]] == [
        (lay.digest, lay.size) for lay in img.layers
    ]
    check_blobs(registry.address, f"test/{media}", img)
    # By digest too; a second push (every blob there already) changes nothing.
    assert pull_back(registry.address, f"test/{media}", img.manifest_digest).content == img.manifest
    assert push(img, registry.address, f"test/{media}", "v1") == img.manifest_digest
    # Deletes are enabled.
    deleted = httpx.delete(f"{registry.url}/v2/test/{media}/manifests/{img.manifest_digest}", timeout=30)
    assert deleted.status_code == 202
    assert pull_back(registry.address, f"test/{media}", "v1").status_code == 404


def test_push_an_index_with_its_images(registry: Registry) -> None:
    index = build_multiplatform_image()
    assert push(index, registry.address, "test/multi", "latest") == index.digest
    r = pull_back(registry.address, "test/multi", "latest")
    assert (r.content, r.headers["Content-Type"], r.headers["Docker-Content-Digest"]) == (
        index.index,
        OCI_INDEX,
        index.digest,
    )
    for img in index.images:
        assert pull_back(registry.address, "test/multi", img.manifest_digest).content == img.manifest
        check_blobs(registry.address, "test/multi", img)
    catalog = httpx.get(f"{registry.url}/v2/_catalog", timeout=30).json()
    assert "test/multi" in catalog["repositories"]


def test_an_htpasswd_registry_refuses_anonymous_pushes(image: TestImage, tmp_path: Path) -> None:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    with Registry(tmp_path, htpasswd={USER: PASSWORD}) as r:
        assert (tmp_path / "htpasswd").read_text().startswith(f"{USER}:$2y$")  # bcrypt, the only kind it reads
        with pytest.raises(PushError, match=r"401 .*UNAUTHORIZED"):
            push(image, r.address, "test/busybox", "v1")
        with pytest.raises(PushError, match="401"):
            push(image, r.address, "test/busybox", "v1", auth=(USER, PASSWORD + "-wrong"))
        assert pull_back(r.address, "test/busybox", "v1").status_code == 401
        assert push(image, r.address, "test/busybox", "v1", auth=(USER, PASSWORD)) == image.manifest_digest
        got = pull_back(r.address, "test/busybox", "v1", auth=(USER, PASSWORD))
        assert got.status_code == 200 and got.content == image.manifest
        check_blobs(r.address, "test/busybox", image, auth=(USER, PASSWORD))


def test_push_through_a_token_server(image: TestImage, tmp_path: Path) -> None:
    reason = missing_tools(htpasswd=False)
    if reason:
        pytest.skip(reason)
    tokens = TokenServer({USER: PASSWORD}, grant_scopes=True)
    try:
        with Registry(tmp_path, token=tokens) as r:
            with pytest.raises(PushError, match="401"):
                push(image, r.address, "test/busybox", "v1")  # no credentials: the token server says no
            assert push(image, r.address, "test/busybox", "v1", auth=(USER, PASSWORD)) == image.manifest_digest
            scopes = {q.params.get("scope") for q in tokens.requests if q.basic_user == USER}
            # the registry's challenge names both actions, in an order of a Go map's (either)
            assert scopes & {"repository:test/busybox:pull,push", "repository:test/busybox:push,pull"}, scopes
    finally:
        tokens.stop()


# ---- the faulty registry -------------------------------------------------------------------------


def test_the_faulty_registry_serves_the_truth_unless_told_otherwise(image: TestImage) -> None:
    layer = image.layers[0]
    with FaultyRegistry(image, "test/busybox", "v1") as fr:
        assert fr.reference == f"127.0.0.1:{fr.port}/test/busybox:v1"
        assert httpx.get(f"{fr.url}/v2/", timeout=10).status_code == 200
        r = httpx.get(fr.url + fr.manifest_path(), timeout=10)
        assert (r.content, r.headers["Content-Type"], r.headers["Docker-Content-Digest"]) == (
            image.manifest,
            OCI_MANIFEST,
            image.manifest_digest,
        )
        assert httpx.get(fr.url + fr.manifest_path(image.manifest_digest), timeout=10).content == image.manifest
        assert digest(httpx.get(fr.url + fr.blob_path(layer.digest), timeout=10).content) == layer.digest
        head = httpx.head(fr.url + fr.blob_path(layer.digest), timeout=10)
        assert head.status_code == 200 and int(head.headers["Content-Length"]) == layer.size
        assert (
            httpx.get(fr.url + fr.manifest_path("nosuch"), timeout=10).json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"
        )
        assert httpx.get(fr.url + fr.blob_path("sha256:" + "0" * 64), timeout=10).status_code == 404
        assert httpx.put(fr.url + fr.manifest_path(), content=b"{}", timeout=10).status_code == 405
        assert ("GET", fr.blob_path(layer.digest)) in fr.requests


def test_the_faulty_registry_serves_its_faults(image: TestImage) -> None:
    layer = image.layers[0]
    faults = {
        layer.digest: Fault.corrupt(),  # by the last segment of the path
        f"/v2/test/busybox/blobs/{image.config_digest}": Fault.error(500, times=1),  # by its path
    }
    with FaultyRegistry(image, "test/busybox", "v1", faults=faults) as fr:
        # Same length, wrong bytes.
        bad = httpx.get(fr.url + fr.blob_path(layer.digest), timeout=10)
        assert bad.status_code == 200 and len(bad.content) == layer.size and digest(bad.content) != layer.digest
        # A 500 once, then the truth.
        first = httpx.get(fr.url + fr.blob_path(image.config_digest), timeout=10)
        assert first.status_code == 500 and first.json()["errors"][0]["code"] == "UNKNOWN"
        assert httpx.get(fr.url + fr.blob_path(image.config_digest), timeout=10).content == image.config
        # Half the body, then the connection closed.
        fr.faults[fr.manifest_path()] = Fault.truncate()
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(fr.url + fr.manifest_path(), timeout=10)
        fr.faults[fr.manifest_path()] = Fault.truncate(after=10)
        with httpx.stream("GET", fr.url + fr.manifest_path(), timeout=10) as r:
            received = b""
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in r.iter_raw():
                    received += chunk
        assert received == image.manifest[:10]


def test_a_stalled_blob_hangs_until_the_registry_stops(image: TestImage) -> None:
    layer = image.layers[0]
    before = threading.active_count()
    fr = FaultyRegistry(image, faults={layer.digest: Fault.stall()})
    try:
        received = b""
        with httpx.stream("GET", fr.url + fr.blob_path(layer.digest), timeout=httpx.Timeout(10, read=1.0)) as r:
            assert int(r.headers["Content-Length"]) == layer.size
            with pytest.raises(httpx.ReadTimeout):
                for chunk in r.iter_raw():
                    received += chunk
        assert received == layer.blob[: layer.size // 2]
        # A second client stalls too; stop() ends it at once.
        client = httpx.Client(timeout=30)
        errors: list[BaseException] = []

        def fetch() -> None:
            try:
                client.get(fr.url + fr.blob_path(layer.digest))
            except httpx.HTTPError as e:
                errors.append(e)

        t = threading.Thread(target=fetch)
        t.start()
        deadline = time.monotonic() + 10
        while fr.requests.count(("GET", fr.blob_path(layer.digest))) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        started = time.monotonic()
        fr.stop()
    t.join(10)
    client.close()
    assert time.monotonic() - started < 5
    assert not t.is_alive() and len(errors) == 1 and isinstance(errors[0], httpx.RemoteProtocolError)
    assert threading.active_count() == before


def test_the_faulty_registry_serves_an_index() -> None:
    index = build_multiplatform_image(media="docker")
    with FaultyRegistry(index, "lib/multi") as fr:
        top = httpx.get(fr.url + fr.manifest_path(), timeout=10)
        assert top.headers["Content-Type"] == DOCKER_MANIFEST_LIST and top.content == index.index
        for img in index.images:
            assert httpx.get(fr.url + fr.manifest_path(img.manifest_digest), timeout=10).content == img.manifest
            for d in img.blobs:
                assert digest(httpx.get(fr.url + fr.blob_path(d), timeout=10).content) == d


# ---- a real containerd runs the image ------------------------------------------------------------


@pytest.fixture(scope="module")
def ctrd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Containerd]:
    reason = Containerd.available() or (
        None if shutil.which("ctr") else "ctr is not installed (Debian package containerd)"
    )
    if reason:
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("ctrd")
    with Containerd(workdir).start() as c:
        yield c
    assert mounts_under(workdir) == []


def ctr(c: Containerd, *args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(["ctr", "-a", str(c.address), "-n", "test", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"ctr {' '.join(args)}: {r.stderr}"
    return r


@pytest.mark.parametrize("kind", ["oci", "docker", "index"])
def test_containerd_imports_and_runs_the_image(ctrd: Containerd, tmp_path: Path, kind: str) -> None:
    name = f"docker.io/library/bb-{kind}:latest"
    archive = tmp_path / "image.tar"
    image: TestImage | TestIndex
    if kind == "oci":
        image = build_busybox_image(extra_files={"hello.txt": b"hello from layer 2\n"})
        oci_layout_tar(image, [name], dest=archive)
    elif kind == "docker":
        image = build_busybox_image(media="docker", extra_files={"hello.txt": b"hello from layer 2\n"})
        docker_archive_tar(image, [f"bb-{kind}:latest"], dest=archive)
    else:
        image = build_multiplatform_image(extra_files={"hello.txt": b"hello from layer 2\n"})
        oci_layout_tar(image, [name], dest=archive)
    ctr(ctrd, "images", "import", str(archive))
    listed = ctr(ctrd, "images", "ls").stdout
    assert name in listed
    if kind == "oci":  # containerd keeps the OCI manifest as it is (a docker archive gets a new one)
        assert isinstance(image, TestImage) and image.manifest_digest in listed
    script = "echo hi; cat /hello.txt; sleep 0.1 && true && echo ok; id -un; test -d /tmp -a -k /tmp && echo sticky"
    out = ctr(ctrd, "run", "--rm", name, f"h3-{kind}", "sh", "-c", script).stdout
    assert out.split("\n") == ["hi", "hello from layer 2", "ok", "root", "sticky", ""]
    assert ctr(ctrd, "run", "--rm", name, f"h3-{kind}-2", "echo", "hi").stdout == "hi\n"
    assert ctr(ctrd, "containers", "ls", "-q").stdout.strip() == ""
    ctr(ctrd, "images", "rm", "--sync", name)
