"""The core path end to end: a real pouchd subprocess and the installed ``pouch`` command; routing,
versions and error answers on pouchd's app in this process."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
from pathlib import Path

import httpx
import pytest
from helpers import POUCHD, InProcess, PouchD, assert_error, pouchd_command, run_pouch, with_config_file

from pouch_cli.formatting import human_size_binary


def uname_r() -> str:
    return os.uname().release


# ---- pouch version / pouch info -------------------------------------------------------------


def test_pouch_version_over_unix_socket(pouchd: PouchD) -> None:
    r = run_pouch("version", host=pouchd.host)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert [x.split(":")[0] for x in lines] == [
        "GoVersion",
        "KernelVersion",
        "Os",
        "Version",
        "APIVersion",
        "Arch",
        "BuildTime",
        "GitCommit",
    ]
    assert f"KernelVersion:   {uname_r()}" in lines
    assert "Version:         1.0.0" in lines
    assert "APIVersion:      1.24" in lines
    assert "Os:              linux" in lines


def test_pouch_version_over_tcp_matches_wire(pouchd: PouchD) -> None:
    r = run_pouch("version", host=f"tcp://127.0.0.1:{pouchd.port}")
    assert r.returncode == 0, r.stderr
    wire = httpx.get(f"{pouchd.url}/v1.24/version").json()
    assert f"Arch:            {wire['Arch']}" in r.stdout.splitlines()
    assert f"GoVersion:       {wire['GoVersion']}" in r.stdout.splitlines()


def test_pouch_info_reports_real_facts(pouchd: PouchD) -> None:
    r = run_pouch("info", host=pouchd.host)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    meminfo = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal:"))
    assert f"CPUs: {len(os.sched_getaffinity(0))}" in lines
    assert f"Total Memory: {human_size_binary(int(meminfo.split()[1]) * 1024)}" in lines
    assert f"Name: {socket.gethostname()}" in lines
    assert f"Kernel Version: {uname_r()}" in lines
    assert f"Pouch Root Dir: {pouchd.home}" in lines
    assert lines[lines.index("Labels:") + 1] == "  zone=test"
    assert f"Daemon Listen Addresses: [{pouchd.host} tcp://127.0.0.1:{pouchd.port}]" in lines
    assert lines[0] == "Containers: 0" and "Images: 0" in lines
    info = pouchd.client().get("/info").json()
    assert f"ID: {info['ID']}" in lines


def test_pouch_host_from_env(pouchd: PouchD) -> None:
    r = run_pouch("version", env={"POUCH_HOST": pouchd.host})
    assert r.returncode == 0, r.stderr


def test_global_flags_also_after_the_command(pouchd: PouchD, tmp_path: Path) -> None:
    """As pouch's Go CLI (cobra's persistent flags): `pouch version -H ADDR -D` works; given on
    both sides of the command, the later one wins; left out after it, the earlier one stays."""
    r = run_pouch("version", "-H", pouchd.host, "-D")
    assert r.returncode == 0, r.stderr
    assert "GoVersion:" in r.stdout and "GET http://d/v1.24/version" in r.stderr
    r = run_pouch("-H", f"unix://{tmp_path}/none.sock", "info", "-H", pouchd.host)
    assert r.returncode == 0, r.stderr
    r = run_pouch("-H", pouchd.host, "-D", "info", "-f", "{{.Name}}")
    assert r.returncode == 0 and "GET http://d/v1.24/info" in r.stderr, r.stderr
    r = run_pouch("version", "-v")  # the client's own version is asked before a command only
    assert r.returncode == 1 and r.stderr.startswith("Error: unrecognized arguments: -v")


def test_proxy_variables_do_not_apply_to_the_unix_socket(pouchd: PouchD) -> None:
    proxy = "http://127.0.0.1:9"  # nothing listens there: a request sent to it would fail
    env = {name: proxy for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")}
    r = run_pouch("version", host=pouchd.host, env=env)
    assert r.returncode == 0, r.stderr


def test_api_version_prefix_from_env(pouchd: PouchD) -> None:
    r = run_pouch("-D", "version", host=pouchd.host)
    assert "GET http://d/v1.24/version" in r.stderr
    r = run_pouch("-D", "version", host=pouchd.host, env={"POUCH_API_VERSION": ""})
    assert r.returncode == 0
    assert "GET http://d/version" in r.stderr


def test_cli_without_daemon_fails_with_one_line(tmp_path: Path) -> None:
    for cmd, what in (("version", "system version"), ("info", "system info")):
        r = run_pouch(cmd, host=f"unix://{tmp_path}/none.sock")
        assert r.returncode == 1
        assert r.stdout == ""
        assert r.stderr.startswith(f"Error: failed to get {what}: ")
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_cli_shows_the_daemons_error_message(pouchd: PouchD) -> None:
    r = run_pouch("version", host=pouchd.host, env={"POUCH_API_VERSION": "v1.24/nope"})
    assert r.returncode == 1
    assert r.stderr == "Error: failed to get system version: page not found\n"


def test_cli_bad_host_and_bad_flag() -> None:
    r = run_pouch("version", host="ftp://x")
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and "invalid host" in r.stderr
    r = run_pouch("version", "--bogus")
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1


@pytest.mark.parametrize("cmd", ["version", "info"])
def test_help_has_description_and_example(cmd: str) -> None:
    r = run_pouch(cmd, "--help")
    assert r.returncode == 0
    assert "Example:" in r.stdout and f"$ pouch {cmd}" in r.stdout


# ---- routing, versions, errors ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/_ping", "/v1.24/_ping"])
def test_ping(app: InProcess, path: str) -> None:
    r = app.client().get(path)
    assert r.status_code == 200 and r.text == "OK"
    assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/version", "/v1.24/version", "/info", "/v1.24/info"])
def test_bare_and_versioned_paths(app: InProcess, path: str) -> None:
    r = app.client().get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json()["KernelVersion"] == uname_r()


@pytest.mark.parametrize("path", ["/openapi.json", "/v1.24/openapi.json"])
def test_spec_is_served(app: InProcess, path: str) -> None:
    r = app.client().get(path)
    assert r.status_code == 200 and r.json()["info"]["title"] == "Pouch Engine API"


@pytest.mark.parametrize("path", ["/ui/", "/v1.24/ui/"])
def test_swagger_ui_page_is_served(app: InProcess, path: str) -> None:
    r = app.client().get(path)
    assert r.status_code == 200 and "swagger-ui" in r.text


@pytest.mark.parametrize("path", ["/nope", "/v1.24/nope", "/vabc/info", "/v1.24x/info", "/info/extra"])
def test_unknown_path_is_404_json(app: InProcess, path: str) -> None:
    assert_error(app.client().get(path), 404, "page not found")


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/version"), ("DELETE", "/v1.24/info"), ("PUT", "/_ping"), ("GET", "/daemon/update")]
)
def test_wrong_method_is_405_json(app: InProcess, method: str, path: str) -> None:
    assert_error(app.client().request(method, path), 405, "method not allowed")


def test_invalid_requests_are_400_json(app: InProcess) -> None:
    c = app.client()
    assert "since" in assert_error(c.get("/events", params={"since": "yesterday"}), 400)
    assert_error(c.post("/daemon/update", json={"Labels": "x=y"}), 400)
    assert_error(c.post("/daemon/update", content=b"{not json", headers={"content-type": "application/json"}), 400)
    assert_error(c.post("/v1.24/daemon/update", json={}), 400, "daemon update config cannot be empty")


def test_wrong_content_type_is_4xx_json(app: InProcess) -> None:
    r = app.client().post("/daemon/update", content=b"Labels=a", headers={"content-type": "text/plain"})
    assert 400 <= r.status_code < 500
    assert_error(r, r.status_code)


def test_every_response_carries_the_api_version(app: InProcess) -> None:
    for path in ("/_ping", "/version", "/nope"):
        assert app.client().get(path).headers["api-version"] == "1.24"


def test_handler_failure_is_500_json_with_request_id_logged(app: InProcess) -> None:
    state = app.home / "daemon-state.json"
    state.unlink(missing_ok=True)
    state.mkdir()  # the state file can no longer be replaced: the update handler fails
    message = assert_error(app.client().post("/daemon/update", json={"Labels": ["a=b"]}), 500)
    m = re.fullmatch(r"internal server error \(request id ([0-9a-f]+)\)", message)
    assert m, message
    logs = app.logs()
    assert m.group(1) in logs and "Traceback" in logs  # the details go to the log only
    state.rmdir()


# ---- listeners, signals, config ---------------------------------------------------------


def test_unix_socket_mode_and_sigterm_cleanup(pouchd_factory, tmp_path: Path) -> None:
    pidfile = tmp_path / "pouchd.pid"
    d: PouchD = pouchd_factory("--pidfile", str(pidfile))
    assert stat.S_IMODE(d.sock.stat().st_mode) == 0o660
    assert stat.S_IMODE(d.home.stat().st_mode) == 0o700
    assert int(pidfile.read_text()) == d.proc.pid
    assert d.stop(signal.SIGTERM) == 0
    assert not d.sock.exists() and not pidfile.exists()
    assert "Traceback" not in d.logs()


def test_sigint_also_stops_cleanly(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    assert d.stop(signal.SIGINT) == 0
    assert not d.sock.exists()


def test_stale_socket_is_replaced(pouchd_factory, tmp_path: Path) -> None:
    sock_path = tmp_path / "pouchd.sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock_path))
    s.close()  # a socket file nobody listens on, as a killed daemon leaves behind
    d: PouchD = pouchd_factory()
    assert d.client().get("/_ping").text == "OK"


def test_live_socket_is_an_error(pouchd_factory, tmp_path: Path) -> None:
    first: PouchD = pouchd_factory(tcp=False)
    second = PouchD(tmp_path, tcp=False, home=tmp_path / "home2", sock=first.sock)
    r = subprocess.run(second.argv(), capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert r.stderr.strip() == f"Error: another pouchd is listening on {first.host}"
    assert first.client().get("/_ping").text == "OK"  # the first daemon is untouched


def test_sigkilled_daemon_leaves_socket_that_next_start_replaces(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    d.stop(signal.SIGKILL)
    assert d.sock.exists()
    again: PouchD = pouchd_factory(tcp=False)
    assert again.client().get("/_ping").text == "OK"


def test_config_file_values_show_in_info(pouchd_factory, tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(
        json.dumps(
            {
                "label": ["from=file"],
                "debug": True,
                "default-runtime": "runc",
                "snapshotter": "native",
                "log-driver": "syslog",
                "cgroup-driver": "systemd",
                "default-registry": "reg.example:5000",
                "image-proxy": "http://proxy:3128",
                "insecure-registries": ["reg.example:5000", "10.0.0.0/8"],
                "registry-mirrors": ["https://mirror.example/"],
                "add-runtime": {"kata": {"path": "/usr/bin/kata"}},
            }
        )
    )
    d: PouchD = pouchd_factory("--config-file", str(cfg))
    info = d.client().get("/info").json()
    assert info["Labels"] == ["from=file"] and info["Debug"] is True
    assert info["Driver"] == "native" and info["LoggingDriver"] == "syslog" and info["CgroupDriver"] == "systemd"
    assert info["DefaultRegistry"] == "reg.example:5000" and info["HttpProxy"] == "http://proxy:3128"
    assert info["RegistryConfig"]["InsecureRegistryCIDRs"] == ["10.0.0.0/8"]
    assert "reg.example:5000" in info["RegistryConfig"]["IndexConfigs"]
    assert info["RegistryConfig"]["Mirrors"] == ["https://mirror.example/"]
    assert info["Runtimes"]["kata"]["path"] == "/usr/bin/kata"
    out = run_pouch("info", host=d.host).stdout.splitlines()
    assert "Storage Driver: native" in out and "Registry Mirrors:" in out


def test_flags_show_in_info(app_factory) -> None:
    d: InProcess = app_factory(
        "--label",
        "a=1",
        "--label",
        "b=2",
        "--add-runtime",
        "runsc=/usr/bin/runsc",
        "--default-runtime",
        "runsc",
        "--registry-mirrors",
        "https://m1/,https://m2/",
    )
    info = d.client().get("/info").json()
    assert info["Labels"] == ["a=1", "b=2"]
    assert info["DefaultRuntime"] == "runsc" and info["Runtimes"]["runsc"]["path"] == "/usr/bin/runsc"
    assert info["RegistryConfig"]["Mirrors"] == ["https://m1/", "https://m2/"]


def run_pouchd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(pouchd_command(*with_config_file(args)), capture_output=True, text=True, timeout=30)


def test_key_in_file_and_flag_is_an_error_naming_it(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"snapshotter": "btrfs", "debug": False}))  # (lists are merged: test_config.py)
    r = run_pouchd(
        "--config-file",
        str(cfg),
        "--snapshotter",
        "zfs",
        "--home-dir",
        str(tmp_path / "h"),
        "-l",
        f"unix://{tmp_path}/s.sock",
    )
    assert r.returncode == 1
    assert r.stderr.startswith("Error: found conflict flags") and "snapshotter" in r.stderr and "debug" not in r.stderr
    assert not (tmp_path / "s.sock").exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{broken", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"labels": ["x"]}', "unknown key(s): labels"),
        ('{"debug": "yes"}', "debug in"),
    ],
)
def test_bad_config_file_is_a_clear_error(tmp_path: Path, content: str, needle: str) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(content)
    r = run_pouchd("--config-file", str(cfg), "-l", f"unix://{tmp_path}/s.sock")
    assert r.returncode == 1 and needle in r.stderr and str(cfg) in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-l", "udp://1.2.3.4:1"], "invalid listen address"),
        (["-l", "tcp://127.0.0.1:notaport"], "invalid listen address"),
        (["--cgroup-driver", "nope"], "invalid cgroup-driver"),
        (["--label", "=v"], "invalid label"),
    ],
)
def test_bad_flags_are_clear_errors(tmp_path: Path, args: list[str], needle: str) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    r = run_pouchd("--home-dir", str(tmp_path / "h"), "--config-file", str(empty), *args)
    assert r.returncode == 1 and needle in r.stderr and "Traceback" not in r.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_pouchd("--home-dir", str(tmp_path / "h"), "-l", f"tcp://127.0.0.1:{port}")
    assert r.returncode == 1 and "cannot listen on" in r.stderr


def test_pouchd_version_flag() -> None:
    r = run_pouchd("--version")
    assert r.returncode == 0 and r.stdout.strip() == "pouchd version 1.0.0"


def test_debug_logs_one_line_per_request(pouchd_factory) -> None:
    d: PouchD = pouchd_factory("-D")
    d.client().get("/v1.24/version")
    d.client().get("/nope")
    d.stop()
    lines = [x for x in d.logs().splitlines() if "pouchd.access" in x]
    assert any(re.search(r"GET /v1\.24/version 200 [\d.]+ms id=[0-9a-f]{12}$", x) for x in lines), lines
    assert any(re.search(r"GET /nope 404 [\d.]+ms id=[0-9a-f]{12}$", x) for x in lines), lines


def test_daemon_id_survives_restart(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    first = d.client().get("/info").json()["ID"]
    d.stop()
    d.start()
    assert d.client().get("/info").json()["ID"] == first


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare (util-linux)")
def test_non_root_without_containerd_says_why(tmp_path: Path) -> None:
    """pouchd with no flags, as an unprivileged user (uid 1000 in a user namespace): its defaults
    are a user's (socket, home), and since only root can run containerd, it stops at once and
    says so, as pouch does when its containerd cannot start."""
    probe = subprocess.run(["unshare", "--user", "--map-user=1000", "--map-group=1000", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces unavailable: {probe.stderr.decode().strip()}")
    home = tmp_path / "user"
    run_dir = tmp_path / "run"
    home.mkdir()
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "POUCH_"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(run_dir))
    unshare = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    r = subprocess.run([*unshare, POUCHD], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: failed to start containerd: nothing serves at /var/run/containerd.sock"), last
    assert "only root can start containerd" in last
    assert (home / ".local/share/pouch").is_dir()  # the user's home directory was the one used
    assert not (run_dir / "pouchd.sock").exists()  # and the socket it bound is gone again


def test_all_listeners_in_one_process(pouchd: PouchD) -> None:
    assert httpx.get(f"{pouchd.url}/_ping").text == "OK"
    assert pouchd.client().get("/_ping").text == "OK"
    assert pouchd.client().get("/info").json()["ListenAddresses"] == [pouchd.host, f"tcp://127.0.0.1:{pouchd.port}"]
