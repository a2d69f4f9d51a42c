"""POST /daemon/update and ``pouch updatedaemon`` against a real pouchd: pouch's label merge, the
image proxy, bad requests, durability across SIGTERM and SIGKILL, concurrency, the state file,
the ``daemon update`` event, and the CLI's online and ``--offline`` modes."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from helpers import InProcess, PouchD, Served, info, run_pouch, spec

from pouch_common.labels import label_problem, merge_labels

STATE = "daemon-state.json"
EMPTY = "daemon update config cannot be empty"


def post(d: Served, body: object, client: httpx.Client | None = None) -> httpx.Response:
    if client is not None:
        return client.post("/daemon/update", json=body)
    with d.client() as c:
        return c.post("/daemon/update", json=body)


def state_file(d: Served) -> Path:
    return d.home / STATE


# --- merge rule, proxy, bad requests -----------------------------------------------------------


def test_merge_labels_rule() -> None:
    assert merge_labels(["a=1", "b=2"], ["b=3", "c=4"]) == ["a=1", "b=3", "c=4"]
    assert merge_labels(["a=1", "b=2", "a=0"], ["a=9"]) == ["a=9", "b=2", "a=9"]  # every same key, in place
    assert merge_labels([], ["x=1", "x=2"]) == ["x=2"]
    assert merge_labels(["flag", "k=v"], ["flag=on"]) == ["flag=on", "k=v"]
    assert merge_labels(["a=1"], []) == ["a=1"]


def test_labels_merge_as_pouch_and_proxy_replaces(app_factory) -> None:
    d: InProcess = app_factory("--label", "a=1", "--label", "b=2", "--image-proxy", "http://old:1")
    before = info(d)
    assert before["Labels"] == ["a=1", "b=2"] and before["HttpProxy"] == "http://old:1"

    assert post(d, {"Labels": ["b=3", "c=4"]}).status_code == 200
    after = info(d)
    assert after["Labels"] == ["a=1", "b=3", "c=4"]  # same key replaced in place, new key appended
    assert after["HttpProxy"] == "http://old:1"  # not given: kept

    assert post(d, {"ImageProxy": "http://new:2"}).status_code == 200
    assert info(d)["HttpProxy"] == "http://new:2"
    assert info(d)["Labels"] == ["a=1", "b=3", "c=4"]

    r = post(d, {"Labels": ["c=5", "a=6", "d=7"], "ImageProxy": "http://both:3"})
    assert r.status_code == 200
    both = info(d)
    assert both["Labels"] == ["a=6", "b=3", "c=5", "d=7"] and both["HttpProxy"] == "http://both:3"
    # served under a version prefix too
    with d.client() as c:
        assert c.post("/v1.24/daemon/update", json={"Labels": ["e=8"]}).status_code == 200
    assert info(d)["Labels"][-1] == "e=8"


@pytest.mark.parametrize("body", [{}, {"Labels": []}, {"ImageProxy": ""}, {"Labels": [], "ImageProxy": ""}])
def test_empty_update_is_400(app: InProcess, body: dict) -> None:
    r = post(app, body)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"message": EMPTY}


@pytest.mark.parametrize(
    "content",
    [
        b'{"Labels": "a=1"}',  # not a list
        b'{"Labels": [1]}',
        b'{"Labels": null}',
        b'{"ImageProxy": 5}',
        b'{"Labels": ["a=1"',  # invalid JSON
        b"not json at all",
        b'["a=1"]',
        b'{"Labels": ["=nokey"]}',
        b'{"Labels": [""]}',
        b'{"Labels": ["a=1"], "ImageProxy": "<"}',  # no proxy address: refused here, not at the next pull
        b'{"ImageProxy": "socks5://127.0.0.1:1080"}',
        b'{"ImageProxy": "http://host:port"}',
    ],
)
def test_bad_body_is_400_and_changes_nothing(app: InProcess, content: bytes) -> None:
    assert post(app, {"Labels": ["baseline=1"]}).status_code == 200
    before_info = info(app)
    before_file = state_file(app).read_bytes()
    with app.client() as c:
        r = c.post("/daemon/update", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert isinstance(r.json()["message"], str) and r.json()["message"]
    assert info(app)["Labels"] == before_info["Labels"]
    assert info(app)["HttpProxy"] == before_info["HttpProxy"]
    assert state_file(app).read_bytes() == before_file


# --- durability --------------------------------------------------------------------------------


def test_updates_survive_a_sigterm_restart(pouchd_factory) -> None:
    d: PouchD = pouchd_factory("--label", "base=1")
    assert post(d, {"Labels": ["base=2", "kept=yes"], "ImageProxy": "http://kept:8080"}).status_code == 200
    assert d.stop(signal.SIGTERM) == 0
    d2: PouchD = pouchd_factory("--label", "base=1", home=d.home, sock=d.workdir / "second.sock")
    after = info(d2)
    assert after["Labels"] == ["base=2", "kept=yes"]
    assert after["HttpProxy"] == "http://kept:8080"
    saved = json.loads(state_file(d2).read_text())
    assert saved["labels"] == ["base=2", "kept=yes"] and saved["image_proxy"] == "http://kept:8080"
    assert stat.S_IMODE(state_file(d2).stat().st_mode) == 0o600


def hammer(d: PouchD, rnd: int, worker: int, stop: threading.Event, acked: list[str]) -> None:
    """Update until told to stop or the daemon dies; record the labels answered 200."""
    with d.client() as c:
        for i in range(10_000):
            if stop.is_set():
                return
            label = f"r{rnd}w{worker}n{i}=v{i}"
            try:
                r = c.post("/daemon/update", json={"Labels": [label], "ImageProxy": f"http://p{i}"})
            except httpx.TransportError:
                return  # the daemon died under us: this one was not acknowledged
            if r.status_code == 200:
                acked.append(label)


def test_acknowledged_updates_survive_sigkill(pouchd_factory, tmp_path: Path) -> None:
    home = tmp_path / "crashhome"
    acked: list[str] = []
    rng = random.Random(os.getpid())
    for rnd in range(4):
        d: PouchD = pouchd_factory(home=home, sock=tmp_path / f"crash{rnd}.sock")
        # every label acknowledged in earlier rounds is there after the restart
        labels = set(info(d)["Labels"])
        missing = [label for label in acked if label not in labels]
        assert not missing, f"round {rnd}: lost acknowledged labels {missing[:5]}"
        stop = threading.Event()
        threads = [threading.Thread(target=hammer, args=(d, rnd, w, stop, acked)) for w in range(2)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.15, 0.6))
        assert d.proc is not None
        d.proc.send_signal(signal.SIGKILL)  # while the threads keep updating
        d.proc.wait(10)
        stop.set()
        for t in threads:
            t.join(10)
        assert not any(t.is_alive() for t in threads)
        d.stop()
        json.loads(state_file(d).read_text())  # valid JSON whatever the moment of the kill
    assert len(acked) > 20, "too few updates acknowledged to mean anything"

    # A last restart: everything acknowledged is there; stale temp files of the writes cut
    # short by SIGKILL are cleaned up.
    (home / f".{STATE}.stale.tmp").write_text("{")
    d = pouchd_factory(home=home, sock=tmp_path / "final.sock")
    labels = set(info(d)["Labels"])
    assert [label for label in acked if label not in labels] == []
    assert not list(home.glob(f".{STATE}.*.tmp"))


def test_concurrent_updates_lose_nothing(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()

    def one(i: int) -> int:
        with d.client() as c:
            return post(d, {"Labels": [f"par{i}={i}"]}, client=c).status_code

    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(one, range(50)))
    assert codes == [200] * 50
    want = {f"par{i}={i}" for i in range(50)}
    assert set(info(d)["Labels"]) == want
    assert set(json.loads(state_file(d).read_text())["labels"]) == want
    # Events are published in the order the updates were applied: the last has every label.
    until = time.time_ns()
    with d.client() as c:
        r = c.get(
            "/events",
            params={
                "since": "0",
                "until": f"{until // 10**9}.{until % 10**9:09d}",
                "filters": json.dumps({"event": ["update"]}),
            },
        )
    events = [json.loads(line) for line in r.text.splitlines() if line.strip()]
    assert len(events) == 50
    sizes = [len(e["actor"]["Attributes"]) for e in events]
    assert sizes == list(range(1, 51))


@pytest.mark.parametrize(
    "content",
    [
        '{"format": 1, "labels": ["a=1", "b',  # truncated
        "this is not json",
        "",
        '["a=1"]',
        '{"format": 1, "labels": "a=1"}',
    ],
)
def test_corrupt_state_file_stops_the_daemon_naming_it(pouchd_factory, tmp_path: Path, content: str) -> None:
    home = tmp_path / "corrupthome"
    home.mkdir(mode=0o700)
    (home / STATE).write_text(content)
    d: PouchD = pouchd_factory(home=home, start=False)
    d.start(wait=False)
    assert d.proc is not None
    assert d.proc.wait(20) == 1
    d.stop()
    log = d.logs()
    assert str(home / STATE) in log
    assert "Error:" in log and "Traceback" not in log
    assert (home / STATE).read_text() == content  # left for the operator


# --- the event ----------------------------------------------------------------------------------


def test_update_emits_a_daemon_update_event(pouchd: PouchD) -> None:
    ident = info(pouchd)["ID"]
    with pouchd.client() as c, c.stream("GET", "/events", timeout=httpx.Timeout(10, read=10)) as stream:
        assert stream.status_code == 200
        assert post(pouchd, {"Labels": ["ev=1", "zone=moved"], "ImageProxy": "http://ev:9"}).status_code == 200
        line = next(line for line in stream.iter_lines() if line.strip())
    ev = json.loads(line)
    assert (ev["type"], ev["action"], ev["status"]) == ("daemon", "update", "update")
    assert ev["actor"]["ID"] == ident == ev["id"]
    expected = {label.split("=", 1)[0]: label.split("=", 1)[1] for label in info(pouchd)["Labels"]}
    expected["image-proxy"] = "http://ev:9"
    assert ev["actor"]["Attributes"] == expected
    assert expected["ev"] == "1" and expected["zone"] == "moved"


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_updatedaemon_success(pouchd: PouchD) -> None:
    r = run_pouch(
        "updatedaemon", "--label", "cli=1", "--label", "cli2=two", "--image-proxy", "http://cli:1", host=pouchd.host
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    now = info(pouchd)
    assert {"cli=1", "cli2=two"} <= set(now["Labels"])
    assert now["HttpProxy"] == "http://cli:1"
    r = run_pouch("updatedaemon", "--label", "cli=3", host=pouchd.host)
    assert r.returncode == 0
    labels = info(pouchd)["Labels"]
    assert "cli=3" in labels and "cli=1" not in labels


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], f"Error: failed to update daemon: {EMPTY}\n"),
        (["--label", "novalue"], "Error: invalid label 'novalue': want key=value\n"),
        (["--label", "=x"], "Error: invalid label '=x': want key=value\n"),
    ],
)
def test_cli_updatedaemon_failures(pouchd: PouchD, args: list[str], message: str) -> None:
    before = info(pouchd)["Labels"]
    r = run_pouch("updatedaemon", *args, host=pouchd.host)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", message)
    assert info(pouchd)["Labels"] == before


# One rule for what a label is (pouch's: key=value), in the CLI, the daemon's start, /daemon/update
# and the spec's pattern: each sample is taken by all four or refused by all four.
LABELS = [
    ("a=1", True),
    ("a==b", True),
    ("a= ", True),
    ("k\u3000k=v", True),
    ("a=\n", True),
    ("a", False),
    ("a=", False),
    ("=x", False),
    (" =x", False),
    ("\u3000=v", False),
    ("", False),
]


@pytest.mark.parametrize(("label", "valid"), LABELS)
def test_one_label_rule_for_the_cli_the_daemon_and_the_spec(
    app: InProcess, tmp_path: Path, label: str, valid: bool
) -> None:
    import re

    pattern = spec()["components"]["schemas"]["DaemonUpdateConfig"]["properties"]["Labels"]["items"]["pattern"]
    assert (re.search(pattern, label) is not None) is valid
    assert (label_problem(label) is None) is valid
    assert (post(app, {"Labels": [label]}).status_code == 200) is valid
    config = tmp_path / "c.json"
    config.write_text("{}")
    r = run_pouch("updatedaemon", "--offline", "--config-file", str(config), "--label", label)
    assert (r.returncode == 0) is valid, r.stderr
    assert valid or r.stderr == f"Error: invalid label {label!r}: want key=value\n"
    from pouch_server.config import ConfigError, load_config  # what pouchd checks at start

    try:
        empty = tmp_path / "empty.json"
        empty.write_text("{}")
        load_config(["--label", label, "--home-dir", str(tmp_path / "h"), "--config-file", str(empty)])
    except ConfigError as e:
        assert not valid and str(e) == f"invalid label {label!r}: want key=value"
    else:
        assert valid


def test_cli_updatedaemon_without_daemon(tmp_path: Path) -> None:
    r = run_pouch("updatedaemon", "--label", "a=1", host=f"unix://{tmp_path}/none.sock")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: failed to update daemon: cannot connect to pouchd")
    assert r.stderr.count("\n") == 1


def test_cli_offline_edits_the_config_file_for_the_next_start(pouchd_factory, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"label": ["a=1", "b=2"], "image-proxy": "http://old:1", "debug": False}))
    config.chmod(0o644)
    r = run_pouch(
        "updatedaemon",
        "--offline",
        "--config-file",
        str(config),
        "--label",
        "b=3",
        "--label",
        "c=4",
        "--image-proxy",
        "http://new:2",
        host="unix:///nonexistent/no.sock",
    )  # no daemon needed
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    data = json.loads(config.read_text())
    assert data == {"label": ["a=1", "b=3", "c=4"], "image-proxy": "http://new:2", "debug": False}
    assert stat.S_IMODE(config.stat().st_mode) == 0o644
    assert not list(tmp_path.glob(".config.json.*"))

    d: PouchD = pouchd_factory("--config-file", str(config))
    now = info(d)
    assert now["Labels"] == ["a=1", "b=3", "c=4"]
    assert now["HttpProxy"] == "http://new:2"


def test_cli_offline_single_label_string_and_empty_file(tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"label": "a=1"}))
    r = run_pouch("updatedaemon", "--offline", "--config-file", str(config), "--label", "a=2")
    assert r.returncode == 0, r.stderr
    assert json.loads(config.read_text()) == {"label": ["a=2"]}
    config.write_text("")
    r = run_pouch("updatedaemon", "--offline", "--config-file", str(config), "--image-proxy", "http://p")
    assert r.returncode == 0, r.stderr
    assert json.loads(config.read_text()) == {"image-proxy": "http://p"}


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        (None, ["--label", "a=1"], "does not exist"),
        ('{"label": ["a=1"', ["--label", "a=1"], "is not valid JSON"),
        ("[1, 2]", ["--label", "a=1"], "must hold a JSON object"),
        ('{"label": [1]}', ["--label", "a=1"], '"label"'),
        ('{"label": ["a=1"]}', [], "daemon update config cannot be empty"),
        ('{"label": ["a=1"]}', ["--label", "bad"], "invalid label 'bad'"),
    ],
)
def test_cli_offline_failures_leave_the_file_alone(
    tmp_path: Path, content: str | None, args: list[str], needle: str
) -> None:
    config = tmp_path / "c.json"
    if content is not None:
        config.write_text(content)
    r = run_pouch("updatedaemon", "--offline", "--config-file", str(config), *args)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: ") and needle in r.stderr and r.stderr.count("\n") == 1, r.stderr
    if content is None:
        assert not config.exists()
    else:
        assert config.read_text() == content


@pytest.mark.parametrize(
    ("proxy", "valid"),
    [
        ("proxy.example.com:3128", True),
        ("http://u:p@proxy.example.com:8080/x", True),
        ("HTTPS://[::1]:65535", True),
        ("a", True),
        ("http://h:65536", False),
        ("socks5://h:1080", False),
        ("ftp://h", False),
        ("http://", False),
        (" a", False),
        ("a\n", False),
        ("<", False),
        ("Ã<", False),
    ],
)
def test_one_image_proxy_rule_for_the_spec_the_daemon_and_its_config(
    app: InProcess, tmp_path: Path, proxy: str, valid: bool
) -> None:
    """The spec's pattern is pouch_common's: a proxy the schema admits is never refused."""
    import re

    from pouch_common.registry import IMAGE_PROXY_PATTERN
    from pouch_server.config import ConfigError, load_config

    pattern = spec()["components"]["schemas"]["DaemonUpdateConfig"]["properties"]["ImageProxy"]["pattern"]
    assert pattern == IMAGE_PROXY_PATTERN
    assert (re.search(pattern, proxy) is not None) is valid
    assert (post(app, {"ImageProxy": proxy}).status_code == 200) is valid
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    try:
        load_config(["--image-proxy", proxy, "--home-dir", str(tmp_path / "h"), "--config-file", str(empty)])
    except ConfigError:
        assert not valid
    else:
        assert valid
