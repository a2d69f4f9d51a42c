"""GET /events and ``pouch events`` against a real pouchd: replay, live streaming, filters, errors,
subscription lifetime, slow clients; bad parameters on pouchd's app in this process; and the CLI's
time parsing and output format."""

from __future__ import annotations

import calendar
import json
import queue
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from helpers import POUCH, InProcess, PouchD, fd_count, info, run_pouch, wait_for

from pouch_cli.errors import CLIError
from pouch_cli.events import format_event, format_time, get_timestamp, parse_duration, parse_filters

NS = 1_000_000_000
# <time RFC3339, 9-digit nanoseconds, zone> <type> <action> <actor id> (k=v, k=v)
LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}(?:Z|[+-]\d{2}:\d{2})) "
    r"(\S+) (\S+) (\S+)(?: \((.*)\))?$"
)


# --- helpers -----------------------------------------------------------------------------------


def now_wire() -> str:
    ns = time.time_ns()
    return f"{ns // NS}.{ns % NS:09d}"


def get_events(d: PouchD, **params: str) -> list[dict]:
    """A request that ends by itself (``until`` in the past): every event it sent."""
    with d.client() as c:
        r = c.get("/events", params=params, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def replay(d: PouchD, **params: str) -> list[dict]:
    return get_events(d, since="0", until=now_wire(), **params)


@contextmanager
def event_stream(d: PouchD, read_timeout: float = 10, **params: str) -> Iterator[Iterator[dict]]:
    """A live stream; once this yields, the response has started, so the daemon has subscribed us."""
    with d.client() as c, c.stream("GET", "/events", params=params, timeout=httpx.Timeout(10, read=read_timeout)) as r:
        assert r.status_code == 200
        yield (json.loads(line) for line in r.iter_lines() if line.strip())


def update(
    d: PouchD, labels: list[str] | None = None, proxy: str | None = None, client: httpx.Client | None = None
) -> None:
    body: dict = {}
    if labels is not None:
        body["Labels"] = labels
    if proxy is not None:
        body["ImageProxy"] = proxy
    if client is None:
        with d.client() as c:
            r = c.post("/daemon/update", json=body)
    else:
        r = client.post("/daemon/update", json=body)
    assert r.status_code == 200, r.text


def raw_stream(d: PouchD, query: str = "") -> socket.socket:
    """A GET /events on a raw socket, read up to the end of the headers and no further."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(d.sock))
    s.sendall(f"GET /events{query} HTTP/1.1\r\nHost: d\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)  # one byte at a time: leave the body unread
        assert chunk, "connection closed before the headers"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return s


class LineReader:
    """Reads a subprocess's stdout in a thread, so that tests can wait for a line with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert proc.stdout is not None
        stdout = proc.stdout

        def pump() -> None:
            for line in stdout:
                self.lines.put(line.rstrip("\n"))
            self.lines.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def get(self, timeout: float) -> str | None:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None


# --- history, replay, until --------------------------------------------------------------------


def test_daemon_start_is_in_history(pouchd: PouchD) -> None:
    events = replay(pouchd, filters=json.dumps({"event": ["start"]}))
    assert len(events) == 1
    ev = events[0]
    ident = info(pouchd)["ID"]
    assert ev["type"] == "daemon" and ev["action"] == "start" and ev["status"] == "start"
    assert ev["id"] == ident and ev["actor"]["ID"] == ident
    assert ev["actor"]["Attributes"]["name"] == socket.gethostname()
    assert ev["time"] == ev["timeNano"] // NS
    assert abs(ev["timeNano"] - time.time_ns()) < 600 * NS
    # docker's names, with the same values, for clients that index by them (docker-py's users)
    assert ev["Type"] == ev["type"] and ev["Action"] == ev["action"] and ev["Actor"] == ev["actor"]
    assert ev["scope"] == "local"


def test_replay_since_until_bounds_are_inclusive_and_until_ends_the_stream(pouchd: PouchD) -> None:
    update(pouchd, ["rep=a"])
    update(pouchd, ["rep=b"])
    update(pouchd, ["rep=c"])
    mine = [e for e in replay(pouchd, filters=json.dumps({"label": ["rep"]}))]
    assert [e["actor"]["Attributes"]["rep"] for e in mine][-3:] == ["a", "b", "c"]
    a, b, c = mine[-3:]

    def wire(ns: int) -> str:
        return f"{ns // NS}.{ns % NS:09d}"

    only_b = get_events(pouchd, since=wire(b["timeNano"]), until=wire(b["timeNano"]))
    assert [e["actor"]["Attributes"].get("rep") for e in only_b] == ["b"]
    b_to_c = get_events(pouchd, since=wire(b["timeNano"]), until=wire(c["timeNano"]))
    assert [e["actor"]["Attributes"].get("rep") for e in b_to_c] == ["b", "c"]
    until_a = get_events(pouchd, until=wire(a["timeNano"]))  # until alone replays from the start
    assert until_a[0]["action"] == "start" and until_a[-1]["timeNano"] == a["timeNano"]
    # Whole seconds are accepted as well as seconds.nanoseconds.
    assert get_events(pouchd, since=str(c["timeNano"] // NS + 1), until=str(c["timeNano"] // NS + 1)) == []


def test_until_in_the_near_future_ends_the_live_stream(pouchd: PouchD) -> None:
    until = time.time_ns() + NS  # one second from now
    t0 = time.monotonic()
    with pouchd.client() as c:
        r = c.get("/events", params={"until": f"{until // NS}.{until % NS:09d}"}, timeout=10)
    assert r.status_code == 200
    assert 0.5 < time.monotonic() - t0 < 6


def test_live_stream_sends_new_events_only(pouchd: PouchD) -> None:
    with event_stream(pouchd) as events:
        update(pouchd, ["live=1"], proxy="http://live.example:3128")
        ev = next(events)
    # Without since nothing is replayed: the first event is ours, not the daemon's start.
    assert (ev["type"], ev["action"]) == ("daemon", "update")
    assert ev["actor"]["Attributes"]["live"] == "1"
    assert ev["actor"]["Attributes"]["image-proxy"] == "http://live.example:3128"


def test_since_replays_then_continues_live(pouchd: PouchD) -> None:
    update(pouchd, ["cont=before"])
    with event_stream(pouchd, since="0", filters=json.dumps({"label": ["cont"]})) as events:
        assert next(events)["actor"]["Attributes"]["cont"] == "before"
        update(pouchd, ["cont=after"])
        assert next(events)["actor"]["Attributes"]["cont"] == "after"


# --- filters and bad parameters ----------------------------------------------------------------


def test_filters_type_event_label(pouchd: PouchD) -> None:
    update(pouchd, ["flt=1"])
    update(pouchd, ["flt=2", "other=x"])

    def actions(**filters: list[str]) -> list[str]:
        return [f"{e['type']} {e['action']}" for e in replay(pouchd, filters=json.dumps(filters))]

    assert set(actions(type=["daemon"])) == {"daemon start", "daemon update"}
    assert actions(type=["container"]) == []
    assert actions(type=["container", "daemon"]) == actions(type=["daemon"])  # values of a key: OR
    assert actions(event=["start"]) == ["daemon start"]
    assert actions(type=["daemon"], event=["start"]) == ["daemon start"]  # keys: AND
    assert actions(type=["image"], event=["start"]) == []

    def flt(*labels: str) -> list[str]:
        evs = replay(pouchd, filters=json.dumps({"label": list(labels)}))
        return [e["actor"]["Attributes"].get("flt", "-") for e in evs]

    # update events carry all labels, so later updates still have flt=2
    by_key = flt("flt")
    assert by_key[:2] == ["1", "2"] and all(v in ("1", "2") for v in by_key)
    assert flt("flt=1") == ["1"]
    assert set(flt("flt=1", "flt=2")) == {"1", "2"}
    assert flt("flt=3") == []
    assert flt("nosuchlabel") == []
    # docker's older encoding, map[string]map[string]bool, is understood too
    legacy = replay(pouchd, filters=json.dumps({"event": {"start": True, "update": False}}))
    assert [e["action"] for e in legacy] == ["start"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"filters": '{"colour": ["red"]}'}, "colour"),
        ({"filters": '{"type": ["spaceship"]}'}, "spaceship"),
        ({"filters": "{not json"}, "filters"),
        ({"filters": '["type"]'}, "filters"),
        ({"filters": '{"type": "daemon"}'}, "type"),
        ({"filters": '{"type": [1]}'}, "type"),
        # Nested some thousand deep, which a query string holds: the parser's recursion, not a 500.
        ({"filters": "[" * 3000 + "]" * 3000}, "nested too deeply"),
        ({"filters": '{"label": ' + "[" * 3000 + "]" * 3000 + "}"}, "nested too deeply"),
        ({"since": "yesterday"}, "since"),
        ({"since": "-5"}, "since"),
        ({"until": "1.1234567890"}, "until"),
        ({"until": "1e9"}, "until"),
        ({"since": "20", "until": "10"}, "cannot be after"),
        # More digits than int() will parse: later than any event, so after this until.
        ({"since": "9" * 5000, "until": "10"}, "cannot be after"),
        ({"since": "9223372036854775808", "until": "10"}, "cannot be after"),
    ],
)
def test_bad_parameters_are_400_with_a_message(app: InProcess, params: dict, needle: str) -> None:
    with app.client() as c:
        r = c.get("/events", params=params)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    message = r.json()["message"]
    assert needle in message


# --- daemon stop, subscriptions, slow clients --------------------------------------------------


def test_daemon_stop_reaches_live_streams_then_they_end(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    cli = subprocess.Popen(
        [POUCH, "-H", d.host, "events", "-s", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        reader = LineReader(cli)
        # The replayed start event proves the CLI is subscribed (replay and subscription are atomic).
        first = reader.get(timeout=15)
        assert first is not None and " daemon start " in first
        with event_stream(d, read_timeout=15) as events:
            assert d.proc is not None
            d.proc.send_signal(signal.SIGTERM)
            ev = next(events)
            assert (ev["type"], ev["action"]) == ("daemon", "stop")
            assert list(events) == []  # the stream ends
        assert d.proc.wait(15) == 0
        line = reader.get(timeout=10)
        assert line is not None and " daemon stop " in line
        assert cli.wait(10) == 0
        assert reader.get(timeout=5) is None
        assert cli.stderr is not None and cli.stderr.read() == ""
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    d.stop()


def test_disconnected_clients_release_their_subscription(pouchd: PouchD) -> None:
    with pouchd.client() as c:
        assert c.get("/_ping").status_code == 200
    # Idle keep-alive connections of earlier tests may still close (timeout 5s): take the lowest.
    wait_for(lambda: False, 0.3)
    baseline = fd_count(pouchd.pid)
    socks = [raw_stream(pouchd) for _ in range(50)]
    try:
        assert fd_count(pouchd.pid) >= baseline + 50
    finally:
        for s in socks:
            s.close()
    assert wait_for(lambda: fd_count(pouchd.pid) <= baseline, timeout=10), (fd_count(pouchd.pid), baseline)
    # and the daemon still serves streams
    with event_stream(pouchd) as events:
        update(pouchd, ["after_disconnects=1"])
        assert next(events)["actor"]["Attributes"]["after_disconnects"] == "1"


def test_a_client_that_never_reads_cannot_block_others(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    total = 1200  # > the per-subscriber queue (1024) + what the socket buffers hold
    pad = "x" * 4000  # big events fill the slow client's socket buffers after a few dozen

    slow = raw_stream(d)  # subscribed, and never read while we publish
    received: list[dict] = []
    errors: list[BaseException] = []
    started = threading.Event()

    def follow() -> None:
        try:
            with event_stream(d, read_timeout=30, filters=json.dumps({"event": ["update"]})) as events:
                started.set()
                for ev in events:
                    received.append(ev)
                    if len(received) == total:
                        return
        except BaseException as e:  # reported by the main thread
            errors.append(e)
            started.set()

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    assert started.wait(10)

    def publish(worker: int) -> None:
        with d.client() as c:
            for i in range(total // 4):
                update(d, [f"w{worker}={i}", f"pad={pad}"], client=c)

    t0 = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(publish, range(4)))
    publish_time = time.monotonic() - t0

    # /_ping answers promptly while the slow client's connection is stuck.
    with d.client() as c:
        t1 = time.monotonic()
        assert c.get("/_ping").status_code == 200
        assert time.monotonic() - t1 < 2

    follower.join(30)
    assert not errors, errors
    assert len(received) == total, f"follower got {len(received)}/{total} (publishing took {publish_time:.1f}s)"

    # The slow client was cut off: once it reads, it gets a gap-free prefix and then the stream ends.
    data = b""
    slow.settimeout(15)
    try:
        while not data.endswith(b"\r\n0\r\n\r\n"):
            chunk = slow.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    finally:
        slow.close()
    assert data.endswith(b"\r\n0\r\n\r\n"), "the slow client's stream did not end"
    got = data.count(b'"action":"update"')
    assert 1024 <= got < total

    # and new clients are served as usual
    with event_stream(d) as events:
        update(d, ["after_slow=1"])
        assert next(events)["actor"]["Attributes"]["after_slow"] == "1"


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_prints_replayed_events_in_pouch_format(pouchd: PouchD) -> None:
    update(pouchd, ["clifmt=1", "aaa=first"], proxy="http://fmt.example:8080")
    r = run_pouch("events", "-s", "0", "-u", now_wire(), "-f", "label=clifmt", host=pouchd.host, env={"TZ": "UTC0"})
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines
    m = LINE.match(lines[0])
    assert m, lines[0]
    stamp, typ, action, actor, attrs = m.groups()
    assert stamp.endswith("Z")
    assert (typ, action, actor) == ("daemon", "update", info(pouchd)["ID"])
    keys = [kv.split("=", 1)[0] for kv in attrs.split(", ")]
    assert keys == sorted(keys)
    assert "clifmt=1" in attrs.split(", ") and "image-proxy=http://fmt.example:8080" in attrs.split(", ")

    # The same event in another zone: same instant, printed with its offset.
    r8 = run_pouch("events", "-s", "0", "-u", now_wire(), "-f", "label=clifmt", host=pouchd.host, env={"TZ": "XXX-8"})
    stamp8 = LINE.match(r8.stdout.splitlines()[0]).group(1)  # type: ignore[union-attr]
    assert stamp8.endswith("+08:00")
    assert stamp8[-15:-6] == stamp[-10:-1]  # nanoseconds
    utc = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
    local = calendar.timegm(time.strptime(stamp8[:19], "%Y-%m-%dT%H:%M:%S"))
    assert local - utc == 8 * 3600


def test_cli_filters_and_durations(pouchd: PouchD) -> None:
    update(pouchd, ["clif=x"])
    r = run_pouch(
        "events",
        "--since",
        "10m",
        "--until",
        "0s",
        "-f",
        "type=daemon",
        "-f",
        "event=update",
        "-f",
        "label=clif=x",
        host=pouchd.host,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines and all(" daemon update " in line and "clif=x" in line for line in lines)
    none = run_pouch("events", "-s", "0", "-u", now_wire(), "-f", "event=nosuchaction", host=pouchd.host)
    assert none.returncode == 0 and none.stdout == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-f", "colour=red"], "Error: failed to get events: invalid filter key 'colour'"),
        (["-f", "nonsense"], "Error: bad format of filter"),
        (["-s", "yesterday"], "Error: invalid value for --since: 'yesterday'"),
        (["-u", "2026-13-01"], "Error: invalid value for --until: '2026-13-01'"),
        (["-s", "20", "-u", "10"], "Error: failed to get events: since time"),
    ],
)
def test_cli_errors_are_one_line(pouchd: PouchD, args: list[str], needle: str) -> None:
    r = run_pouch("events", *args, host=pouchd.host)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith(needle) and r.stderr.count("\n") == 1, r.stderr


def test_cli_streams_live_and_ctrl_c_exits_quietly(pouchd: PouchD) -> None:
    cli = subprocess.Popen(
        [POUCH, "-H", pouchd.host, "events"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        reader = LineReader(cli)
        line = None
        # The CLI prints nothing until an event comes, so we cannot tell when it has subscribed:
        # update until one of our updates shows up (bounded).
        for attempt in range(10):
            r = run_pouch("updatedaemon", "--label", f"clilive={attempt}", host=pouchd.host)
            assert r.returncode == 0, r.stderr
            line = reader.get(timeout=2)
            if line is not None:
                break
        assert line is not None, "no event within the time allowed"
        assert " daemon update " in line and "clilive=" in line
        assert LINE.match(line)
        cli.send_signal(signal.SIGINT)
        assert cli.wait(10) == 0
        assert cli.stderr is not None and cli.stderr.read() == ""
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()


def test_cli_stream_has_no_read_timeout(pouchd: PouchD, capsys: pytest.CaptureFixture[str]) -> None:
    """A client timeout of 0.5s, and 1.5s of silence on the stream: it must keep waiting."""
    from pouch_cli.client import ClientOptions
    from pouch_cli.events import stream_events

    until = time.time_ns() + int(2.5 * NS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            stream_events(
                ClientOptions(host=pouchd.host, timeout=0.5),
                None,
                f"{until // NS}.{until % NS:09d}",
                {"label": ["quiet"]},
            )
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    time.sleep(1.5)
    update(pouchd, ["quiet=1"])
    t.join(10)
    assert not t.is_alive()
    assert not errors, errors
    out = capsys.readouterr().out
    assert " daemon update " in out and "quiet=1" in out


def test_cli_cannot_connect(tmp_path) -> None:
    r = run_pouch("events", host=f"unix://{tmp_path}/nothing.sock")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: failed to get events: cannot connect to pouchd")


# --- CLI time parsing (unit) -------------------------------------------------------------------

NOW = 1_795_000_000 * NS + 123_456_789


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    def use(tz: str) -> None:
        monkeypatch.setenv("TZ", tz)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000000", "1700000000.000000000"),
        ("1700000000.5", "1700000000.500000000"),
        ("1700000000.123456789", "1700000000.123456789"),
        ("1700000000.1234567891", "1700000000.123456789"),
        ("0", "0.000000000"),
        ("2026-11-28T10:00:00Z", f"{calendar.timegm((2026, 11, 28, 10, 0, 0))}.000000000"),
        ("2026-11-28T10:00:00+08:00", f"{calendar.timegm((2026, 11, 28, 2, 0, 0))}.000000000"),
        ("2026-11-28T10:00:00-05:30", f"{calendar.timegm((2026, 11, 28, 15, 30, 0))}.000000000"),
        ("2026-11-28T10:00:00.5Z", f"{calendar.timegm((2026, 11, 28, 10, 0, 0))}.500000000"),
        ("2026-11-28T10:00:00.123456789123Z", f"{calendar.timegm((2026, 11, 28, 10, 0, 0))}.123456789"),
        ("2026-11-28T10:30Z", f"{calendar.timegm((2026, 11, 28, 10, 30, 0))}.000000000"),
        ("2026-11-28T10Z", f"{calendar.timegm((2026, 11, 28, 10, 0, 0))}.000000000"),
        ("2026-11-28Z", f"{calendar.timegm((2026, 11, 28, 0, 0, 0))}.000000000"),
        ("2026-11-28+01:00", f"{calendar.timegm((2026, 11, 27, 23, 0, 0))}.000000000"),
    ],
)
def test_timestamps_absolute(value: str, expected: str) -> None:
    assert get_timestamp(value, "--since", NOW) == expected


@pytest.mark.parametrize(
    ("tz", "value", "utc", "nanos"),
    [
        ("UTC0", "2026-11-28", (2026, 11, 28, 0, 0, 0), "000000000"),
        ("XXX-8", "2026-11-28", (2026, 11, 27, 16, 0, 0), "000000000"),
        ("XXX-8", "2026-11-28T10:00:00", (2026, 11, 28, 2, 0, 0), "000000000"),
        ("XXX-8", "2026-11-28T10:00:00.25", (2026, 11, 28, 2, 0, 0), "250000000"),
        ("XXX-8", "2026-11-28T10:00", (2026, 11, 28, 2, 0, 0), "000000000"),
        ("XXX+5", "2026-11-28T10", (2026, 11, 28, 15, 0, 0), "000000000"),
    ],
)
def test_timestamps_without_zone_are_local(local_tz, tz: str, value: str, utc: tuple, nanos: str) -> None:
    local_tz(tz)
    assert get_timestamp(value, "--since", NOW) == f"{calendar.timegm(utc)}.{nanos}"


@pytest.mark.parametrize(
    ("value", "ago_ns"),
    [
        ("10m", 600 * NS),
        ("1h30m", 5400 * NS),
        ("90s", 90 * NS),
        ("1.5h", 5400 * NS),
        ("300ms", 300_000_000),
        ("1.1s", 1_100_000_000),
        ("2h45m30.5s", (2 * 3600 + 45 * 60 + 30) * NS + NS // 2),
        ("1us", 1_000),
        ("1µs", 1_000),
        ("250ns", 250),
        (".5m", 30 * NS),
        ("-10m", -600 * NS),
        ("+10m", 600 * NS),
        ("0s", 0),
    ],
)
def test_timestamps_durations_are_that_long_ago(value: str, ago_ns: int) -> None:
    ns = NOW - ago_ns
    assert parse_duration(value) == ago_ns
    assert get_timestamp(value, "--since", NOW) == f"{ns // NS}.{ns % NS:09d}"


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "10x",
        "1h30",
        "h",
        ".",
        "1e9",
        "-5",
        "5.5.5",
        "2026-13-01",
        "2026-02-30",
        "2026-11-28T25:00:00",
        "2026-11-28T10:00:00+8",
        "2026-11-28 10:00:00",
        "2026-11-28T10:00:00.Z",
        "2026-11-28t10:00:00z",
        "1969-12-31T00:00:00Z",
        "1000000h",
        "9" * 5000,
        "9" * 5000 + "h",
        "9223372036854775808",  # too long for int() / past int64
    ],
)
def test_timestamps_invalid(value: str) -> None:
    with pytest.raises(CLIError) as e:
        get_timestamp(value, "--until", NOW)
    assert str(e.value).startswith("invalid value for --until")
    assert "\n" not in str(e.value)


def test_timestamp_empty_means_not_given() -> None:
    assert get_timestamp("", "--since", NOW) is None


def test_filters_flags_accumulate() -> None:
    assert parse_filters(("type=daemon", "label=a", "label=b=c", "Event = update ", "label=a")) == {
        "type": ["daemon"],
        "label": ["a", "b=c"],
        "event": ["update"],
    }
    with pytest.raises(CLIError):
        parse_filters(("type",))


def test_format_time_and_event(local_tz) -> None:
    t = calendar.timegm((2026, 11, 28, 15, 4, 5)) * NS + 123_456_789
    local_tz("UTC0")
    assert format_time(t) == "2026-11-28T15:04:05.123456789Z"
    assert format_time(t - 123_456_789) == "2026-11-28T15:04:05.000000000Z"
    local_tz("XXX-8")
    assert format_time(t) == "2026-11-28T23:04:05.123456789+08:00"
    local_tz("XXX+3:30")
    assert format_time(t) == "2026-11-28T11:34:05.123456789-03:30"
    local_tz("UTC0")
    ev = {
        "type": "daemon",
        "action": "update",
        "actor": {"ID": "ABC", "Attributes": {"z": "1", "a": "x=y"}},
        "time": t // NS,
        "timeNano": t,
    }
    assert format_event(ev) == "2026-11-28T15:04:05.123456789Z daemon update ABC (a=x=y, z=1)"
    bare = {"type": "daemon", "action": "start", "actor": {"ID": "ABC"}, "time": t // NS}
    assert format_event(bare) == "2026-11-28T15:04:05.000000000Z daemon start ABC"
