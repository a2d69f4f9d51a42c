"""API version negotiation, as the Docker Engine does it: the daemon's answers (on its app, in this
process), and the pouch and docker CLIs against a pouchd subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import POUCH, InProcess, PouchD, run_pouch

from pouch_cli.client import negotiate


def test_ping_get_and_head_headers(app: InProcess) -> None:
    for method in ("GET", "HEAD"):
        r = app.client().request(method, "/_ping")
        assert r.status_code == 200
        assert r.headers["api-version"] == "1.24"
        assert r.headers["server"].startswith("pouchd/")
        assert "no-cache" in r.headers["cache-control"]
        assert r.content == (b"OK" if method == "GET" else b"")


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.25", "client version 1.25 is too new. Maximum supported API version is 1.24"),
        ("2.0", "client version 2.0 is too new. Maximum supported API version is 1.24"),
        ("1.23", "client version 1.23 is too old. Minimum supported API version is 1.24"),
        ("1.12", "client version 1.12 is too old. Minimum supported API version is 1.24"),
    ],
)
def test_versions_out_of_range_are_400(app: InProcess, version: str, message: str) -> None:
    for path in ("/version", "/_ping", "/nope"):
        r = app.client().get(f"/v{version}{path}")
        assert r.status_code == 400
        assert r.json() == {"message": message}
        assert r.headers["content-type"] == "application/json" and r.headers["api-version"] == "1.24"


@pytest.mark.parametrize(
    ("version", "verdict"),
    [
        ("1." + "9" * 5000, "too new"),  # more digits than int() will parse
        ("0." + "9" * 5000, "too old"),
        ("1." + "0" * 5000 + "24", None),  # leading zeros: still 1.24
    ],
)
def test_absurdly_long_versions_are_judged_not_crashed_on(app: InProcess, version: str, verdict: str | None) -> None:
    r = app.client().get(f"/v{version}/version")
    if verdict is None:
        assert r.status_code == 200 and r.json()["ApiVersion"] == "1.24"
    else:
        assert r.status_code == 400 and verdict in r.json()["message"]


@pytest.mark.parametrize("prefix", ["/vx", "/v1.x", "/v", "/version1.24"])
def test_non_numeric_prefix_is_404(app: InProcess, prefix: str) -> None:
    r = app.client().get(f"{prefix}/info")
    assert r.status_code == 404 and r.json() == {"message": "page not found"}


def test_version_reports_min_api_version(app: InProcess) -> None:
    body = app.client().get("/v1.24/version").json()
    assert body["ApiVersion"] == "1.24" and body["MinAPIVersion"] == "1.24"


def test_negotiate_takes_the_lower_version() -> None:
    assert negotiate("1.24") == "1.24"
    assert negotiate("1.40") == "1.24"
    assert negotiate("1.20") == "1.20"
    assert negotiate(None) == "1.24"
    assert negotiate("garbage") == "1.24"


def test_cli_pings_first_when_no_version_is_set(pouchd: PouchD) -> None:
    env = {k: v for k, v in os.environ.items() if k != "POUCH_API_VERSION"}
    r = subprocess.run([POUCH, "-H", pouchd.host, "-D", "version"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0
    requests = [x for x in r.stderr.splitlines() if x.startswith("DEBU[pouch] ") and "<-" not in x]
    assert requests == ["DEBU[pouch] HEAD http://d/_ping", "DEBU[pouch] GET http://d/v1.24/version"]


def test_cli_with_version_set_does_not_ping(pouchd: PouchD) -> None:
    r = run_pouch("-D", "version", host=pouchd.host, env={"POUCH_API_VERSION": "v1.24"})
    assert "HEAD" not in r.stderr and "GET http://d/v1.24/version" in r.stderr
    r = run_pouch("version", host=pouchd.host, env={"POUCH_API_VERSION": "v1.30"})
    assert r.returncode == 1
    assert r.stderr == (
        "Error: failed to get system version: client version 1.30 is too new. Maximum supported API version is 1.24\n"
    )


@pytest.mark.skipif(not shutil.which("docker"), reason="no docker CLI on this machine")
def test_docker_cli_shows_api_and_minimum_version(pouchd: PouchD, tmp_path: Path) -> None:
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    env.pop("DOCKER_HOST", None)
    env.pop("DOCKER_API_VERSION", None)
    r = subprocess.run(["docker", "-H", pouchd.host, "version"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    server = r.stdout.split("Server:", 1)[1]
    assert "API version:      1.24 (minimum version 1.24)" in server
