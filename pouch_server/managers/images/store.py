"""The index of images pouchd keeps in memory, as pouch's daemon/mgr/image_store.go does.

Image ID (the config digest, ``sha256:…``) → its references (containerd record names: tags
``name:tag`` and digests ``name@sha256:…``), and each reference → its ID. The manager fills it
from containerd's image records (at start-up and after each pull, tag, load or removal); nothing
here calls containerd.

pouch's store distinguishes *primary* references (containerd records) from *searchable* ones
(aliases under a primary). Once pouch has listed containerd's records (every start-up) each
reference is its own primary, and the only alias it ever makes, ``name@<manifest digest>`` beside
a tag, is also written to containerd as a record labelled ``io.alibaba.pouch.image.digestref=
managed``. So this store keeps one flat map, one entry per record, with that label as the
``managed`` flag; the manager creates the managed ``name@digest`` record for every tag it stores
(pouch's StoreImageReference does after a pull, and after a tag from the next restart on).

Lookups are pouch's (image.go CheckReference, image_store.go Search): the reference as typed
(without its tag when it has a digest), then with ``:latest`` if it had neither, then an ID prefix
with or without ``sha256:``; when nothing matches, all of it again in default-registry form
(``busybox`` finds ``registry.hub.docker.com/library/busybox:latest``). ID prefixes are found with
a sorted list and bisect: O(log n) per lookup, O(n) memmove per new or removed ID.

Not thread-safe: call it from the event loop only (no method awaits, so each is atomic there).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from pouch_common.registry import DEFAULT_REGISTRY
from pouch_server.errors import APIError
from pouch_server.managers.images import reference
from pouch_server.managers.images.reference import DEFAULT_NAMESPACE, ParsedRef

#: The containerd label pouch puts on the ``name@digest`` record it makes beside a tag (image.go).
LABEL_DIGEST_REF = "io.alibaba.pouch.image.digestref"
#: Its value.
DIGEST_REF_MANAGED = "managed"


@dataclass(frozen=True)
class _Entry:
    image_id: str
    name: str  # the repository part, for pouch's "same locator" check
    is_digest: bool
    managed: bool


def _invalid_param(message: str) -> APIError:
    # pouch wraps errtypes.ErrInvalidParam: "<message>: invalid param", answered 400.
    return APIError(400, f"{message}: invalid param")


def _parse(text: str) -> ParsedRef:
    try:
        return reference.parse(text)
    except ValueError as e:
        # pouch answers a reference it cannot parse with 500 (the bare error); 400 is what it is.
        raise APIError(400, str(e)) from None


class ImageStore:
    """Image IDs and their references; see the module's notes."""

    def __init__(self, default_registry: str = DEFAULT_REGISTRY, default_namespace: str = DEFAULT_NAMESPACE) -> None:
        self.default_registry = default_registry
        self.default_namespace = default_namespace
        self._refs: dict[str, _Entry] = {}
        self._by_id: dict[str, set[str]] = {}
        self._ids: list[str] = []  # sorted, for ID prefix lookups

    # ---- filling it ------------------------------------------------------------------------

    def add(self, image_id: str, ref: str, *, managed: bool = False) -> str:
        """Record ``ref`` (a containerd record name) as a reference of ``image_id`` and return the
        name it is stored under (``name:tag@digest`` is stored as ``name@digest``). A reference
        already stored moves to ``image_id`` (a re-pull of a tag that changed). ``managed``: the
        record carries pouch's digestref label (meaningful for digest references only).

        APIError(400) as pouch's AddReference: a reference that does not parse, one with neither
        tag nor digest, one whose last name component is ``sha256``. ValueError for an ID that is
        not a digest (the caller's bug)."""
        reference.validate_digest(image_id)
        parsed = _parse(ref)
        if parsed.name_only:
            raise _invalid_param("invalid reference: missing a tag or digest")
        if parsed.name.rsplit("/", 1)[-1] == reference.CANONICAL_ALGORITHM:
            # it would read as an image ID in lookups
            raise _invalid_param("refusing to create an reference using digest algorithm as name")
        key = str(parsed.trim_tag_for_digest())
        is_digest = parsed.digest is not None
        old = self._refs.get(key)
        if old is not None and old.image_id != image_id:
            self._unlink(key, old.image_id)
        self._refs[key] = _Entry(image_id, parsed.name, is_digest, managed and is_digest)
        refs = self._by_id.get(image_id)
        if refs is None:
            self._by_id[image_id] = {key}
            bisect.insort(self._ids, image_id)
        else:
            refs.add(key)
        return key

    def remove(self, ref: str) -> str | None:
        """Forget ``ref`` (a tag, or a digest reference with or without a tag) and return the ID
        it named, or None when it is not stored (pouch's RemoveReference ignores those too). An
        ID left without references is forgotten with its last one."""
        try:
            key = str(reference.parse(ref).trim_tag_for_digest())
        except ValueError:
            return None
        entry = self._refs.pop(key, None)
        if entry is None:
            return None
        self._unlink(key, entry.image_id)
        return entry.image_id

    def _unlink(self, key: str, image_id: str) -> None:
        refs = self._by_id[image_id]
        refs.discard(key)
        if not refs:
            del self._by_id[image_id]
            del self._ids[bisect.bisect_left(self._ids, image_id)]

    # ---- reading it ------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many images (IDs) are stored."""
        return len(self._ids)

    def ids(self) -> list[str]:
        """Every image ID, sorted."""
        return list(self._ids)

    def get(self, ref: str) -> str | None:
        """The ID of a stored reference (exactly; a digest reference's tag is ignored), or None."""
        try:
            key = str(reference.parse(ref).trim_tag_for_digest())
        except ValueError:
            return None
        entry = self._refs.get(key)
        return None if entry is None else entry.image_id

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.get(ref) is not None

    def is_managed(self, ref: str) -> bool:
        """Whether the stored reference is a managed ``name@digest`` record."""
        entry = self._refs.get(ref)
        return entry is not None and entry.managed

    def references(self, image_id: str) -> list[str]:
        """Every reference of ``image_id``, sorted; [] for an unknown ID."""
        return sorted(self._by_id.get(image_id, ()))

    def primary_references(self, image_id: str) -> list[str]:
        """The references without the managed ``name@digest`` ones, sorted (image.go
        ListReferences: the rmi handler checks containers when there is exactly one)."""
        return [r for r in self.references(image_id) if not self._refs[r].managed]

    def primary_reference(self, image_id: str) -> str:
        """The record to read an image looked up by ID from: the first unmanaged reference, else
        the first (pouch takes the first of a Go map: any). APIError(404) for an unknown ID."""
        refs = self.references(image_id)
        if not refs:
            raise APIError(404, f"image {image_id}: not found")
        return next((r for r in refs if not self._refs[r].managed), refs[0])

    def repo_tags(self, image_id: str) -> list[str]:
        """ImageInfo's ``RepoTags``: the tag references, sorted (pouch's map order is random)."""
        return [r for r in self.references(image_id) if not self._refs[r].is_digest]

    def repo_digests(self, image_id: str) -> list[str]:
        """ImageInfo's ``RepoDigests``: the digest references, managed ones included, sorted."""
        return [r for r in self.references(image_id) if self._refs[r].is_digest]

    def unique_locator(self, image_id: str) -> bool:
        """Whether every reference of ``image_id`` has the same repository name (image_utils.go
        uniqueLocatorReference): rmi by ID without force refuses otherwise."""
        return len({self._refs[r].name for r in self._by_id.get(image_id, ())}) <= 1

    def validate_tag_target(self, target: str) -> None:
        """APIError(400) when ``target`` (from reference.tag_target) is already stored: pouch never
        moves a tag onto another image (image.go validateTagReference)."""
        if self.get(target) is not None:
            raise _invalid_param(f"the tag reference ({target}) has been used as reference")

    # ---- lookups -----------------------------------------------------------------------------

    def lookup(self, text: str) -> tuple[str, str | None]:
        """The image ``text`` names (image.go CheckReference): ``(image_id, matched reference)``,
        the reference None when matched by ID. Raises APIError: 400 when ``text`` does not parse,
        404 ``image <ref>: not found`` (``<ref>`` in default-registry form when the second round
        ran), 500 ``image <prefix>: too many`` for an ambiguous ID prefix (pouch's status)."""
        parsed = _parse(text)
        found = self.search(parsed)
        if isinstance(found, tuple):
            return found
        if found.status != 404:
            raise found
        qualified = reference.add_default_registry(text, self.default_registry, self.default_namespace)
        if qualified == text:
            raise found
        try:
            parsed = reference.parse(qualified)
        except ValueError:
            # only a limit the prefix pushed the name over: the first round's answer stands
            raise found from None
        again = self.search(parsed)
        if isinstance(again, tuple):
            return again
        raise again

    def search(self, ref: ParsedRef) -> tuple[str, str | None] | APIError:
        """One round of pouch's Search: ``(image_id, matched reference or None for an ID)``, or
        the APIError to answer (returned, not raised: lookup decides whether a second round runs)."""
        entry = self._refs.get(key := str(ref.trim_tag_for_digest()))
        if entry is not None:
            return entry.image_id, key
        if ref.name_only:
            entry = self._refs.get(key := str(ref.with_default_tag()))
            if entry is not None:
                return entry.image_id, key
        text = str(ref)
        prefix = reference.id_prefix(text)
        i = bisect.bisect_left(self._ids, prefix)
        if i == len(self._ids) or not self._ids[i].startswith(prefix):
            return APIError(404, f"image {text}: not found")
        if i + 1 < len(self._ids) and self._ids[i + 1].startswith(prefix):
            return APIError(500, f"image {text}: too many")
        return self._ids[i], None
