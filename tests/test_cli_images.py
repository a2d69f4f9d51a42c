"""The pouch CLI's image commands: pull, push, images, image inspect, rmi, tag, history, load,
save, search.

Formatting is checked on constructed answers against layouts read off pouch's Go source and its
own examples (cli/*.go, pkg/jsonstream, containerd's pkg/progress, text/tabwriter). The commands
then run as the installed ``pouch`` against a real pouchd on a private containerd, with images
pushed to a loopback ``docker-registry`` (skipped where those cannot run).
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from engine import on_a_terminal
from helpers import POUCH, PouchD, run_pouch
from registry import Fault, FaultyRegistry, Registry, missing_tools

from pouch_cli import history, image, images, progress, pull, rmi, search, tag
from pouch_cli.credentials import CredentialStore
from pouch_cli.errors import CLIError
from pouch_cli.progress import (
    Message,
    ProgressDisplay,
    count_lines,
    format_size,
    go_bytes,
    iter_messages,
    parse_reference,
    show_progress,
    tabwrite,
    truncate_id,
)
from pouch_testing.images import TestImage, build_busybox_image, busybox_missing, oci_layout_tar, push

HEX_A = "4b8ff392a12ed9ea17784bd3c9a8b1fa3299cac44aca35a85c90c5e3c7afacdc"
HEX_B = "2cb0d9787c4dd17ef9eb03e512923bc4db10add190d3f84af63b744e353a9b34"


def plain(text: str) -> str:
    """``text`` without the bar's colour escapes."""
    return text.replace("\x1b[32m", "").replace("\x1b[0m", "")


# --------------------------------------------------------------------------- Go's tabwriter


def test_tabwrite_pads_cells_and_leaves_the_text_after_the_last_tab() -> None:
    assert tabwrite("a\tbb\tc\naaa\tb\tcc\n", 0, 3) == "a     bb   c\naaa   b    cc\n"
    # trailing cell of a line is not padded; a tab-ended one is
    assert tabwrite("x\ty\t\nlonger\tz\t\n", 0, 1) == "x      y \nlonger z \n"


def test_tabwrite_columns_are_blocks_of_consecutive_lines() -> None:
    # A line without a cell in column 0 ends the block: the lines after it align on their own.
    text = "a\tb\nlonglonglong\tc\nno tabs here\nd\te\n"
    assert tabwrite(text, 0, 1) == "a            b\nlonglonglong c\nno tabs here\nd e\n"
    # Column 1 only spans the lines that have a cell in it.
    text = "id1:\tdownloading\t|bar|\t\nid22:\twaiting\nid3:\tdone\t|bar|\t\n"
    assert tabwrite(text, 1, 1) == "id1:  downloading |bar| \nid22: waiting\nid3:  done |bar| \n"


def test_tabwrite_minwidth_and_no_final_newline() -> None:
    assert tabwrite(":\ts\n", 1, 1) == ": s\n"
    assert tabwrite("a\tb", 5, 0) == "a    b"
    assert tabwrite("", 0, 3) == ""


# --------------------------------------------------------------------------- sizes, IDs, references


def test_format_size_is_pouchs() -> None:
    assert format_size(0) == "0.00 B"
    assert format_size(-5) == "0.00 B"
    assert format_size(1023) == "1023.00 B"
    assert format_size(1024) == "1.00 KB"
    assert format_size(720019) == "703.14 KB"
    assert format_size(1_981_000) == "1.89 MB"
    assert format_size(5 * 1024**4) == "5120.00 GB"  # no TB: pouch stops at GB


def test_go_bytes_is_containerds_progress_bytes() -> None:
    assert go_bytes(0) == "0.0 B"
    assert go_bytes(1023) == "1023.0 B"
    assert go_bytes(1536) == "1.5 KiB"
    assert go_bytes(760770) == "742.9 KiB"
    assert go_bytes(3 * 1024**3) == "3.0 GiB"


def test_truncate_id() -> None:
    assert truncate_id("sha256:" + HEX_A) == HEX_A[:12]
    assert truncate_id(HEX_A[:8]) == HEX_A[:8]
    assert history.short_id("<missing>") == "<missing>"
    assert history.short_id("sha256:" + HEX_A) == HEX_A[:12]


def test_parse_reference_as_pouch() -> None:
    r = parse_reference("busybox")
    assert (r.name, r.tag, r.digest) == ("busybox", "", "")
    r = parse_reference("127.0.0.1:5000/test/busybox:v1")
    assert (r.name, r.tag) == ("127.0.0.1:5000/test/busybox", "v1")
    r = parse_reference(f"busybox:1.28@sha256:{HEX_A}")
    assert (r.name, r.tag, r.digest) == ("busybox", "1.28", f"sha256:{HEX_A}")
    assert str(r.normalized()) == f"busybox@sha256:{HEX_A}"
    assert str(parse_reference("busybox").normalized()) == "busybox:latest"
    for bad in ("", "UPPER CASE", "a//b", "-x", "busybox:", "x" * 2000):
        with pytest.raises(ValueError, match="invalid reference"):
            parse_reference(bad)
    with pytest.raises(ValueError, match="unsupported digest algorithm"):
        parse_reference("busybox@md5:" + "0" * 32)
    with pytest.raises(ValueError, match="invalid checksum digest length"):
        parse_reference("busybox@sha256:" + "0" * 32)
    assert progress.registry_of("127.0.0.1:5000/test/busybox") == "127.0.0.1:5000"
    assert progress.registry_of("registry.example.com/x") == "registry.example.com"
    assert progress.registry_of("localhost/x") is None  # pouch: no "." or ":" → default registry
    assert progress.registry_of("busybox") is None


def test_pull_and_tag_requests_are_pouchs() -> None:
    assert pull.pull_params("busybox") == {"fromImage": "busybox", "tag": "latest"}
    assert pull.pull_params("a.io/b/c:v2") == {"fromImage": "a.io/b/c", "tag": "v2"}
    assert pull.pull_params(f"busybox:1@sha256:{HEX_A}") == {"fromImage": f"busybox@sha256:{HEX_A}", "tag": ""}
    with pytest.raises(CLIError, match="invalid reference: 'Bad Name'"):
        pull.pull_params("Bad Name")
    assert tag.tag_params("busybox", "mybox:v1") == {"repo": "mybox", "tag": "v1"}
    assert tag.tag_params("busybox", "127.0.0.1:5000/x/y") == {"repo": "127.0.0.1:5000/x/y"}
    with pytest.raises(CLIError, match="refusing to create a tag with a digest reference"):
        tag.tag_params("busybox", f"mybox@sha256:{HEX_A}")
    with pytest.raises(CLIError, match=r"the tag reference \(a b\) is not valid reference"):
        tag.tag_params("busybox", "a b")
    with pytest.raises(CLIError, match=r"the image reference \(\?\) is not valid reference"):
        tag.tag_params("?", "x")


# --------------------------------------------------------------------------- the progress stream


def _obj(id: str, status: str, detail: tuple[int, int] | None = None, **extra: Any) -> dict[str, Any]:
    o: dict[str, Any] = {"id": id, "status": status}
    if detail is not None:
        o["progressDetail"] = {"current": detail[0], "total": detail[1]}
    o.update(extra, started_at="0001-01-01T00:00:00Z", updated_at="0001-01-01T00:00:00Z")
    return o


def _stream(*objs: dict[str, Any]) -> bytes:
    # pouch's jsonstream: objects back to back, no separator
    return b"".join(json.dumps(o, separators=(",", ":")).encode() for o in objs)


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def test_iter_messages_reads_concatenated_objects_across_any_chunking() -> None:
    objs = [_obj("ref:é", "resolving", (0, 0)), _obj("layer-sha256:" + HEX_A, "downloading", (10, 20))] * 3
    data = _stream(*objs)
    for size in (1, 2, 3, 7, 64, len(data)):
        got = [o for batch in iter_messages(_chunks(data, size)) for o in batch]
        assert got == objs, size
    # whitespace between objects (Docker's newline-delimited streams) is fine too
    assert [o for b in iter_messages([b'{"a":1}\n{"b":2}\r\n ']) for o in b] == [{"a": 1}, {"b": 2}]


def test_iter_messages_rejects_truncated_or_foreign_streams() -> None:
    with pytest.raises(CLIError, match="cannot decode the daemon's progress stream"):
        list(iter_messages([b'{"id":"x","sta']))
    with pytest.raises(CLIError, match="unexpected progress message"):
        list(iter_messages([b'{"id":"x"}[1,2]']))
    with pytest.raises(CLIError, match="cannot decode"):
        list(iter_messages([b"<html>bad gateway</html>"]))


def test_non_terminal_progress_prints_a_line_when_an_ids_status_changes() -> None:
    ref = "127.0.0.1:5000/test/busybox:v1"
    layer = "layer-sha256:" + HEX_A
    rounds = [
        _obj(ref, "resolving", (0, 0)),
        _obj(ref, "resolving", (0, 0)),
        _obj(ref, "resolved", (0, 0)),
        _obj(layer, "waiting"),
        _obj(ref, "resolved", (0, 0)),
        _obj(layer, "downloading", (100, 1000)),
        _obj(layer, "downloading", (500, 1000)),
        _obj(layer, "done", (1000, 1000)),
    ]
    out = io.StringIO()
    show_progress(_chunks(_stream(*rounds), 50), out, terminal=False)
    assert out.getvalue() == (
        f"{ref}: resolving\n{ref}: resolved\n{layer}: waiting\n{layer}: downloading\n{layer}: done\n"
    )


def test_an_error_in_the_stream_ends_it_with_its_message() -> None:
    out = io.StringIO()
    error = {
        "errorDetail": {"code": 500, "message": "failed to fetch: unexpected EOF"},
        "error": "failed to fetch: unexpected EOF",
    }
    data = _stream(_obj("r", "resolving", (0, 0)), error, _obj("never", "shown"))
    with pytest.raises(CLIError) as e:
        show_progress([data], out, terminal=False)
    assert str(e.value) == "failed to fetch: unexpected EOF"
    assert out.getvalue() == "r: resolving\n"
    # Docker's streams carry only "error"
    with pytest.raises(CLIError, match=r"^boom$"):
        show_progress([b'{"error":"boom"}'], io.StringIO(), terminal=False)
    # and an errorDetail without a message still fails
    with pytest.raises(CLIError, match="unknown error"):
        show_progress([b'{"errorDetail":{}}'], io.StringIO(), terminal=False)


def test_process_status_lines_are_pouchs() -> None:
    def status(obj: dict[str, Any], short: bool = False) -> str:
        return plain(progress.process_status(short, Message(obj)))

    assert status(_obj("i", "waiting")) == "i:\twaiting\n"  # no progressDetail: short form
    assert status(_obj("i", "resolving", (0, 0))) == "i:\tresolving\t|" + "-" * 38 + "|\t\n"
    assert status(_obj("i", "done", (5, 5))) == "i:\tdone\t|" + "+" * 38 + "|\t\n"
    assert status(_obj("i", "exists", (5, 5))) == "i:\texists\t|" + "+" * 38 + "|\t\n"
    # %8.8s of the current size: at most 8 characters, right-aligned (742.9 KiB is cut, as pouch does)
    assert (
        status(_obj("i", "downloading", (760770, 1048576)))
        == "i:\tdownloading\t|" + "+" * 27 + "-" * 11 + "|\t742.9 Ki/1.0 MiB\t\n"
    )
    assert status(_obj("i", "uploading", (1536, 0))) == "i:\tuploading\t|" + "-" * 38 + "|\t 1.5 KiB/0.0 B\t\n"
    assert status(_obj("i", "downloading", (1, 2)), short=True) == "i:\tdownloading\n"
    bar = progress.bar(0.5)
    assert bar == "|\x1b[32m" + "+" * 19 + "\x1b[0m" + "-" * 19 + "|"


def test_terminal_frame_matches_pouchs_push_example() -> None:
    # cli/push.go's example (an older pouch whose push statuses carried no detail), bar colours aside.
    ref = "docker.io/testing/busybox:1.25"
    manifest = "manifest-sha256:29f5d56d12684887bdfa50dcd29fc31eea4aaf4ad3bec43daf19026a7ce69912"
    layer = "layer-sha256:56bec22e355981d8ba0878c6c2f23b21f422f30ab0aba188b54f1ffeff59c190"
    config = "config-sha256:e02e811dd08fd49e7f6032625495118e63f597eb150403d02e3238af1df240ba"
    display = ProgressDisplay(io.StringIO(), True, clock=lambda: 100.0)
    for obj in (_obj(ref, "resolved", (0, 0)), _obj(manifest, "done"), _obj(layer, "done"), _obj(config, "done")):
        display.add(Message(obj))
    expected = (
        "docker.io/testing/busybox:1.25:                                                   resolved |++++++++++++++++++++++++++++++++++++++| \n"  # noqa: E501
        "manifest-sha256:29f5d56d12684887bdfa50dcd29fc31eea4aaf4ad3bec43daf19026a7ce69912: done\n"
        "layer-sha256:56bec22e355981d8ba0878c6c2f23b21f422f30ab0aba188b54f1ffeff59c190:    done\n"
        "config-sha256:e02e811dd08fd49e7f6032625495118e63f597eb150403d02e3238af1df240ba:   done\n"
        "elapsed: 0.0 s                                                                    total:   0.0 B (0.0 B/s) \n"
    )
    assert plain(display.frame()) == expected


def test_terminal_progress_redraws_in_place() -> None:
    now = [10.0]
    out = io.StringIO()
    ref, layer = "r:v1", "layer-sha256:" + HEX_A[:8]
    first = _stream(_obj(ref, "resolved", (0, 0)), _obj(layer, "downloading", (1024, 4096)))
    second = _stream(_obj(ref, "resolved", (0, 0)), _obj(layer, "done", (4096, 4096)))

    def chunks() -> Iterator[bytes]:
        now[0] = 11.0
        yield first
        now[0] = 12.0
        yield second

    display_start = now[0]
    show_progress(chunks(), out, terminal=True, clock=lambda: now[0], width=lambda: 200)
    text = plain(out.getvalue())
    frame1, _, frame2 = text.partition("\x1b[1A\x1b[2K\r" * 3)  # 3 lines: two entries and the total
    assert display_start == 10.0
    # Column 1 is as wide as its widest cell, the total line's included; column 2 (the bars, whose
    # colour escapes count as characters, as Go's tabwriter counts runes) pads the rate.
    pad = " " * (49 + 1 - len("(1.0 KiB/s)"))
    assert frame1 == (
        "r:v1:                  resolved       |++++++++++++++++++++++++++++++++++++++| \n"
        "layer-sha256:4b8ff392: downloading    |+++++++++-----------------------------|  1.0 KiB/4.0 KiB \n"
        f"elapsed: 1.0 s         total:  1.0 Ki (1.0 KiB/s){pad}\n"
    )
    assert frame2 == (
        "r:v1:                  resolved       |++++++++++++++++++++++++++++++++++++++| \n"
        "layer-sha256:4b8ff392: done           |++++++++++++++++++++++++++++++++++++++| \n"
        f"elapsed: 2.0 s         total:  4.0 Ki (2.0 KiB/s){pad}\n"
    )


def test_count_lines_counts_wrapped_lines_like_containerd() -> None:
    assert count_lines("abc\ndef\n", 80) == 2
    assert count_lines("a" * 100 + "\n", 80) == 2
    assert count_lines("\n\n", 80) == 2  # an empty line is a line
    assert count_lines("\x1b[32m" + "+" * 80 + "\x1b[0m\n", 80) == 1  # colour escapes take no room
    assert count_lines("abc\n", 0) == 0  # width unknown: nothing is cleared


def test_total_line() -> None:
    assert progress.total_line(0.25, 0) == "elapsed: 0.2 s\ttotal:   0.0 B\t(0.0 B/s)\t\n"
    # %7.6v cuts "12.5 MiB" to "12.5 M", as pouch prints it
    assert progress.total_line(2.0, 13107200) == "elapsed: 2.0 s\ttotal:  12.5 M\t(6.2 MiB/s)\t\n"
    assert progress.total_line(12.34, 0).startswith("elapsed: 12.3s\t")


# --------------------------------------------------------------------------- pouch images


def _image(image_id: str, tags: list[str], digests: list[str], size: int) -> dict[str, Any]:
    return {"Id": image_id, "RepoTags": tags, "RepoDigests": digests, "Size": size}


HELLO = [
    _image(
        "sha256:" + HEX_B,
        ["registry.hub.docker.com/library/hello-world:latest"],
        ["registry.hub.docker.com/library/hello-world@sha256:" + HEX_A],
        6451,
    ),
    _image(
        "sha256:4ab4c602aa5eed5528a6620ff18a1dc4faef0e1ab3a5eddeddb410714478c67f",
        ["registry.hub.docker.com/library/hello-world:linux"],
        [
            "registry.hub.docker.com/library/hello-world@sha256:d5c7d767f5ba807f9b363aa4db87d75ab030404a670880e16aedff16f605484b"
        ],
        5376,
    ),
]


def test_images_matches_pouchs_examples() -> None:
    # cli/image_list.go's examples, byte for byte (trailing spaces: none, SIZE is not a cell)
    assert images.format_images(HELLO, digest=True) == (
        "IMAGE ID       IMAGE NAME                                           DIGEST                                                                    SIZE\n"  # noqa: E501
        f"2cb0d9787c4d   registry.hub.docker.com/library/hello-world:latest   sha256:{HEX_A}   6.30 KB\n"
        "4ab4c602aa5e   registry.hub.docker.com/library/hello-world:linux    sha256:d5c7d767f5ba807f9b363aa4db87d75ab030404a670880e16aedff16f605484b   5.25 KB\n"  # noqa: E501
    )
    assert images.format_images(HELLO, no_trunc=True) == (
        "IMAGE ID                                                                  IMAGE NAME                                           SIZE\n"  # noqa: E501
        f"sha256:{HEX_B}   registry.hub.docker.com/library/hello-world:latest   6.30 KB\n"
        "sha256:4ab4c602aa5eed5528a6620ff18a1dc4faef0e1ab3a5eddeddb410714478c67f   registry.hub.docker.com/library/hello-world:linux    5.25 KB\n"  # noqa: E501
    )


def test_images_rows_per_tag_digest_or_none() -> None:
    img = _image("sha256:" + HEX_A, ["b:2", "a:1", "b:1", f"c@sha256:{HEX_B}"], [f"a@sha256:{HEX_B}"], 2048)
    assert [r[1:3] for r in images.display_rows(img)] == [
        ("a:1", f"sha256:{HEX_B}"),
        ("b:2", "<none>"),
        ("b:1", "<none>"),
    ]
    untagged = _image("sha256:" + HEX_A, [], [f"x@sha256:{HEX_B}", "not a ref"], 1)
    assert images.display_rows(untagged) == [(HEX_A[:12], f"x@sha256:{HEX_B}", f"sha256:{HEX_B}", "1.00 B")]
    bare: dict[str, Any] = {"Id": "sha256:" + HEX_A, "RepoTags": None, "RepoDigests": []}
    assert images.display_rows(bare) == [(HEX_A[:12], "<none>", "<none>", "0.00 B")]
    assert images.format_images([]) == "IMAGE ID   IMAGE NAME   SIZE\n"
    assert images.format_images(HELLO, quiet=True) == "2cb0d9787c4d\n4ab4c602aa5e\n"
    assert images.format_images(HELLO[:1], quiet=True, no_trunc=True) == f"sha256:{HEX_B}\n"


def test_images_filters_are_pouchs_json() -> None:
    assert images.filters_param([]) is None
    assert images.filters_param(["reference=busy*", "since=a,before=b", " Reference = x "]) == (
        '{"before":{"b":true},"reference":{"busy*":true,"x":true},"since":{"a":true}}'
    )
    with pytest.raises(CLIError, match="bad format of filter 'nope'"):
        images.filters_param(["nope"])


# --------------------------------------------------------------------------- image inspect


def test_inspect_json_is_pouchs_imageinfo_written_by_gos_marshal_indent() -> None:
    wire = {
        "Size": 5,
        "Id": "sha256:x",
        "Created": 1704067200,  # a Docker field pouchd adds: not in pouch's ImageInfo, so not printed
        "Config": {"Labels": {"b": "<&>", "a": "é\u2028"}, "Cmd": ["sh"], "Tty": False, "StopTimeout": 0},
        "RepoTags": [],
        "RootFS": {"Type": "layers", "Layers": ["sha256:l"]},
    }
    assert image.render([image.go_shape(wire, image.IMAGE_INFO)], None) == (
        "[\n"
        "    {\n"
        '        "Config": {\n'
        '            "Cmd": [\n'
        '                "sh"\n'
        "            ],\n"
        '            "Entrypoint": null,\n'
        '            "Env": null,\n'
        '            "Image": "",\n'
        '            "Labels": {\n'
        '                "a": "é\\u2028",\n'
        '                "b": "\\u003c\\u0026\\u003e"\n'
        "            },\n"
        '            "OnBuild": null,\n'
        '            "Shell": null,\n'
        '            "StopTimeout": 0\n'
        "        },\n"
        '        "Id": "sha256:x",\n'
        '        "RepoDigests": null,\n'
        '        "RepoTags": [],\n'
        '        "RootFS": {\n'
        '            "Layers": [\n'
        '                "sha256:l"\n'
        "            ],\n"
        '            "Type": "layers"\n'
        "        },\n"
        '        "Size": 5\n'
        "    }\n"
        "]\n"
    )
    assert image.go_shape({}, image.IMAGE_INFO) == {"RepoDigests": None, "RepoTags": None}
    assert image.render([], None) == "[]\n"
    assert image.go_json_indent("a\bb\fc\\b\n") == '"a\\u0008b\\u000cc\\\\b\\n"'


def test_inspect_template_and_errors() -> None:
    from pouch_cli.template import checked_format

    render_one = checked_format("{{.ID}} {{.Id}} {{.Size}}", image.ALIASES)
    assert image.render([{"Id": "sha256:a", "Size": 3}], "x", render_one) == "sha256:a sha256:a 3\n"
    assert image.render([], "x", render_one) == "\n"  # pouch's inspector writes one empty line
    assert image.combine_errors(["Fetch object error: a", "Fetch object error: b"]) == (
        "Fetch object error: a\nError: Fetch object error: b"
    )


# --------------------------------------------------------------------------- rmi, history, search


def test_rmi_prints_the_removed_and_reports_every_failure(capsys: pytest.CaptureFixture[str]) -> None:
    def remove(name: str) -> None:
        if name.startswith("no"):
            raise CLIError(f"{rmi.ACTION}: image {name}: not found")

    with pytest.raises(CLIError) as e:
        rmi.remove_all(["a", "nosuch", "b", "nothere"], remove)
    assert capsys.readouterr().out == "a\nb\n"
    assert str(e.value) == (
        "failed to remove images: image nosuch: not found\nError: failed to remove images: image nothere: not found"
    )
    rmi.remove_all(["x"], remove)
    assert capsys.readouterr().out == "x\n"


def test_format_time_interval_is_pouchs() -> None:
    now = 10**18
    s = 1_000_000_000
    assert history.format_time_interval(now, now) == "0 second"
    assert history.format_time_interval(now - s // 2, now) == "0 second"
    assert history.format_time_interval(now - s, now) == "1 second"
    assert history.format_time_interval(now - 59 * s, now) == "59 seconds"
    assert history.format_time_interval(now - 3600 * s, now) == "1 hour"
    assert history.format_time_interval(now - 13 * 86400 * s, now) == "1 week"
    assert history.format_time_interval(now - 60 * 86400 * s, now) == "2 months"
    assert history.format_time_interval(now - 400 * 86400 * s, now) == "1 year"
    assert history.format_time_interval(now + s, now) == "0 second"  # pouch fails here


def test_history_table_matches_pouchs_example() -> None:
    now = 1_700_000_000 * 10**9
    week = 8 * 86400 * 10**9
    entries = [
        {
            "ID": "sha256:e1ddd7948a1c" + "0" * 52,
            "Created": now - week,
            "CreatedBy": '/bin/sh -c #(nop)  CMD ["sh"]',
            "Size": 0,
            "Comment": "",
            "Author": "",
            "EmptyLayer": True,
        },
        {
            "ID": "<missing>",
            "Created": now - week,
            "CreatedBy": "/bin/sh -c #(nop) ADD file:96fda64a6b725d4df5249c12e32245e2f02469ff637c38077740f4984cd883dd in /",  # noqa: E501
            "Size": 733248,
            "Comment": "",
            "Author": "",
            "EmptyLayer": False,
        },
    ]
    assert history.format_history(entries, now_ns=now) == (
        "IMAGE          CREATED      CREATED BY                                      SIZE        COMMENT\n"
        'e1ddd7948a1c   1 week ago   /bin/sh -c #(nop)  CMD ["sh"]                   0.00 B      \n'
        "<missing>      1 week ago   /bin/sh -c #(nop) ADD file:96fda64a6b725d4...   716.06 KB   \n"
    )
    assert history.format_history(entries, quiet=True) == "e1ddd7948a1c\n<missing>\n"
    wide = history.format_history(entries, no_trunc=True, human=False)
    assert "sha256:e1ddd7948a1c" in wide and "in /" in wide and "733248" in wide
    entries[0]["CreatedBy"] = "a\tb"
    assert "a b" in history.format_history(entries, now_ns=now)


def test_rfc3339_is_go_time_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert history.rfc3339(1_700_000_000_123_456_789) == "2023-11-14T22:13:20Z"
        monkeypatch.setenv("TZ", "Asia/Shanghai")
        time.tzset()
        assert history.rfc3339(1_700_000_000 * 10**9) == "2023-11-15T06:13:20+08:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_ellipsis() -> None:
    assert history.ellipsis("abcdef", 6) == "abcdef"
    assert history.ellipsis("abcdefg", 6) == "abc..."
    assert history.ellipsis("abcdefg", 3) == "abc"
    assert history.ellipsis("ééééé", 4) == "é..."  # runes, not bytes


def test_search_table() -> None:
    results = [
        {"name": "nginx", "description": "Official build of Nginx.", "star_count": 11403, "is_official": True},
        {
            "name": "jwilder/nginx-proxy",
            "description": "Automated Nginx reverse proxy",
            "star_count": 1600,
            "is_automated": True,
        },
    ]
    assert search.format_results(results) == (
        "NAME                  DESCRIPTION                     STARS   OFFICIAL   AUTOMATED\n"
        "nginx                 Official build of Nginx.        11403   [OK]       \n"
        "jwilder/nginx-proxy   Automated Nginx reverse proxy   1600               [OK]\n"
    )


def test_save_to_file_is_all_or_nothing(tmp_path: Path) -> None:
    from pouch_cli import save

    target = tmp_path / "out.tar"
    save.save_to_file(iter([b"a" * 10, b"b" * 5]), str(target))
    assert target.read_bytes() == b"a" * 10 + b"b" * 5
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()

    def broken() -> Iterator[bytes]:
        yield b"partial"
        raise CLIError("failed to save image: talking to pouchd: connection reset")

    with pytest.raises(CLIError):
        save.save_to_file(broken(), str(target))
    assert target.read_bytes() == b"a" * 10 + b"b" * 5  # the earlier archive is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tar"]  # no temporary file left
    save.save_to_file(iter([b"x"]), os.devnull)  # not a regular file: written in place


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- credentials → X-Registry-Auth


def test_registry_auth_from_the_saved_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pouch_cli.client import ClientOptions
    from pouch_cli.credentials import CredentialStore

    monkeypatch.setenv("HOME", str(tmp_path))
    opts = ClientOptions(host="unix:///nonexistent")  # never reached: a registry is named
    assert progress.registry_auth(opts, "127.0.0.1:5000") is None  # no file
    CredentialStore().store("127.0.0.1:5000", "alice", "pw<&>")
    header = progress.registry_auth(opts, "127.0.0.1:5000")
    assert header is not None and "+" not in header and "/" not in header  # URL alphabet
    assert json.loads(base64.urlsafe_b64decode(header)) == {
        "Auth": base64.b64encode(b"alice:pw<&>").decode(),
        "Password": "pw<&>",
        "ServerAddress": "127.0.0.1:5000",
        "Username": "alice",
    }
    assert list(json.loads(base64.urlsafe_b64decode(header))) == ["Auth", "Password", "ServerAddress", "Username"]
    assert progress.registry_auth(opts, "other.example.com") is None
    CredentialStore().store("tok.example.com", "bob", "pw", identity_token="t0k")
    header = progress.registry_auth(opts, "https://tok.example.com/v1/")
    assert header is not None
    assert json.loads(base64.urlsafe_b64decode(header)) == {
        "IdentityToken": "t0k",
        "ServerAddress": "tok.example.com",
        "Username": "bob",
    }


def test_registry_auth_goes_on_without_a_corrupt_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pouch_cli.client import ClientOptions

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".pouch").mkdir()
    (tmp_path / ".pouch" / "config.json").write_text("{not json")
    assert progress.registry_auth(ClientOptions(host="unix:///nonexistent"), "127.0.0.1:5000") is None
    err = capsys.readouterr().err
    assert err.startswith("WARNING: going on without credentials: credentials file ") and "corrupt" in err
    assert (tmp_path / ".pouch" / "config.json").read_text() == "{not json"  # left alone


# --------------------------------------------------------------------------- the command line


def test_command_lines_parse_as_pouchs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # run_pouch passes the environment on
    none = "unix:///nonexistent/pouchd.sock"
    r = run_pouch("rmi", host=none)
    assert r.returncode == 1 and r.stderr.startswith("Error: the following arguments are required: IMAGE")
    r = run_pouch("image", "inspect", host=none)
    assert r.returncode == 1 and "required: IMAGE" in r.stderr
    r = run_pouch("image", "ls", "x", host=none)
    assert r.returncode == 1 and "invalid choice: 'ls'" in r.stderr
    r = run_pouch("image", "inspect", "-f", "{{.Nope", "x", host=none)
    assert r.returncode == 1 and r.stderr.startswith("Error: template:")
    # --human takes no separate value: the image is the image
    r = run_pouch("history", "--human", "busybox", host=none)
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to get image history: cannot connect"), r.stderr
    r = run_pouch("history", "--human=false", "busybox", host=none)
    assert r.returncode == 1 and "cannot connect" in r.stderr
    r = run_pouch("history", "--human=maybe", "busybox", host=none)
    assert r.returncode == 1 and "ignored explicit argument 'maybe'" in r.stderr
    r = run_pouch("pull", "Not A Ref", host=none)
    assert (r.returncode, r.stderr) == (1, "Error: invalid reference: 'Not A Ref'\n")
    r = run_pouch("push", f"busybox@sha256:{HEX_A}", host=none)
    assert (r.returncode, r.stderr) == (1, "Error: cannot push a digest reference format image\n")
    r = run_pouch("tag", "busybox", f"x@sha256:{HEX_A}", host=none)
    assert (r.returncode, r.stderr) == (1, "Error: refusing to create a tag with a digest reference\n")
    r = run_pouch("images", "-f", "nope", host=none)
    assert (r.returncode, r.stderr) == (1, "Error: bad format of filter 'nope' (expected name=value)\n")
    r = run_pouch("load", "-i", "/nonexistent/a.tar", host=none)
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to load images: cannot open /nonexistent/a.tar")
    for args in (["pull", "busybox"], ["images"], ["save", "-o", os.devnull, "busybox"], ["search", "x"]):
        r = run_pouch(*args, host=none)
        assert r.returncode == 1 and "cannot connect to pouchd" in r.stderr and "Traceback" not in r.stderr, args


# --------------------------------------------------------------------------- end to end
# The installed `pouch` against a real pouchd (on the shared test containerd) and a loopback
# docker-registry holding the busybox test image.

E2E_SKIP = busybox_missing() or missing_tools(htpasswd=False)
needs_e2e = pytest.mark.skipif(E2E_SKIP is not None, reason=E2E_SKIP or "")
USER, PASSWORD = "carol", "h6-Pa55-w0rd"
ERASE_LINE = "\x1b[1A\x1b[2K\r"  # containerd's progress.Writer: up one line, erase it, column 0


@pytest.fixture(scope="module")
def busybox() -> TestImage:
    return build_busybox_image(cmd_history=True)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, busybox: TestImage) -> Iterator[Registry]:
    if E2E_SKIP:
        pytest.skip(E2E_SKIP)
    with Registry(tmp_path_factory.mktemp("registry")) as reg:
        push(busybox, reg.address, "test/busybox", "v1")
        # a layer of its own, so that the terminal test sees blobs downloaded, not found there
        push(build_busybox_image(extra_layer_bytes=400_000, seed=6), reg.address, "test/other", "v1")
        yield reg


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("pouchd"), "--insecure-registries", registry.address).start() as d:
        yield d


@pytest.fixture
def pouch(daemon: PouchD, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``pouch(*args)``: the installed command on this module's daemon, with a HOME of its own."""
    (tmp_path / "home").mkdir()

    def run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
        return run_pouch(*args, host=daemon.host, env={"HOME": str(home or tmp_path / "home")}, timeout=120)

    return run


def _skip_if_not_served(r: subprocess.CompletedProcess[str]) -> None:
    if "not implemented by this pouchd yet" in r.stderr:
        pytest.skip(f"pouchd: {r.stderr.strip()}")


@needs_e2e
def test_pull_lines_images_inspect_history(
    pouch: Callable[..., subprocess.CompletedProcess[str]], registry: Registry, busybox: TestImage
) -> None:
    ref = f"{registry.address}/test/busybox:v1"
    r = pouch("pull", ref)
    assert (r.returncode, r.stderr) == (0, "")
    lines = r.stdout.splitlines()
    assert lines[0] in (f"{ref}: resolving", f"{ref}: resolved")
    for line in lines:
        assert re.fullmatch(r"\S+: (resolving|resolved|waiting|downloading|done|exists)", line), line
    # one line per change of an id's status, never the same status twice in a row for an id
    last: dict[str, str] = {}
    for line in lines:
        key, status = line.rsplit(": ", 1)
        assert last.get(key) != status, line
        last[key] = status
    assert last == {
        ref: "resolved",
        f"manifest-{busybox.manifest_digest}": "done",
        f"config-{busybox.config_digest}": "done",
        f"layer-{busybox.layers[0].digest}": "done",
    }

    short = busybox.config_digest.removeprefix("sha256:")[:12]
    r = pouch("images")
    assert r.returncode == 0
    table_lines = r.stdout.splitlines()
    assert re.fullmatch(r"IMAGE ID {7}IMAGE NAME {3,}SIZE", table_lines[0])
    row = next(line for line in table_lines if f" {ref} " in line)
    assert row.startswith(f"{short}   {ref}   ")
    assert re.search(r"   \d+\.\d\d (B|KB|MB)$", row)
    assert pouch("images", "-q", "--no-trunc").stdout.splitlines().count(busybox.config_digest) == 1
    r = pouch("images", "--digest", "-f", f"reference={registry.address}/test/busybox")
    assert r.stdout.splitlines()[1].split() == [short, ref, busybox.manifest_digest, *row.split()[2:]]
    # A tag pattern keeps the tag only: the digest's name (repo@sha256:...) does not match it, so
    # pouch's and Docker's daemons leave it out too.
    r = pouch("images", "--digest", "-f", f"reference={registry.address}/test/busybox:*")
    assert r.stdout.splitlines()[1].split() == [short, ref, "<none>", *row.split()[2:]]

    r = pouch("image", "inspect", ref)
    assert r.returncode == 0
    (info,) = json.loads(r.stdout)
    assert info["Id"] == busybox.config_digest and info["RepoTags"] == [ref]
    assert list(info) == sorted(info) and r.stdout.startswith("[\n    {\n        ")
    r = pouch("image", "inspect", "-f", "{{.ID}} {{.Os}}", ref, "nosuch:v9", short)
    assert r.returncode == 1
    assert r.stdout == f"{busybox.config_digest} linux\n{busybox.config_digest} linux\n"
    assert re.fullmatch(r"Error: Fetch object error: image \S*nosuch:v9: not found\n", r.stderr)

    r = pouch("history", ref)
    assert r.returncode == 0
    rows = r.stdout.splitlines()
    assert re.fullmatch(r"IMAGE {10}CREATED {6,}CREATED BY {3,}SIZE {3,}COMMENT", rows[0])
    assert rows[1].startswith(f"{short}   ") and re.search(r"\d+ years? ago", rows[1])
    assert rows[2].startswith("<missing>      ")
    r = pouch("history", "-q", "--no-trunc", ref)
    assert r.stdout == f"{busybox.config_digest}\n<missing>\n"


@needs_e2e
def test_pull_on_a_terminal_redraws_the_table(daemon: PouchD, registry: Registry, tmp_path: Path) -> None:
    ref = f"{registry.address}/test/other:v1"
    code, text = on_a_terminal([POUCH, "-H", daemon.host, "pull", ref], tmp_path, size=(40, 200))
    assert code == 0, text
    last = text.split(ERASE_LINE)[-1]
    assert re.search(rf"^{re.escape(ref)}: +resolved +\|\x1b\[32m\+{{38}}\x1b\[0m\| *$", last, re.M), last
    assert re.search(r"^layer-sha256:[0-9a-f]{64}: +done +\|\x1b\[32m\+{38}\x1b\[0m\| *$", last, re.M), last
    assert re.search(r"^elapsed: \d+\.\d *s +total: +\S+ ?\S* +\(\S+ \S+/s\) *$", last, re.M), last


@needs_e2e
def test_a_slow_pull_on_a_terminal_is_redrawn_in_place(daemon: PouchD, busybox: TestImage, tmp_path: Path) -> None:
    # The layer's first answer stalls half-way for a while: pouchd sends its table every 300 ms
    # meanwhile, and each is drawn over the one before.
    image = build_busybox_image(extra_layer_bytes=300_000, seed=66)
    slow = image.layers[-1].digest
    with FaultyRegistry(image, "test/slow", "v1", faults={slow: Fault.stall(times=1)}, stall_limit=1.5) as reg:
        (tmp_path / "d").mkdir()
        with PouchD(tmp_path / "d", "--insecure-registries", reg.address).start() as d:
            code, text = on_a_terminal([POUCH, "-H", d.host, "pull", reg.reference], tmp_path, size=(40, 200))
    frames = text.split(ERASE_LINE)
    assert len(frames) > 2, text
    # a frame drawn while the layer was on its way: its bar not full, <current>/<total> after it
    assert re.search(
        rf"^layer-{slow}: +downloading +\|\x1b\[32m\+*\x1b\[0m-+\| +[\d.]+ ?\S*/[\d.]+ \S+ *$", text, re.M
    ), text
    # each frame erases exactly the lines of the one before (no line wraps at 200 columns)
    erase_runs = [len(m.group(0)) // len(ERASE_LINE) for m in re.finditer(f"(?:{re.escape(ERASE_LINE)})+", text)]
    drawn = [f.count("\n") for f in re.split(f"(?:{re.escape(ERASE_LINE)})+", text)]
    assert erase_runs == drawn[: len(erase_runs)], (erase_runs, drawn)
    if code != 0:  # pouchd gave up on the stalled blob: one error line after the table
        assert re.search(r"\nError: [^\n]+\n$", text), text


@needs_e2e
def test_pull_errors_are_one_line(pouch: Callable[..., subprocess.CompletedProcess[str]], registry: Registry) -> None:
    r = pouch("pull", f"{registry.address}/test/nosuch:v1")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("Error: failed to pull image: ") and r.stderr.count("\n") == 1, r.stderr
    r = pouch("pull", "127.0.0.1:1/test/busybox:v1")  # nothing listens there
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1, r.stderr


@needs_e2e
def test_tag_then_rmi_reports_every_failure(
    pouch: Callable[..., subprocess.CompletedProcess[str]], registry: Registry
) -> None:
    src = f"{registry.address}/test/busybox:v1"
    assert pouch("pull", src).returncode == 0
    for name in ("h6tag:a", "h6tag:b"):
        r = pouch("tag", src, name)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    names = pouch("images").stdout
    assert "h6tag:a" in names and "h6tag:b" in names
    r = pouch("rmi", "h6tag:a", "nosuch-x", "h6tag:b", "nosuch-y")
    assert r.returncode == 1
    assert r.stdout == "h6tag:a\nh6tag:b\n"
    errors = r.stderr.splitlines()
    assert len(errors) == 2 and all(e.startswith("Error: failed to remove images: image ") for e in errors), errors
    assert "nosuch-x" in errors[0] and "nosuch-y" in errors[1]
    assert "h6tag" not in pouch("images").stdout
    r = pouch("tag", src, "Bad Name")
    assert (r.returncode, r.stderr) == (1, "Error: the tag reference (Bad Name) is not valid reference\n")


@needs_e2e
def test_load_from_a_file_and_from_stdin(
    pouch: Callable[..., subprocess.CompletedProcess[str]], daemon: PouchD, busybox: TestImage, tmp_path: Path
) -> None:
    archive = oci_layout_tar(busybox, ["v7"], dest=tmp_path / "bb.tar")
    r = pouch("load", "-i", str(archive), "h6loaded")
    _skip_if_not_served(r)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert "h6loaded:v7" in pouch("images").stdout
    with open(archive, "rb") as stdin:
        r2 = subprocess.run(
            [POUCH, "-H", daemon.host, "load", "h6stdin"],
            stdin=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(tmp_path)},
            timeout=120,
        )
    assert (r2.returncode, r2.stdout, r2.stderr) == (0, "", "")
    assert "h6stdin:v7" in pouch("images").stdout
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 64)
    r = pouch("load", "-i", str(tmp_path / "junk.tar"))
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to load images: ") and r.stderr.count("\n") == 1


@needs_e2e
def test_save_then_load_through_a_pipe(
    pouch: Callable[..., subprocess.CompletedProcess[str]], daemon: PouchD, registry: Registry, tmp_path: Path
) -> None:
    src = f"{registry.address}/test/busybox:v1"
    assert pouch("pull", src).returncode == 0
    archive = tmp_path / "bb.tar"
    r = pouch("save", "-o", str(archive), src)
    _skip_if_not_served(r)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    with tarfile.open(archive) as tar:
        assert "index.json" in tar.getnames() and "oci-layout" in tar.getnames()
    r = pouch("save", "-o", str(tmp_path / "none.tar"), "nosuch-z")
    assert r.returncode == 1 and r.stderr.startswith("Error: failed to save image: ")
    assert not (tmp_path / "none.tar").exists() and not list(tmp_path.glob(".none.tar.*"))
    # pouch save IMAGE | pouch load NAME
    env = {**os.environ, "HOME": str(tmp_path)}
    save = subprocess.Popen([POUCH, "-H", daemon.host, "save", src], stdout=subprocess.PIPE, env=env)
    load = subprocess.run(
        [POUCH, "-H", daemon.host, "load", "h6piped"], stdin=save.stdout, capture_output=True, text=True, env=env
    )
    assert save.stdout is not None
    save.stdout.close()
    assert (save.wait(60), load.returncode, load.stderr) == (0, 0, "")
    assert "h6piped:" in pouch("images").stdout


@needs_e2e
def test_search_answers_a_table_or_one_error_line(
    pouch: Callable[..., subprocess.CompletedProcess[str]], registry: Registry
) -> None:
    # docker-registry has no /v1/search: pouchd's answer must still be one clear line
    r = pouch("search", "-r", f"{registry.url}/v1/", "busybox")
    _skip_if_not_served(r)
    if r.returncode == 0:
        assert r.stdout.startswith("NAME   DESCRIPTION   STARS   OFFICIAL   AUTOMATED\n")
    else:
        assert r.stderr.startswith("Error: failed to search images: ") and r.stderr.count("\n") == 1, r.stderr


@needs_e2e
def test_push_shows_progress(pouch: Callable[..., subprocess.CompletedProcess[str]], registry: Registry) -> None:
    src = f"{registry.address}/test/busybox:v1"
    dst = f"{registry.address}/test/pushed:v2"
    assert pouch("pull", src).returncode == 0
    assert pouch("tag", src, dst).returncode == 0
    r = pouch("push", dst)
    _skip_if_not_served(r)
    assert (r.returncode, r.stderr) == (0, "")
    assert re.search(r"^\S+: done$", r.stdout, re.M), r.stdout
    with httpx.Client() as c:
        # docker-registry answers a client that accepts no OCI manifest with 404 for one
        accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
        r = c.get(f"{registry.url}/v2/test/pushed/manifests/v2", headers={"Accept": accept})
        assert r.status_code == 200, r.text


@needs_e2e
def test_pull_sends_the_saved_credentials(
    busybox: TestImage, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    if missing_tools():
        pytest.skip(missing_tools() or "")
    home = tmp_path / "home"
    home.mkdir()
    with Registry(tmp_path_factory.mktemp("auth-registry"), htpasswd={USER: PASSWORD}) as reg:
        push(busybox, reg.address, "private/busybox", "v1", auth=(USER, PASSWORD))
        (tmp_path / "d").mkdir()
        with PouchD(tmp_path / "d", "--insecure-registries", reg.address).start() as d:
            ref = f"{reg.address}/private/busybox:v1"
            r = run_pouch("pull", ref, host=d.host, env={"HOME": str(home)})
            assert r.returncode == 1 and r.stderr.startswith("Error: failed to pull image: "), r.stderr
            CredentialStore(home / ".pouch" / "config.json").store(reg.address, USER, PASSWORD)
            r = run_pouch("pull", ref, host=d.host, env={"HOME": str(home)})
            assert (r.returncode, r.stderr) == (0, ""), r.stderr
            assert f"{ref}: resolved" in r.stdout
