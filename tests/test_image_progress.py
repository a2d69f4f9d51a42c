"""pouch's pull progress (pouch_server/managers/images/progress.py): the bytes pouch's
pkg/jsonstream writes (Go's encoding/json of JSONMessage: key order, omitempty, Go's time format
and escapes), the table's life (resolving → resolved, waiting → downloading → done, exists, the
final round, the error object) and the 300 ms stream."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from pouch_server.managers.images.progress import (
    INTERVAL,
    Progress,
    error_message,
    go_string,
    go_time,
    message,
)

ZERO = "0001-01-01T00:00:00Z"
LAYER = "layer-sha256:" + "a" * 64
CONFIG = "config-sha256:" + "b" * 64


def objects(stream: bytes) -> list[dict[str, Any]]:
    decoder, text, out, i = json.JSONDecoder(), stream.decode(), [], 0
    while i < len(text):
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)
    return out


# ---- Go's encoding ----------------------------------------------------------------------------------


def test_times_are_gos_rfc3339nano() -> None:
    assert go_time(None) == ZERO
    assert go_time(0) == "1970-01-01T00:00:00Z"
    assert go_time(1_551_434_400_100_000_000) == "2019-03-01T10:00:00.1Z"  # trailing zeros dropped
    assert go_time(1_551_434_400_123_456_789) == "2019-03-01T10:00:00.123456789Z"
    assert go_time(1_551_434_400_000_000_010) == "2019-03-01T10:00:00.00000001Z"


def test_strings_are_escaped_as_go_does() -> None:
    assert go_string("a<b>&c") == '"a\\u003cb\\u003e\\u0026c"'
    assert go_string("héllo ✓") == '"héllo ✓"'  # UTF-8 kept, not \u-escaped
    assert go_string("\b\f\n\t\x01") == '"\\u0008\\u000c\\n\\t\\u0001"'
    assert go_string("\u2028") == '"\\u2028"'
    assert go_string('quote " back \\') == '"quote \\" back \\\\"'


def test_a_message_has_pouchs_keys_in_gos_order() -> None:
    assert message(id="x", status="downloading", detail=(1, 2), started_at=0, updated_at=1_000_000_000) == (
        b'{"id":"x","status":"downloading","progressDetail":{"current":1,"total":2},'
        b'"started_at":"1970-01-01T00:00:00Z","updated_at":"1970-01-01T00:00:01Z"}'
    )
    # omitempty: no id, status or detail; the times are always there (a Go struct is never empty).
    assert message() == b'{"started_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}'


def test_the_error_object_is_pouchs() -> None:
    assert error_message("boom <x>") == (
        b'{"errorDetail":{"code":500,"message":"boom \\u003cx\\u003e"},"error":"boom \\u003cx\\u003e",'
        b'"started_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}'
    )


# ---- the table ----------------------------------------------------------------------------------------


def test_the_table_through_a_pull() -> None:
    async def scenario() -> list[list[dict[str, Any]]]:
        p = Progress()
        frames = [p.render()]  # nothing before the image is resolved
        p.start("127.0.0.1:5000/test/busybox:v1")
        frames.append(p.render())
        p.add(CONFIG)
        p.add(LAYER)
        frames.append(p.render())
        p.done(CONFIG, 444)
        p.downloading(LAYER, 1024, 4096, 1_551_434_400_100_000_000)
        frames.append(p.render())
        p.finish()
        frames.append(p.tail())
        assert frames[0] == b""
        return [objects(f) for f in frames[1:]]

    resolving, waiting, downloading, final = asyncio.run(scenario())
    head = {"id": "127.0.0.1:5000/test/busybox:v1", "progressDetail": {"current": 0, "total": 0}}
    assert resolving == [{**head, "status": "resolving", "started_at": ZERO, "updated_at": ZERO}]
    assert waiting[0]["status"] == "resolved"
    assert waiting[1:] == [
        {"id": CONFIG, "status": "waiting", "started_at": ZERO, "updated_at": ZERO},
        {"id": LAYER, "status": "waiting", "started_at": ZERO, "updated_at": ZERO},
    ]
    config, layer = downloading[1:]
    assert config["status"] == "done" and config["progressDetail"] == {"current": 444, "total": 444}
    assert config["started_at"] == ZERO and config["updated_at"] != ZERO
    assert layer["status"] == "downloading" and layer["progressDetail"] == {"current": 1024, "total": 4096}
    assert layer["started_at"] == "2019-03-01T10:00:00.1Z"
    # pouch's last round: every line done, with what it showed last.
    assert [(o["id"], o["status"]) for o in final[1:]] == [(CONFIG, "done"), (LAYER, "done")]
    assert final[2]["progressDetail"] == {"current": 1024, "total": 4096}


def test_exists_has_no_detail_and_no_times() -> None:
    async def scenario() -> list[dict[str, Any]]:
        p = Progress()
        p.start("r/x:1")
        p.add(LAYER)
        p.exists(LAYER)
        p.finish()
        return objects(p.tail())

    assert asyncio.run(scenario())[1] == {"id": LAYER, "status": "exists", "started_at": ZERO, "updated_at": ZERO}


def test_a_failure_ends_with_the_table_then_the_error() -> None:
    async def scenario() -> tuple[list[dict[str, Any]], bool]:
        p = Progress()
        p.start("r/x:1")
        p.add(LAYER)
        p.fail("failed commit on ref: unexpected commit digest")
        p.fail("a later error is not the one reported")
        return objects(p.tail()), p.ended.is_set()

    tail, ended = asyncio.run(scenario())
    assert ended
    assert [o.get("status") for o in tail] == ["resolved", "done", None]
    assert tail[-1]["errorDetail"] == {"code": 500, "message": "failed commit on ref: unexpected commit digest"}
    assert tail[-1]["error"] == "failed commit on ref: unexpected commit digest"


# ---- the stream -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fail", [False, True])
def test_frames_every_interval_then_the_tail_at_once(fail: bool) -> None:
    """The table every INTERVAL while the pull runs; when it ends, the last round at once, not at
    the next tick."""

    async def scenario() -> tuple[list[tuple[float, bytes]], float]:
        p = Progress()
        p.start("r/x:1")
        p.add(LAYER)
        started = time.monotonic()
        got: list[tuple[float, bytes]] = []

        async def pull() -> None:
            await asyncio.sleep(INTERVAL * 3.5)
            p.downloading(LAYER, 1, 2, None)
            if fail:
                p.fail("boom")
            else:
                p.finish()

        task = asyncio.create_task(pull())
        async for frame in p.frames():
            got.append((time.monotonic() - started, frame))
        await task
        return got, time.monotonic() - started

    got, total = asyncio.run(scenario())
    assert len(got) == 4  # three ticks, then the tail
    for i, (at, _) in enumerate(got[:3]):
        assert INTERVAL * (i + 1) - 0.05 <= at < INTERVAL * (i + 1) + 0.2
    assert got[3][0] < INTERVAL * 3.5 + 0.1 and total < INTERVAL * 3.5 + 0.2
    last = objects(got[3][1])
    assert last[1]["status"] == "done"
    assert ("errorDetail" in last[-1]) is fail
    assert all(objects(frame)[1]["status"] == "waiting" for _, frame in got[:3])


def test_a_fast_pull_still_sends_one_table() -> None:
    async def scenario() -> list[bytes]:
        p = Progress()
        p.start("r/x:1")
        p.add(LAYER)
        p.done(LAYER, 3)
        p.finish()
        return [frame async for frame in p.frames()]

    frames = asyncio.run(scenario())
    assert len(frames) == 1 and [o["status"] for o in objects(frames[0])] == ["resolved", "done"]


def test_a_backslash_before_b_or_f_is_not_taken_for_an_escape() -> None:
    """A literal ``\\b`` (backslash, b) is two characters, not a backspace; with a real one beside it."""
    assert go_string("C:\\bin\\f") == '"C:\\\\bin\\\\f"'
    assert go_string("\\b\b<") == '"\\\\b\\u0008\\u003c"'
    assert json.loads(go_string("\\b\b\f\u2028&")) == "\\b\b\f\u2028&"
