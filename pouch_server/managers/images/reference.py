"""Image references as pouch reads them: ``[domain/]path[:tag][@digest]``.

A port of pouch's ``pkg/reference`` (parse.go, regexp.go, def.go), the name rules of
``daemon/mgr/image.go`` (``LookupImageReferences``, ``PullImage``, ``AddTag``) and
``daemon/mgr/image_utils.go`` (``addDefaultRegistryIfMissing``), at pouch ``bc5839e3``. Pure
functions, stdlib only; errors are ``ValueError`` with pouch's text (the caller turns them into
``APIError``).

pouch's grammar is looser than Docker's: a name is components of ``[A-Za-z0-9]+`` joined by one of
``- . _ : @ +`` (or ``--``, ``__``), components joined by ``/``; upper case is allowed; the tag is
the last ``:\\w[\\w.-]*`` at the end, the digest the first ``@algo:<32+ hex>``. So ``sha256:<hex>``
parses as the name ``sha256`` with a tag, and ``localhost:80/nginx:nginx/alpine`` is one name.

Names as pouch forms them:

- the **record name** (the containerd image record a pull creates, and what lookups match) is the
  reference *as typed*, with ``:latest`` when it has neither tag nor digest, and without the tag
  when it has a digest: ``busybox`` → ``busybox:latest``, ``busybox:1@sha256:…`` →
  ``busybox@sha256:…`` (image.go PullImage: ``TrimTagForDigest(WithDefaultTagIfMissing(..))``;
  ctrd/utils.go's resolver wrapper maps the resolved ref back to this name);
- the **default-registry form** (pull's last candidate, a tag target, lookup's second round): the
  first component is a registry only if it holds ``.`` or ``:`` (``localhost/x`` is *not*, unlike
  Docker); otherwise the default registry is put in front, and ``<namespace>/`` too when no ``/``
  is left: ``busybox`` → ``registry.hub.docker.com/library/busybox``.

Limits (pouch has none; Docker's): a name of at most 255 characters (``repository name must not
be more than 255 characters``), a tag of at most 128, and any text over 1024 characters is refused
before a regular expression reads it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

#: pouch's ErrInvalid text (pkg/reference/parse.go); Docker says ``invalid reference format``.
INVALID = "invalid reference"
#: Docker's NameTotalLengthMax (distribution/reference); pouch has no limit.
MAX_NAME_LENGTH = 255
#: Docker's tag grammar ``[\w][\w.-]{0,127}``; pouch's has no limit.
MAX_TAG_LENGTH = 128
#: Longer text is refused before any regular expression runs over it.
MAX_TEXT_LENGTH = 1024
#: The tag a reference without tag or digest gets (parse.go defaultTag).
DEFAULT_TAG = "latest"
#: pouch's --default-registry-namespace default (main.go).
DEFAULT_NAMESPACE = "library"
#: The algorithm pouch assumes for an ID prefix without one (image_store.go searchIDs).
CANONICAL_ALGORITHM = "sha256"

# regexp.go, with Go's RE2 classes spelled for Python: [[:xdigit:]] → [0-9A-Fa-f], \w ASCII only,
# and \Z for Go's `$` (Python's `$` also matches before a final newline).
_COMPONENT = r"[A-Za-z0-9]+(?:(?:[-._:@+]|--|__)[A-Za-z0-9]+)*"
_REF = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r":\w[\w.-]*\Z", re.ASCII)
_DIGEST = re.compile(r"@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}")
# go-digest's DigestRegexpAnchored (v1.0.0-rc1, vendored by pouch) and the algorithms pouchd links.
_DIGEST_FORMAT = re.compile(r"[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+")
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_FULL_ID = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class Reference:
    """A fully qualified reference: ``domain`` is a registry host (with its port, if any), ``path``
    the repository in it (``library/busybox``); ``tag``, ``digest`` or both may be set."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """``domain/path``: the repository, without tag or digest."""
        return f"{self.domain}/{self.path}"

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


@dataclass(frozen=True)
class ParsedRef:
    """A reference as typed: ``domain`` only when the first of several components holds ``.`` or
    ``:`` (pouch's rule), ``path`` the rest of the name; ``str()`` is pouch's ``String()``."""

    domain: str | None
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The name as typed, without tag or digest."""
        return self.path if self.domain is None else f"{self.domain}/{self.path}"

    @property
    def name_only(self) -> bool:
        """Neither tag nor digest (pouch's IsNamedOnly)."""
        return self.tag is None and self.digest is None

    def with_default_tag(self) -> ParsedRef:
        """``:latest`` added when there is neither tag nor digest (WithDefaultTagIfMissing)."""
        return replace(self, tag=DEFAULT_TAG) if self.name_only else self

    def trim_tag_for_digest(self) -> ParsedRef:
        """The tag dropped when there is a digest (TrimTagForDigest): the registry ignores it."""
        return replace(self, tag=None) if self.digest is not None else self

    @property
    def record_name(self) -> str:
        """The name pouch stores and matches this reference under (see the module's notes)."""
        return str(self.with_default_tag().trim_tag_for_digest())

    def __str__(self) -> str:
        text = self.name
        if self.tag is not None:
            text += f":{self.tag}"
        if self.digest is not None:
            text += f"@{self.digest}"
        return text


def validate_digest(text: str) -> str:
    """``text`` if it is a digest go-digest accepts (``algo:hex``, sha256/384/512, hex of the
    algorithm's length, either case), else ValueError with go-digest's text."""
    i = text.find(":")
    if i < 0 or i + 1 == len(text) or len(text) > MAX_TEXT_LENGTH or not _DIGEST_FORMAT.fullmatch(text):
        raise ValueError("invalid checksum digest format")
    size = _DIGEST_HEX_LENGTH.get(text[:i])
    if size is None:
        raise ValueError("unsupported digest algorithm")
    if len(text) - i - 1 != size:
        raise ValueError("invalid checksum digest length")
    return text


def is_digest(text: str) -> bool:
    """Whether ``text`` is a digest (see validate_digest)."""
    try:
        validate_digest(text)
    except ValueError:
        return False
    return True


def _split_domain(name: str) -> tuple[str | None, str]:
    # addDefaultRegistryIfMissing / LookupImageReferences: a registry only before a `/`, and only
    # when it holds `.` or `:`.
    head, slash, rest = name.partition("/")
    if slash and ("." in head or ":" in head):
        return head, rest
    return None, name


def parse(text: str) -> ParsedRef:
    """pouch's reference.Parse: ValueError(``invalid reference``) when ``text`` does not match the
    grammar, go-digest's text for a bad digest, Docker's for a name over 255 characters."""
    if len(text) > MAX_TEXT_LENGTH or not _REF.fullmatch(text):
        raise ValueError(INVALID)
    # splitReference: the digest is everything after the first `@algo:hex` match (so trailing junk
    # makes the digest invalid, not silently dropped), then the tag at the end of what is left.
    name, tag, digest = text, None, None
    m = _DIGEST.search(name)
    if m is not None:
        name, digest = name[: m.start()], name[m.start() + 1 :]
    m = _TAG.search(name)
    if m is not None:
        name, tag = name[: m.start()], name[m.start() + 1 :]
    if digest is not None:
        validate_digest(digest)
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"repository name must not be more than {MAX_NAME_LENGTH} characters")
    if tag is not None and len(tag) > MAX_TAG_LENGTH:
        raise ValueError(INVALID)
    domain, path = _split_domain(name)
    return ParsedRef(domain, path, tag, digest)


def record_name(text: str) -> str:
    """The containerd record name pouch pulls ``text`` into (``busybox`` → ``busybox:latest``)."""
    return parse(text).record_name


def add_default_registry(text: str, default_registry: str, default_namespace: str = DEFAULT_NAMESPACE) -> str:
    """pouch's addDefaultRegistryIfMissing, a string operation (no validation): the default
    registry in front unless the first component holds ``.`` or ``:``; ``<namespace>/`` too when
    the registry is the default one and no ``/`` is left (even when typed explicitly)."""
    head, slash, rest = text.partition("/")
    if slash and ("." in head or ":" in head):
        registry, remainder = head, rest
    else:
        registry, remainder = default_registry, text
    if registry == default_registry and "/" not in remainder:
        remainder = f"{default_namespace}/{remainder}"
    return f"{registry}/{remainder}"


def _qualified(text: str) -> Reference:
    # A ref whose first component is its registry (always so after add_default_registry, and for
    # mirror candidates: containerd's resolver takes the first component as the host).
    ref = parse(text).with_default_tag().trim_tag_for_digest()
    domain, _, path = ref.name.partition("/")
    return Reference(domain, path, ref.tag, ref.digest)


def normalize(text: str, default_registry: str, default_namespace: str = DEFAULT_NAMESPACE) -> Reference:
    """The default-registry form of ``text``, with ``:latest`` when it has neither tag nor digest
    and without its tag when it has a digest. ValueError as parse."""
    parse(text)  # the text's own error, before the prefix may push it over a limit
    return _qualified(add_default_registry(text, default_registry, default_namespace))


def _mirror_join(mirror: str, text: str) -> str:
    # Go's path.Join(reg, ref): joined by `/` and cleaned. pouch joins the mirror as given, so a
    # mirror written as a URL (`https://m.example`) gives `https:/m.example/...`, which never
    # parses and is skipped; we strip the scheme and trailing `/` first (a deliberate difference).
    for scheme in ("https://", "http://"):
        if mirror.startswith(scheme):
            mirror = mirror[len(scheme) :]
            break
    return posixpath.normpath("/".join(p for p in (mirror.strip("/"), text) if p))


def candidates(
    text: str,
    default_registry: str,
    mirrors: Iterable[str] = (),
    default_namespace: str = DEFAULT_NAMESPACE,
) -> list[Reference]:
    """What a pull of ``text`` tries, in order (image.go LookupImageReferences + ctrd/utils.go
    getResolver): with a registry, only that; without, each mirror + ``/`` + the text *as typed*
    (pouch adds no namespace there), then the default-registry form. Each with ``:latest`` when it
    has neither tag nor digest and without its tag when it has a digest; candidates that do not
    parse are skipped, as pouch does, and repeats dropped. ValueError when ``text`` itself does
    not parse (pouch's PullImage parses it first)."""
    ref = parse(text)
    raw: list[str] = []
    if ref.domain is None:
        raw.extend(_mirror_join(m, text) for m in mirrors)
    raw.append(add_default_registry(text, default_registry, default_namespace))
    out: list[Reference] = []
    for candidate in raw:
        try:
            qualified = _qualified(candidate)
        except ValueError:
            continue
        if qualified not in out:
            out.append(qualified)
    return out


def tag_target(repo: str, tag: str, default_registry: str, default_namespace: str = DEFAULT_NAMESPACE) -> str:
    """The record name ``POST /images/{name}/tag?repo=&tag=`` creates (image_bridge.go
    postImageTag, image.go AddTag): ``repo[:tag]`` in default-registry form, ``:latest`` when
    untagged. ValueError with pouch's text (the caller appends ``: invalid param``, status 400):
    the parse error, or ``target tag reference (<ref>) cannot contains any digest information``."""
    target = f"{repo}:{tag}" if tag else repo
    ref = parse(add_default_registry(target, default_registry, default_namespace)).with_default_tag()
    if ref.digest is not None:
        raise ValueError(f"target tag reference ({ref}) cannot contains any digest information")
    return str(ref)


def join_docker_pull(from_image: str, tag: str) -> str:
    """``POST /images/create``'s ``fromImage`` and ``tag`` as one reference. pouch appends
    ``:tag`` (image_bridge.go pullImage); the Docker CLI and docker-py pass a digest as the tag
    (``tag=sha256:…``), which dockerd reads as ``name@sha256:…``: so do we."""
    if not tag:
        return from_image
    if is_digest(tag):
        return f"{from_image}@{tag}"
    return f"{from_image}:{tag}"


def familiar(ref: str | Reference, default_registry: str, default_namespace: str = DEFAULT_NAMESPACE) -> str:
    """The shortest form of a reference in default-registry form: ``registry.hub.docker.com/
    library/busybox:latest`` → ``busybox:latest``, ``registry.hub.docker.com/foo/bar`` →
    ``foo/bar``; others unchanged. pouch itself always shows record names as stored; this is
    for answers meant for Docker clients."""
    text = str(ref)
    prefix = f"{default_registry}/"
    if not text.startswith(prefix):
        return text
    rest = text[len(prefix) :]
    ns_prefix = f"{default_namespace}/"
    if rest.startswith(ns_prefix) and "/" not in rest[len(ns_prefix) :]:
        rest = rest[len(ns_prefix) :]
    return rest


def is_full_id(text: str) -> bool:
    """Whether ``text`` is a whole image ID as pouch shows it: ``sha256:`` + 64 lower-case hex."""
    return _FULL_ID.fullmatch(text) is not None


def truncate_id(image_id: str) -> str:
    """Docker's stringid.TruncateID, as pouch's CLI shows IDs: the part after ``:``, 12 chars."""
    return image_id.partition(":")[2][:12] if ":" in image_id else image_id[:12]


def id_prefix(text: str) -> str:
    """The prefix pouch matches image IDs against (image_store.go searchIDs): ``text`` when it
    starts with ``sha256`` (so ``sha256`` alone matches every ID), else ``sha256:`` + ``text``."""
    return text if text.startswith(CANONICAL_ALGORITHM) else f"{CANONICAL_ALGORITHM}:{text}"


def is_id_prefix(image_id: str, text: str) -> bool:
    """Whether ``text`` names ``image_id`` by a prefix, with or without ``sha256:`` (the rmi
    handler's isImageIDPrefix, image_bridge.go removeImage)."""
    return image_id.startswith(text) or image_id.partition(":")[2].startswith(text)


def name_pattern(pattern: str) -> re.Pattern[str]:
    """A ``reference`` filter's pattern as Go's ``path.Match`` reads it (pouch's and Docker's
    filter): ``*`` any characters but ``/``, ``?`` one character but ``/``, ``[...]`` a class
    (``[^...]`` its complement, ``a-z`` a range), ``\\`` the next character as it is.

    Raises ValueError for a malformed pattern (Go's ``ErrBadPattern``): an unclosed or empty
    class, a dangling ``\\`` or range."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            if i == n:
                raise ValueError("syntax error in pattern")
            out.append(re.escape(pattern[i]))
            i += 1
        elif c == "[":
            negated = i < n and pattern[i] == "^"
            i += negated
            ranges: list[str] = []
            while True:
                if i >= n:
                    raise ValueError("syntax error in pattern")
                if pattern[i] == "]" and ranges:
                    i += 1
                    break
                lo, i = _class_char(pattern, i)
                hi = lo
                if i < n and pattern[i] == "-":
                    hi, i = _class_char(pattern, i + 1)
                    if hi < lo:
                        raise ValueError("syntax error in pattern")
                ranges.append(re.escape(lo) + ("-" + re.escape(hi) if hi != lo else ""))
            out.append("[" + ("^" if negated else "") + "".join(ranges) + "]")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out), re.DOTALL)


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    """One character of a class in a ``path.Match`` pattern at ``i`` (``\\`` escaping), and where
    the next one starts."""
    if i >= len(pattern) or pattern[i] in "-]":
        raise ValueError("syntax error in pattern")
    if pattern[i] == "\\":
        if i + 1 >= len(pattern):
            raise ValueError("syntax error in pattern")
        return pattern[i + 1], i + 2
    return pattern[i], i + 1
