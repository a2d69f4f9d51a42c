"""Hostile and broken input: the daemon answers 4xx JSON, keeps serving, and its state is untouched.

What reaches pouchd's app is sent to it in this process; what its protocol layer answers (sizes,
times, malformed HTTP, raw paths) goes to a pouchd subprocess over its socket. Each is one daemon
for the whole module, which must come out of it healthy.
"""

from __future__ import annotations

import grp
import json
import os
import re
import socket
import stat
import time
from collections.abc import Iterator

import pytest
from helpers import (
    NOT_FROZEN,
    InProcess,
    PouchD,
    assert_error,
    info,
    ping_over,
    pinging,
    pouchd_command,
    raw_exchange,
    split_response,
)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PouchD]:
    with PouchD(
        tmp_path_factory.mktemp("hostile"),
        "--label",
        "keep=me",
        "--header-timeout",
        "1",
        "--body-timeout",
        "1",
        "--max-body-size",
        "64k",
    ).start() as d:
        yield d


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    """One for the module (not one per test, as elsewhere): it must keep serving through all of it."""
    with InProcess(tmp_path_factory.mktemp("hostile-app"), "--label", "keep=me") as d:
        yield d


def labels(d: PouchD | InProcess) -> list[str]:
    return info(d)["Labels"]


BAD_BODIES = [
    b"{not json",
    b'{"Labels": ["a=b"]',
    b"",
    b"null",
    b"[]",
    b"[1, 2]",
    b'"text"',
    b"42",
    b"true",
    b'{"Labels": "a=b"}',
    b'{"Labels": [1]}',
    b'{"Labels": [null]}',
    b'{"Labels": null}',
    b'{"ImageProxy": 5}',
    b'{"Labels": {"a": "b"}}',
    b"\xff\xfe\x00",
    b'{"Labels": ["=nokey"]}',
    b"{}",
    b'{"Labels": ["a=b"], "x": ' + b"9" * 5000 + b"}",  # a number longer than int() takes
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_update_bodies_are_400_and_change_nothing(app: InProcess, body: bytes) -> None:
    before = labels(app)
    r = app.client().post("/v1.24/daemon/update", content=body, headers={"content-type": "application/json"})
    assert_error(r, 400)
    assert labels(app) == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_wrong_content_type_is_415(app: InProcess, content_type: str) -> None:
    r = app.client().post("/daemon/update", content=b'{"Labels": ["x=y"]}', headers={"content-type": content_type})
    assert_error(r, 415)
    assert "x=y" not in labels(app)


def test_deeply_nested_json_is_400(app: InProcess) -> None:
    n = 30000  # within the 64k body limit, far beyond the parser's recursion limit
    body = b'{"Labels": ' + b"[" * n + b"]" * n + b"}"
    msg = assert_error(
        app.client().post("/daemon/update", content=body, headers={"content-type": "application/json"}), 400
    )
    assert msg == "request body is nested too deeply"


def test_validation_errors_do_not_echo_values(app: InProcess) -> None:
    r = app.client().post("/auth", json={"Username": "u", "Password": 918273645})
    msg = assert_error(r, 400)
    assert "918273645" not in r.text and "Password" in msg


def test_body_over_limit_is_413(daemon: PouchD) -> None:
    big = json.dumps({"Labels": ["k=" + "v" * 70_000]}).encode()
    r = daemon.client().post("/daemon/update", content=big, headers={"content-type": "application/json"})
    assert_error(r, 413)

    def chunks():
        for _ in range(80):
            yield b"x" * 1024

    r = daemon.client().post("/daemon/update", content=chunks(), headers={"content-type": "application/json"})
    assert_error(r, 413)
    assert daemon.client().get("/_ping").text == "OK"


def test_chunked_bodies_are_accepted(daemon: PouchD) -> None:
    def chunks():
        yield b'{"Labels": '
        yield b'["chunked=yes"]}'

    r = daemon.client().post("/daemon/update", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert "chunked=yes" in labels(daemon)


def test_default_body_limit_is_one_mebibyte(pouchd: PouchD) -> None:
    big = b'{"Labels": ["k=' + b"v" * (1024 * 1024) + b'"]}'
    r = pouchd.client().post("/daemon/update", content=big, headers={"content-type": "application/json"})
    assert_error(r, 413)


# Big but legal: bodies within the 1 MiB body limit (and a query within the header limit) that
# once made the daemon work for seconds on its one event loop. Each is answered at once with an
# error naming the limit it breaks, while /_ping keeps answering on other connections.
BIG_LEGAL = {
    "150k-labels": ("POST", "/daemon/update", {"Labels": ["k=v"] * 149_000}, 400, "maxItems 256"),
    "900KB-label": ("POST", "/daemon/update", {"Labels": ["k=" + "v" * 900_000]}, 400, "maxLength 4096"),
    "1MiB-password": ("POST", "/auth", {"Username": "u", "Password": "p" * (1 << 20)}, 413, "larger than 1048576"),
    "3000-event-filters": ("GET", "/events", {"label": [f"l{i}" for i in range(3000)]}, 400, "at most 256"),
}


@pytest.mark.parametrize("case", list(BIG_LEGAL))
def test_big_but_legal_requests_are_refused_without_freezing_the_daemon(pouchd: PouchD, case: str) -> None:
    method, path, payload, status, needle = BIG_LEGAL[case]
    state = pouchd.home / "daemon-state.json"
    before = labels(pouchd), state.read_bytes() if state.exists() else None
    with pinging(pouchd) as pings, pouchd.client() as c:
        if method == "POST":
            body = json.dumps(payload).encode()
            assert len(body) <= 1 << 20 or status == 413
            r = c.post(path, content=body, headers={"content-type": "application/json"}, timeout=30)
        else:
            r = c.get(path, params={"filters": json.dumps(payload)}, timeout=30)
        assert needle in assert_error(r, status)
        assert len(r.content) < 300  # nothing of the input comes back
    assert max(pings) < NOT_FROZEN, sorted(pings)[-3:]
    assert (labels(pouchd), state.read_bytes() if state.exists() else None) == before  # nothing applied


def test_a_1mib_password_under_a_raised_body_limit_meets_the_field_limit(pouchd_factory) -> None:
    d: PouchD = pouchd_factory("--max-body-size", "4m", tcp=False)
    password = "pw-" + "Zq9" * 350_000  # about 1 MiB, distinctive: a leak anywhere would be found
    with pinging(d) as pings, d.client() as c:
        # ServerAddress pinned to loopback; the request must not get that far anyway.
        r = c.post("/auth", json={"Username": "u", "Password": password, "ServerAddress": "127.0.0.1:9"})
    assert assert_error(r, 400) == "'Password': violates maxLength 16384"
    assert max(pings) < NOT_FROZEN
    d.stop()
    assert "Zq9Zq9" not in d.logs()


@pytest.mark.parametrize(
    "request_line",
    [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"\x00\x01\x02\x03\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /_ping HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"GET /_ping HTTP/1.1\r\nBad Header\r\n\r\n",
    ],
)
def test_garbage_requests_get_json_400(daemon: PouchD, request_line: bytes) -> None:
    status, headers, body = split_response(raw_exchange(daemon, request_line))
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"message": "invalid HTTP request"}
    assert daemon.client().get("/_ping").text == "OK"


def test_oversized_headers_are_431(daemon: PouchD) -> None:
    data = b"GET /_ping HTTP/1.1\r\nHost: d\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    status, _, body = split_response(raw_exchange(daemon, data))
    assert status == 431 and "headers larger than" in json.loads(body)["message"]
    r = daemon.client().get("/_ping", headers={"X-Long": "b" * 80_000})
    assert_error(r, 431)


def test_pipelined_requests_are_answered_in_order(daemon: PouchD) -> None:
    data = (
        b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
        b"GET /v1.24/version HTTP/1.1\r\nHost: d\r\n\r\n"
        b"GET /nope HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"
    )
    raw = raw_exchange(daemon, data)
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]
    assert statuses == [200, 200, 404]
    assert b'"ApiVersion": "1.24"' in raw


def test_trickled_headers_are_cut_off_with_408(daemon: PouchD) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(daemon.sock))
        start = time.monotonic()
        out = b""
        for piece in (b"GET /_p", b"ing HTTP/1.1\r\n", b"Host: d\r\n", b"X-Slow: 1\r\n", b"X-Slow: 2\r\n"):
            try:
                s.sendall(piece)
            except OSError:
                break
            time.sleep(0.4)
        while time.monotonic() - start < 5:
            chunk = s.recv(4096)
            if not chunk:
                break
            out += chunk
    status, _, body = split_response(out)
    assert status == 408 and json.loads(body)["message"] == "request headers not received in time"
    assert daemon.client().get("/_ping").text == "OK"


def test_idle_connection_without_a_request_is_closed(daemon: PouchD) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(daemon.sock))
        data = s.recv(4096)  # the daemon answers 408 and closes after the header timeout
        assert data.startswith(b"HTTP/1.1 408")


def test_an_idle_keep_alive_connection_stays_open(daemon: PouchD) -> None:
    # pouch keeps one open for 10 minutes (its IdleTimeout), dockerd forever; uvicorn's default
    # closed it after 5 s, racing the next request of a client that paused (docker-py's pool).
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(daemon.sock))
        for pause in (0.0, 6.0):
            time.sleep(pause)
            ping_over(s, f"the daemon closed the connection after {pause:g} s idle")


def test_trickled_body_is_cut_off_with_408(daemon: PouchD) -> None:
    data = (
        b"POST /daemon/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
        b'Content-Length: 40\r\n\r\n{"Labels": '
    )
    status, _, body = split_response(raw_exchange(daemon, data))
    assert status == 408 and json.loads(body)["message"] == "request body not received in time"
    assert "keep=me" in labels(daemon)


@pytest.mark.parametrize(
    "path",
    [
        "/ui/../../../../etc/passwd",
        "/ui/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/ui/..%2f..%2f..%2fetc%2fpasswd",
        "/v1.24/ui/%2e%2e%2f%2e%2e%2fpouch_server%2fapp.py",
        "/ui/..%5c..%5cetc%5cpasswd",
        "/ui/%252e%252e/etc/passwd",
        "/ui//etc/passwd",
    ],
)
def test_path_traversal_under_ui_is_404(daemon: PouchD, path: str) -> None:
    raw = raw_exchange(daemon, f"GET {path} HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n".encode())
    status, headers, body = split_response(raw)
    assert status == 404 and headers["content-type"] == "application/json", raw[:300]
    assert b"root:" not in body and b"import" not in body


@pytest.mark.parametrize(
    ("prefix", "status"),
    [
        ("/v1.24.0", 200),
        ("/v1.24.0.0", 200),
        ("/v" + "9" * 60, 400),
        ("/v0", 400),
        ("/v1." + "1" * 200, 400),
        ("/v1..24", 404),
        ("/v-1.24", 404),
        ("/V1.24", 404),
        ("/v1.24%2e0", 200),
        ("/v1%2e25", 400),
    ],
)
def test_absurd_version_prefixes(app: InProcess, prefix: str, status: int) -> None:
    r = app.client().get(f"{prefix}/version")
    assert r.status_code == status
    if status != 200:
        assert_error(r, status)


@pytest.mark.parametrize(
    "params",
    [
        {"since": "-1"},
        {"since": "1e9"},
        {"until": "12:00"},
        {"since": "1.1234567891"},
        {"filters": "{"},
        {"filters": '{"type": "container"'},
        {"filters": '{"nope": ["x"]}'},
        {"filters": '{"type": ["alien"]}'},
        {"filters": '{"event": "update"}'},
        {"filters": "[1]"},
        {"since": "\u0661\u0662"},
    ],
)
def test_bad_event_parameters_are_400(app: InProcess, params: dict[str, str]) -> None:
    assert_error(app.client().get("/events", params=params), 400)


def test_unicode_labels_round_trip(app: InProcess) -> None:
    wanted = ["zone=杭州", "emoji=🐳", "ключ=значение", "mixed=a\u00e9\u4e2d"]
    r = app.client().post("/daemon/update", json={"Labels": wanted})
    assert r.status_code == 200
    got = labels(app)
    for label in wanted:
        assert label in got
    state = json.loads((app.home / "daemon-state.json").read_text(encoding="utf-8"))
    assert set(wanted) <= set(state["labels"])
    events = app.client().get("/events", params={"since": "0", "until": str(time.time())}).text
    last = [json.loads(x) for x in events.splitlines()][-1]
    assert last["actor"]["Attributes"]["zone"] == "杭州" and last["actor"]["Attributes"]["emoji"] == "🐳"


def test_state_files_are_private(daemon: PouchD) -> None:
    assert stat.S_IMODE(daemon.home.stat().st_mode) == 0o700
    for name in ("daemon-state.json", "engine-id"):
        path = daemon.home / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_group_flag_sets_the_socket_group(pouchd_factory) -> None:
    try:
        gid = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        pytest.skip("no 'nogroup' group on this machine")
    if os.geteuid() != 0 and gid not in os.getgroups():
        pytest.skip("only root (or a member) may give a socket to that group")
    d: PouchD = pouchd_factory("--group", "nogroup", tcp=False)
    st = d.sock.stat()
    assert st.st_gid == gid and stat.S_IMODE(st.st_mode) == 0o660


def test_unknown_group_is_a_clear_error(tmp_path) -> None:
    import subprocess

    r = subprocess.run(
        pouchd_command(
            "--home-dir",
            str(tmp_path / "h"),
            "-l",
            f"unix://{tmp_path}/s.sock",
            "--config-file",
            "",
            "--group",
            "no-such-group-xyz",
        ),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1 and "group 'no-such-group-xyz' does not exist" in r.stderr
    assert not (tmp_path / "s.sock").exists()


def test_daemon_still_healthy_after_all_of_it(daemon: PouchD, app: InProcess) -> None:
    for d in (daemon, app):
        assert d.client().get("/_ping").text == "OK"
        assert "keep=me" in labels(d)
        assert "Traceback" not in d.logs()
