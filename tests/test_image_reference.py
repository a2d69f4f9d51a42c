"""pouch's image references (pouch_server/managers/images/reference.py): parse, the record name, the
default-registry form, pull candidates, tag targets, Docker clients' habits, ID helpers. The cases
marked "pouch" are ported from pouch's pkg/reference/parse_test.go and daemon/mgr/image_utils_test.go."""

from __future__ import annotations

import re

import pytest

from pouch_server.managers.images import reference as r
from pouch_server.managers.images.reference import ParsedRef, Reference

HUB = "registry.hub.docker.com"
D = "sha256:1669a6aa7350e1cdd28f972ddad5aceba2912f589f19a090ac75b7083da748db"
D2 = "sha256:58ac43b2cc92c687a32c8be6278e50a063579655fe3090125dcb2af0ff9e1a64"

# ---- parse ------------------------------------------------------------------------------------

PARSE_OK = [
    # pouch TestParse
    ("docker.io/library/nginx:alpine", ParsedRef("docker.io", "library/nginx", "alpine")),
    ("localhost:80/nginx:alpine", ParsedRef("localhost:80", "nginx", "alpine")),
    ("localhost:80/nginx:nginx/alpine", ParsedRef("localhost:80", "nginx:nginx/alpine")),  # `:` in path
    ("xn--bcher-kva.tld/redis:3", ParsedRef("xn--bcher-kva.tld", "redis", "3")),  # punycode
    (f"busybox@{D}", ParsedRef(None, "busybox", None, D)),
    (f"busybox:1.25@{D}", ParsedRef(None, "busybox", "1.25", D)),
    (D, ParsedRef(None, "sha256", D[7:])),  # an ID reads as name sha256 + tag
    ("new__separator", ParsedRef(None, "new__separator")),
    ("new__separator:build__testing", ParsedRef(None, "new__separator", "build__testing")),
    # more
    ("busybox", ParsedRef(None, "busybox")),
    ("TestImageInspectNotFound", ParsedRef(None, "TestImageInspectNotFound")),  # upper case is fine
    ("localhost/x", ParsedRef(None, "localhost/x")),  # no `.` or `:`: not a registry (Docker differs)
    ("foo/bar/baz:v1", ParsedRef(None, "foo/bar/baz", "v1")),
    ("127.0.0.1:5000/test/busybox:v1", ParsedRef("127.0.0.1:5000", "test/busybox", "v1")),
    ("a@b/c", ParsedRef(None, "a@b/c")),  # `@` is a separator in pouch's grammar
    ("a@b@" + D, ParsedRef(None, "a@b", None, D)),
    ("busybox@foo:abc", ParsedRef(None, "busybox@foo", "abc")),  # not a digest: a tag
    (f"busybox@{D.upper().replace('SHA256', 'sha256')}", ParsedRef(None, "busybox", None, D[:7] + D[7:].upper())),
    ("busybox@sha512:" + "a" * 128, ParsedRef(None, "busybox", None, "sha512:" + "a" * 128)),
    ("a" * 255, ParsedRef(None, "a" * 255)),
    ("a:" + "t" * 128, ParsedRef(None, "a", "t" * 128)),
    ("x.io:5000:tag", ParsedRef(None, "x.io:5000", "tag")),  # no `/`: no registry
]


@pytest.mark.parametrize(("text", "want"), PARSE_OK, ids=[t[:40] for t, _ in PARSE_OK])
def test_parse(text: str, want: ParsedRef) -> None:
    got = r.parse(text)
    assert got == want
    assert str(got) == text  # pouch's String() gives back what was typed


PARSE_BAD = [
    # pouch TestParse
    ("http://docker.io/library/nginx:alpine", "invalid reference"),  # scheme
    ("docker.io/library/nginx?tag=alpine", "invalid reference"),  # query
    ("docker.io/library/nginx#tag=alpine", "invalid reference"),  # fragment
    ("busybox@sha256:1669a6aa7350e1cdd28f972ddad5aceba2912f589f19a090ac", "invalid checksum digest length"),
    ("  ", "invalid reference"),
    ("new__separator___invalid", "invalid reference"),
    # more
    ("", "invalid reference"),
    ("busybox:", "invalid reference"),
    ("busybox\n", "invalid reference"),  # Go's `$` is the end of the text
    ("/busybox", "invalid reference"),
    ("busybox/", "invalid reference"),
    ("büsybox", "invalid reference"),
    ("Bad Name", "invalid reference"),
    (f"busybox@{D}xyz", "invalid checksum digest format"),  # junk after a digest is not dropped
    ("busybox@md5:" + "a" * 32, "unsupported digest algorithm"),
    ("a" * 256, "repository name must not be more than 255 characters"),
    ("a:" + "t" * 129, "invalid reference"),
    ("a" * 1025, "invalid reference"),
    ("a-" * 600 + "a", "invalid reference"),  # over 1024: refused before any regex
]


@pytest.mark.parametrize(("text", "message"), PARSE_BAD, ids=[t[:40] for t, _ in PARSE_BAD])
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        r.parse(text)


def test_parse_long_separated_name_is_quick() -> None:
    # nested quantifiers, separators everywhere: no backtracking blow-up within the limit
    with pytest.raises(ValueError, match="255 characters"):
        r.parse("a-" * 400 + "a")
    with pytest.raises(ValueError, match="invalid reference"):
        r.parse("a-" * 400 + "-")


# ---- record names (pouch TestDefaultTagIfMissing, PullImage) ----------------------------------

RECORD = [
    ("pouch", "pouch:latest"),
    ("pouch:1.0", "pouch:1.0"),
    (f"pouch@{D}", f"pouch@{D}"),
    (f"pouch:0.4@{D}", f"pouch@{D}"),  # the digest wins
    ("busybox", "busybox:latest"),  # as typed: no registry added
    ("localhost:5000/x", "localhost:5000/x:latest"),
    ("docker.io/library/busybox", "docker.io/library/busybox:latest"),
]


@pytest.mark.parametrize(("text", "want"), RECORD)
def test_record_name(text: str, want: str) -> None:
    assert r.record_name(text) == want
    assert r.parse(text).record_name == want


def test_parsed_ref_helpers() -> None:
    ref = r.parse("busybox")
    assert ref.name_only and ref.name == "busybox"
    assert str(ref.with_default_tag()) == "busybox:latest"
    assert not r.parse("busybox:1").name_only
    assert not r.parse(f"busybox@{D}").name_only
    assert r.parse(f"busybox:1@{D}").trim_tag_for_digest() == ParsedRef(None, "busybox", None, D)
    assert r.parse("busybox:1").trim_tag_for_digest() == ParsedRef(None, "busybox", "1")
    assert r.parse("a.io/x/y").name == "a.io/x/y"


# ---- the default-registry form (pouch TestAddDefaultRegistry) ----------------------------------

ADD_DEFAULT = [
    ("docker.io/library/busybox", "docker.io/library/busybox"),
    ("library/busybox", "pouch.io/library/busybox"),
    ("127.0.0.1:5000/bar", "127.0.0.1:5000/bar"),
    ("0.0.0.0/bar", "0.0.0.0/bar"),
    ("registry.com/bar", "registry.com/bar"),
    ("bar", "pouch.io/library/bar"),
    (f"busybox@{D2}", f"pouch.io/library/busybox@{D2}"),
    ("foo/bar", "pouch.io/foo/bar"),
    (f"foo/bar@{D2}", f"pouch.io/foo/bar@{D2}"),
    # more
    ("pouch.io/bar", "pouch.io/library/bar"),  # the default registry typed: namespace added too
    ("localhost/bar", "pouch.io/localhost/bar"),
    ("bar:v1", "pouch.io/library/bar:v1"),
]


@pytest.mark.parametrize(("text", "want"), ADD_DEFAULT)
def test_add_default_registry(text: str, want: str) -> None:
    assert r.add_default_registry(text, "pouch.io", "library") == want


NORMALIZE = [
    ("busybox", Reference(HUB, "library/busybox", "latest")),
    ("busybox:1.36", Reference(HUB, "library/busybox", "1.36")),
    (f"busybox:1.36@{D}", Reference(HUB, "library/busybox", None, D)),
    ("foo/bar", Reference(HUB, "foo/bar", "latest")),
    ("localhost/x", Reference(HUB, "localhost/x", "latest")),
    ("localhost:5000/x", Reference("localhost:5000", "x", "latest")),
    (f"{HUB}/busybox", Reference(HUB, "library/busybox", "latest")),
    ("docker.io/busybox", Reference("docker.io", "busybox", "latest")),  # only the default registry gets library/
    ("127.0.0.1:5931/test/busybox:v1", Reference("127.0.0.1:5931", "test/busybox", "v1")),
]


@pytest.mark.parametrize(("text", "want"), NORMALIZE)
def test_normalize(text: str, want: Reference) -> None:
    got = r.normalize(text, HUB)
    assert got == want
    assert got.name == f"{want.domain}/{want.path}"


def test_normalize_namespace_and_errors() -> None:
    assert str(r.normalize("x", "reg.io", "ns")) == "reg.io/ns/x:latest"
    with pytest.raises(ValueError, match="invalid reference"):
        r.normalize("Bad Name", HUB)
    with pytest.raises(ValueError, match="255"):  # the prefix pushes it over the limit
        r.normalize("a" * 250, HUB)


# ---- pull candidates (image.go LookupImageReferences) ------------------------------------------

CANDIDATES = [
    ("busybox", [], [f"{HUB}/library/busybox:latest"]),
    (
        "busybox",
        ["mirror.example.com", "https://m2.example/prefix/"],
        ["mirror.example.com/busybox:latest", "m2.example/prefix/busybox:latest", f"{HUB}/library/busybox:latest"],
    ),
    ("foo/bar:v1", ["m.io"], ["m.io/foo/bar:v1", f"{HUB}/foo/bar:v1"]),
    (f"busybox:1@{D}", ["m.io"], [f"m.io/busybox@{D}", f"{HUB}/library/busybox@{D}"]),
    ("localhost:5000/x", ["m.io"], ["localhost:5000/x:latest"]),  # a registry: mirrors not tried
    ("localhost/x", ["m.io"], ["m.io/localhost/x:latest", f"{HUB}/localhost/x:latest"]),
    ("busybox", ["bad mirror", "m.io", "m.io/"], ["m.io/busybox:latest", f"{HUB}/library/busybox:latest"]),
]


@pytest.mark.parametrize(("text", "mirrors", "want"), CANDIDATES)
def test_candidates(text: str, mirrors: list[str], want: list[str]) -> None:
    got = r.candidates(text, HUB, mirrors)
    assert [str(c) for c in got] == want
    for c in got:  # the first component is the host the resolver talks to
        assert str(c).startswith(c.domain + "/")


def test_candidates_split_host_and_repository() -> None:
    (mirror, hub) = r.candidates("busybox:1", HUB, ["m2.example:5000/prefix"])
    assert mirror == Reference("m2.example:5000", "prefix/busybox", "1")
    assert hub == Reference(HUB, "library/busybox", "1")
    with pytest.raises(ValueError, match="invalid reference"):
        r.candidates("Bad Name", HUB)


# ---- tag targets (image_bridge.go postImageTag, image.go AddTag) -------------------------------

TAG_TARGET = [
    ("mybox", "v1", f"{HUB}/library/mybox:v1"),
    ("mybox", "", f"{HUB}/library/mybox:latest"),
    ("localhost:5000/testimagetagok/pouch", "source.name", "localhost:5000/testimagetagok/pouch:source.name"),
    ("localhost:5000/x", "", "localhost:5000/x:latest"),
    ("docker.io/obsv/tagged", "v1", "docker.io/obsv/tagged:v1"),  # the Docker CLI's normalised repo
    ("mybox:v2", "", f"{HUB}/library/mybox:v2"),
]


@pytest.mark.parametrize(("repo", "tag", "want"), TAG_TARGET)
def test_tag_target(repo: str, tag: str, want: str) -> None:
    assert r.tag_target(repo, tag, HUB) == want


def test_tag_target_refuses() -> None:
    with pytest.raises(ValueError, match=r"^target tag reference \(localhost:5000/x:1.25@sha256:.*\) cannot contains"):
        r.tag_target("localhost:5000/x", f"1.25@{D}", HUB)
    want = f"target tag reference ({HUB}/library/x@{D}) cannot contains any digest information"
    with pytest.raises(ValueError, match=f"^{re.escape(want)}$"):
        r.tag_target(f"x@{D}", "", HUB)
    with pytest.raises(ValueError, match=r"^invalid reference$"):
        r.tag_target("Bad Name", "v1", HUB)


# ---- Docker clients: digest passed as the tag ---------------------------------------------------

JOIN = [
    ("busybox", "", "busybox"),
    ("busybox", "1.36", "busybox:1.36"),
    ("busybox", D, f"busybox@{D}"),  # docker CLI / docker-py: tag=sha256:...
    (f"busybox@{D}", "", f"busybox@{D}"),  # pouch's CLI: the whole reference in fromImage
    ("docker.io/library/busybox", "latest", "docker.io/library/busybox:latest"),
    ("busybox", "sha256:abc", "busybox:sha256:abc"),  # not a digest: appended as pouch does
]


@pytest.mark.parametrize(("from_image", "tag", "want"), JOIN)
def test_join_docker_pull(from_image: str, tag: str, want: str) -> None:
    assert r.join_docker_pull(from_image, tag) == want


FAMILIAR = [
    (f"{HUB}/library/busybox:latest", "busybox:latest"),
    (f"{HUB}/library/busybox@{D}", f"busybox@{D}"),
    (f"{HUB}/foo/bar:v1", "foo/bar:v1"),
    (f"{HUB}/library/a/b:v1", "library/a/b:v1"),
    ("localhost:5000/x:v1", "localhost:5000/x:v1"),
    ("busybox:latest", "busybox:latest"),
    ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
]


@pytest.mark.parametrize(("text", "want"), FAMILIAR)
def test_familiar(text: str, want: str) -> None:
    assert r.familiar(text, HUB) == want


def test_familiar_of_a_reference() -> None:
    assert r.familiar(r.normalize("busybox", HUB), HUB) == "busybox:latest"


# ---- digests and IDs -----------------------------------------------------------------------------

DIGESTS = [
    (D, None),
    ("sha384:" + "0" * 96, None),
    ("sha512:" + "F" * 128, None),
    ("sha256:" + "0" * 63, "invalid checksum digest length"),
    ("sha256:", "invalid checksum digest format"),
    ("sha256", "invalid checksum digest format"),
    ("sha256:xyz", "invalid checksum digest format"),
    ("md5:" + "0" * 32, "unsupported digest algorithm"),
    ("", "invalid checksum digest format"),
]


@pytest.mark.parametrize(("text", "error"), DIGESTS)
def test_digests(text: str, error: str | None) -> None:
    assert r.is_digest(text) is (error is None)
    if error is None:
        assert r.validate_digest(text) == text
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
            r.validate_digest(text)


def test_ids() -> None:
    assert r.is_full_id(D)
    assert not r.is_full_id(D.upper())
    assert not r.is_full_id(D[7:])
    assert not r.is_full_id(D + "0")
    assert r.truncate_id(D) == "1669a6aa7350"
    assert r.truncate_id(D[7:]) == "1669a6aa7350"
    assert r.truncate_id("<missing>") == "<missing>"
    assert r.id_prefix("1669") == "sha256:1669"
    assert r.id_prefix("sha256:1669") == "sha256:1669"
    assert r.id_prefix("sha256") == "sha256"  # pouch's quirk: matches every ID
    assert r.is_id_prefix(D, "1669a6")
    assert r.is_id_prefix(D, "sha256:1669a6")
    assert not r.is_id_prefix(D, "busybox")


# Go's path.Match (pouch's and Docker's reference filter), cases from its match_test.go.
@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("abc", "abc", True),
        ("*", "abc", True),
        ("*c", "abc", True),
        ("a*", "a", True),
        ("a*", "abc", True),
        ("a*", "ab/c", False),
        ("a*/b", "abc/b", True),
        ("a*/b", "a/c/b", False),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
        ("a*b?c*x", "abxbbxdbxebxczzx", True),
        ("a*b?c*x", "abxbbxdbxebxczzy", False),
        ("ab[c]", "abc", True),
        ("ab[b-d]", "abc", True),
        ("ab[e-g]", "abc", False),
        ("ab[^c]", "abc", False),
        ("ab[^b-d]", "abc", False),
        ("ab[^e-g]", "abc", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "ab", False),
        ("a?b", "a☺b", True),
        ("a[^a]b", "a☺b", True),
        ("a???b", "a☺b", False),
        ("[\\]a]", "]", True),
        ("[\\-]", "-", True),
        ("[x\\-]", "z", False),
        ("*x", "xxx", True),
        ("busybox:*", "busybox:latest", True),
        ("busybox:*", "busybox@sha256:" + "0" * 64, False),
    ],
)
def test_name_patterns_match_as_gos_path_match(pattern: str, name: str, matches: bool) -> None:
    assert bool(r.name_pattern(pattern).fullmatch(name)) is matches


@pytest.mark.parametrize("pattern", ["[", "[]a]", "[-]", "[x-]", "[a-b-c]", "[^]", "a\\", "[z-a]", "[\\"])
def test_malformed_name_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="syntax error in pattern"):
        r.name_pattern(pattern)
