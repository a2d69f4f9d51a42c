"""pouchd's image index (pouch_server/managers/images/store.py): adding and removing references,
pouch's lookup order and errors, RepoTags/RepoDigests, ID prefixes over many images. The cases
marked "pouch" are ported from pouch's daemon/mgr/image_store_test.go and image_utils_test.go."""

from __future__ import annotations

import hashlib
import random

import pytest

from pouch_server.errors import APIError
from pouch_server.managers.images.reference import parse
from pouch_server.managers.images.store import ImageStore

HUB = "registry.hub.docker.com"
ID1 = "sha256:dc5f67a48da730d67bf4bfb8824ea8a51be26711de090d6d5a1ffff2723168a1"
ID2 = "sha256:dc5f67a48da730d67bf4bfb8824ea8a51be26711de090d6d5a1ffff2723168a2"
ID3 = "sha256:dc5f67a48da730d67bf4bfb8824ea8a51be26711de090d6d5a1ffff2723168a3"
DIG = ID2  # a manifest digest, as pouch's test uses
D58 = "sha256:58ac43b2cc92c687a32c8be6278e50a063579655fe3090125dcb2af0ff9e1a64"


def api_error(status: int, message: str) -> pytest.RaisesExc[APIError]:
    return pytest.raises(APIError, check=lambda e: (e.status, e.message) == (status, message))


# ---- pouch TestGetAllReferences ---------------------------------------------------------------


def test_get_all_references() -> None:
    store = ImageStore()
    for ref in ("ref:1", "ref:2", "ref:3"):
        assert store.add(ID1, ref) == ref
    assert store.references(ID1) == ["ref:1", "ref:2", "ref:3"]
    assert store.ids() == [ID1]
    assert store.count == 1


# ---- pouch TestSearch ---------------------------------------------------------------------------


@pytest.fixture
def searched() -> ImageStore:
    store = ImageStore()
    for ref in ("busybox:latest", f"busybox:whatever@{DIG}", "localhost:5000/busybox:1.25"):
        store.add(ID1, ref)
    store.add(ID3, "alpine:latest")
    return store


def test_search_stores_digest_refs_without_tag(searched: ImageStore) -> None:
    assert searched.references(ID1) == ["busybox:latest", f"busybox@{DIG}", "localhost:5000/busybox:1.25"]
    assert searched.count == 2


SEARCH_FOUND = [
    (ID1[7:], ID1, None),  # the ID without algorithm
    (ID1, ID1, None),  # the whole ID
    ("busybox", ID1, "busybox:latest"),  # :latest added
    (f"busybox:latest@{DIG}", ID1, f"busybox@{DIG}"),  # the tag beside a digest is ignored
    (f"busybox:1.27989@{DIG}", ID1, f"busybox@{DIG}"),
    (f"busybox@{DIG}", ID1, f"busybox@{DIG}"),
    ("localhost:5000/busybox:1.25", ID1, "localhost:5000/busybox:1.25"),
    ("alpine", ID3, "alpine:latest"),
]


@pytest.mark.parametrize(("text", "image_id", "matched"), SEARCH_FOUND)
def test_search_finds(searched: ImageStore, text: str, image_id: str, matched: str | None) -> None:
    assert searched.search(parse(text)) == (image_id, matched)
    assert searched.lookup(text) == (image_id, matched)


SEARCH_FAILS = [
    (f"busybox@{ID1}", 404, f"image busybox@{ID1}: not found"),  # an ID is not a manifest digest
    ("123x", 404, "image 123x: not found"),
    ("dc5f67a48da7", 500, "image dc5f67a48da7: too many"),  # pouch: the common part → ErrTooMany
    ("sha256:dc5f67a48da7", 500, "image sha256:dc5f67a48da7: too many"),
    ("busybox:1.25", 404, "image busybox:1.25: not found"),
]


@pytest.mark.parametrize(("text", "status", "message"), SEARCH_FAILS)
def test_search_fails(searched: ImageStore, text: str, status: int, message: str) -> None:
    err = searched.search(parse(text))
    assert isinstance(err, APIError)
    assert (err.status, err.message) == (status, message)


def test_get_like_get_primary_reference(searched: ImageStore) -> None:
    assert searched.get("localhost:5000/busybox:1.25") == ID1
    assert searched.get(f"busybox:1.27989@{DIG}") == ID1
    assert searched.get("whatever") is None
    assert searched.get("busybox") is None  # exact only: no :latest
    assert searched.get("Bad Name") is None
    assert "busybox:latest" in searched
    assert "whatever:latest" not in searched


def test_search_remove(searched: ImageStore) -> None:
    assert searched.remove(f"busybox:latest@{DIG}") == ID1
    assert isinstance(searched.search(parse(f"busybox@{DIG}")), APIError)
    assert len(searched.references(ID1)) == 2
    # pouch drops the primary's aliases with it; here every reference is its own record
    assert searched.remove("busybox:latest") == ID1
    assert searched.references(ID1) == ["localhost:5000/busybox:1.25"]
    assert searched.remove("localhost:5000/busybox:1.25") == ID1
    assert searched.references(ID1) == []
    assert searched.ids() == [ID3]
    with api_error(404, f"image {HUB}/library/{ID1[7:]}: not found"):
        searched.lookup(ID1[7:])
    assert searched.lookup("dc5f") == (ID3, None)  # no longer ambiguous


def test_remove_unknown() -> None:
    store = ImageStore()
    assert store.remove("busybox:latest") is None
    assert store.remove("Bad Name") is None
    store.add(ID1, "busybox:latest")
    assert store.remove("busybox:1") is None
    assert store.references(ID1) == ["busybox:latest"]


# ---- pouch TestAdd -------------------------------------------------------------------------------


def test_add() -> None:
    store = ImageStore()
    assert store.add(ID1, "busybox:latest") == "busybox:latest"
    assert store.lookup("busybox:latest") == (ID1, "busybox:latest")
    # the same again
    store.add(ID1, "busybox:latest")
    assert store.references(ID1) == ["busybox:latest"]
    # a reference of another image moves (a re-pull of a changed tag); pouch refuses only to make
    # a primary reference an alias of another one, which this flat store has no notion of
    store.add(ID2, "busybox:latest")
    assert store.lookup("busybox") == (ID2, "busybox:latest")
    assert store.references(ID1) == []
    assert store.ids() == [ID2]


ADD_REFUSED = [
    ("oopsfail1", "invalid reference: missing a tag or digest: invalid param"),
    (
        "localhost:5000/testimagetagfail/sha256:1.25",
        "refusing to create an reference using digest algorithm as name: invalid param",
    ),
    (f"sha256@{DIG}", "refusing to create an reference using digest algorithm as name: invalid param"),
    (ID1, "refusing to create an reference using digest algorithm as name: invalid param"),
    ("Bad Name", "invalid reference"),
    ("busybox@sha256:" + "a" * 40, "invalid checksum digest length"),
]


@pytest.mark.parametrize(("ref", "message"), ADD_REFUSED)
def test_add_refuses(ref: str, message: str) -> None:
    store = ImageStore()
    with api_error(400, message):
        store.add(ID1, ref)
    assert store.count == 0


def test_add_needs_an_id() -> None:
    with pytest.raises(ValueError, match="invalid checksum digest format"):
        ImageStore().add("abc", "busybox:latest")


# ---- pouch TestUniqueLocatorReference ------------------------------------------------------------

LOCATORS = [
    (["docker.io/busybox:1.28", "docker.io/busybox:latest", f"docker.io/busybox@{D58}"], True),
    (["library/busybox:latest", "localhost:5000/busybox:1.25"], False),
    (["busybox:1.28"], True),
    ([], True),
]


@pytest.mark.parametrize(("refs", "want"), LOCATORS)
def test_unique_locator(refs: list[str], want: bool) -> None:
    store = ImageStore()
    for ref in refs:
        store.add(ID1, ref)
    assert store.unique_locator(ID1) is want


# ---- lookup: CheckReference's second round ---------------------------------------------------------


@pytest.fixture
def pulled() -> ImageStore:
    """What the manager stores after `pouch pull busybox`, a pull of the qualified name, a tag."""
    store = ImageStore()
    store.add(ID1, "busybox:latest")
    store.add(ID1, f"busybox@{DIG}", managed=True)
    store.add(ID3, f"{HUB}/library/alpine:3")
    store.add(ID3, f"{HUB}/library/alpine@{D58}", managed=True)
    store.add(ID3, f"{HUB}/library/mybox:v1")
    store.add(ID3, "localhost:5000/x:v1")
    return store


LOOKUP = [
    ("busybox", ID1, "busybox:latest"),  # round one: as typed
    (ID1, ID1, None),  # docker-py looks images up by their whole ID
    (f"busybox@{DIG}", ID1, f"busybox@{DIG}"),
    ("alpine:3", ID3, f"{HUB}/library/alpine:3"),  # round two: default-registry form
    (f"alpine:3@{D58}", ID3, f"{HUB}/library/alpine@{D58}"),
    ("library/alpine:3", ID3, f"{HUB}/library/alpine:3"),
    ("mybox:v1", ID3, f"{HUB}/library/mybox:v1"),
    (f"{HUB}/mybox:v1", ID3, f"{HUB}/library/mybox:v1"),
    ("localhost:5000/x:v1", ID3, "localhost:5000/x:v1"),
    ("dc5f67a48da730d67bf4bfb8824ea8a51be26711de090d6d5a1ffff2723168a3", ID3, None),
]


@pytest.mark.parametrize(("text", "image_id", "matched"), LOOKUP)
def test_lookup(pulled: ImageStore, text: str, image_id: str, matched: str | None) -> None:
    assert pulled.lookup(text) == (image_id, matched)


LOOKUP_FAILS = [
    ("nosuch", 404, f"image {HUB}/library/nosuch: not found"),
    ("nosuch:v1", 404, f"image {HUB}/library/nosuch:v1: not found"),
    ("foo/nosuch", 404, f"image {HUB}/foo/nosuch: not found"),
    ("TestImageInspectNotFound", 404, f"image {HUB}/library/TestImageInspectNotFound: not found"),
    ("localhost:5000/nosuch", 404, "image localhost:5000/nosuch: not found"),  # no second round
    (f"{HUB}/library/nosuch", 404, f"image {HUB}/library/nosuch: not found"),
    ("busybox:1", 404, f"image {HUB}/library/busybox:1: not found"),
    ("alpine", 404, f"image {HUB}/library/alpine: not found"),  # alpine:3 only, no :latest
    ("dc5f", 500, "image dc5f: too many"),  # ambiguous: no second round
    ("sha256:dc5f", 500, "image sha256:dc5f: too many"),
    ("sha256", 500, "image sha256: too many"),  # pouch's quirk: `sha256` prefixes every ID
    ("DC5F", 404, f"image {HUB}/library/DC5F: not found"),  # IDs are matched as stored
    ("Bad Name", 400, "invalid reference"),  # pouch: 500
    ("busybox@sha256:" + "a" * 40, 400, "invalid checksum digest length"),
    ("a" * 256, 400, "repository name must not be more than 255 characters"),
    ("a" * 250, 404, f"image {'a' * 250}: not found"),  # the qualified form is too long: round one stands
]


@pytest.mark.parametrize(("text", "status", "message"), LOOKUP_FAILS, ids=[t[:40] for t, _, _ in LOOKUP_FAILS])
def test_lookup_fails(pulled: ImageStore, text: str, status: int, message: str) -> None:
    with api_error(status, message):
        pulled.lookup(text)


def test_lookup_reference_before_id() -> None:
    store = ImageStore()
    store.add(ID1, "dc5f:latest")
    store.add(ID2, "other:latest")
    assert store.lookup("dc5f") == (ID1, "dc5f:latest")  # though `dc5f` prefixes both IDs
    with api_error(500, "image dc5f67: too many"):
        store.lookup("dc5f67")


def test_lookup_sha256_alone_with_one_image() -> None:
    store = ImageStore()
    store.add(ID1, "busybox:latest")
    assert store.lookup("sha256") == (ID1, None)


def test_lookup_other_default_registry() -> None:
    store = ImageStore("reg.example:5000", "base")
    store.add(ID1, "reg.example:5000/base/busybox:latest")
    assert store.lookup("busybox") == (ID1, "reg.example:5000/base/busybox:latest")
    with api_error(404, "image reg.example:5000/base/nosuch: not found"):
        store.lookup("nosuch")


# ---- RepoTags, RepoDigests, the references rmi and tag need -------------------------------------


def test_repo_tags_and_digests(pulled: ImageStore) -> None:
    assert pulled.repo_tags(ID1) == ["busybox:latest"]
    assert pulled.repo_digests(ID1) == [f"busybox@{DIG}"]
    assert pulled.repo_tags(ID3) == ["localhost:5000/x:v1", f"{HUB}/library/alpine:3", f"{HUB}/library/mybox:v1"]
    assert pulled.repo_digests(ID3) == [f"{HUB}/library/alpine@{D58}"]
    assert pulled.repo_tags(ID2) == [] and pulled.repo_digests(ID2) == []


def test_primary_references(pulled: ImageStore) -> None:
    assert pulled.primary_references(ID1) == ["busybox:latest"]
    assert pulled.is_managed(f"busybox@{DIG}")
    assert not pulled.is_managed("busybox:latest")
    assert not pulled.is_managed("nosuch:latest")
    assert pulled.primary_reference(ID1) == "busybox:latest"
    assert pulled.primary_reference(ID3) == "localhost:5000/x:v1"  # the first, sorted
    assert not pulled.unique_locator(ID3)
    assert pulled.unique_locator(ID1)
    with api_error(404, f"image {ID2}: not found"):
        pulled.primary_reference(ID2)


def test_digest_pulled_by_user_is_primary() -> None:
    store = ImageStore()
    store.add(ID1, f"busybox@{DIG}")  # `pouch pull busybox@sha256:…`: not managed
    store.add(ID1, "busybox:tagged@" + D58, managed=True)
    assert store.primary_references(ID1) == [f"busybox@{DIG}"]
    assert store.primary_reference(ID1) == f"busybox@{DIG}"
    store.add(ID2, f"x@{D58}", managed=True)
    assert store.primary_reference(ID2) == f"x@{D58}"  # only managed ones: the first


def test_managed_applies_to_digests_only() -> None:
    store = ImageStore()
    store.add(ID1, "busybox:latest", managed=True)
    assert not store.is_managed("busybox:latest")
    assert store.primary_references(ID1) == ["busybox:latest"]
    store.add(ID1, f"busybox@{DIG}", managed=True)
    store.add(ID1, f"busybox@{DIG}")  # re-added unmanaged: the flag follows the last add
    assert not store.is_managed(f"busybox@{DIG}")


def test_validate_tag_target(pulled: ImageStore) -> None:
    pulled.validate_tag_target(f"{HUB}/library/busybox:latest")  # differs from the record busybox:latest
    with api_error(400, f"the tag reference ({HUB}/library/mybox:v1) has been used as reference: invalid param"):
        pulled.validate_tag_target(f"{HUB}/library/mybox:v1")


# ---- many images: the sorted ID list against a plain scan ---------------------------------------


def _brute(ids: set[str], text: str) -> str:
    prefix = text if text.startswith("sha256") else "sha256:" + text
    found = [i for i in ids if i.startswith(prefix)]
    return "none" if not found else found[0] if len(found) == 1 else "many"


def test_many_ids_against_a_scan() -> None:
    rng = random.Random(1234)
    store = ImageStore()
    live: dict[str, set[str]] = {}
    all_ids = ["sha256:" + hashlib.sha256(str(i).encode()).hexdigest() for i in range(2000)]
    for n, image_id in enumerate(all_ids):
        store.add(image_id, f"img{n}:v1")
        live[image_id] = {f"img{n}:v1"}
    for _ in range(1000):  # remove some, move some
        n = rng.randrange(len(all_ids))
        if rng.random() < 0.5:
            if store.remove(f"img{n}:v1") is not None:
                for refs in live.values():
                    refs.discard(f"img{n}:v1")
        else:
            target = rng.choice(all_ids)
            store.add(target, f"img{n}:v1")
            for refs in live.values():
                refs.discard(f"img{n}:v1")
            live.setdefault(target, set()).add(f"img{n}:v1")
    ids = {i for i, refs in live.items() if refs}
    assert store.ids() == sorted(ids)
    assert store.count == len(ids)
    for image_id in ids:
        assert store.references(image_id) == sorted(live[image_id])
    for text in (
        [format(i, "x") for i in range(16)]
        + [format(i, "02x") for i in range(256)]
        + [i[7:12] for i in all_ids[:150]]
        + [i[:12] for i in all_ids[:150]]
    ):
        want = _brute(ids, text)
        err_or_hit = store.search(parse(text))
        if want == "none":
            assert isinstance(err_or_hit, APIError) and err_or_hit.status == 404
        elif want == "many":
            assert isinstance(err_or_hit, APIError) and err_or_hit.status == 500
        else:
            assert err_or_hit == (want, None)
