"""``POST /auth``, ``pouch login`` and ``pouch logout`` against real registries on 127.0.0.1.

Registries: Debian's ``docker-registry`` (distribution 2.8) with htpasswd auth, and one with
token auth whose token server (tests/registry.py) issues JWTs the registry verifies. Every
address used is on loopback; the daemon is never pointed anywhere else.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import fcntl
import json
import os
import pty
import select
import socket
import stat
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import POUCH, InProcess, PouchD, free_port, run_pouch
from registry import SERVICE, Registry, TokenServer, htpasswd_registry_fixture, missing_tools

from pouch_cli.credentials import server_key
from pouch_common.registry import HUB_INDEX as HUB_KEY
from pouch_server.errors import APIError
from pouch_server.managers.registry import InsecurePolicy, parse_challenges, split_address

USER = "alice"
PASSWORD = "s3cret-Pa55-w0rd"  # distinctive, so that a leak anywhere is found by a plain search
B64 = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

needs_registry = pytest.mark.skipif(missing_tools() is not None, reason=missing_tools() or "")


# ---- fixtures ----------------------------------------------------------------------------------

basic_registry = htpasswd_registry_fixture("basic-registry", {USER: PASSWORD})


@pytest.fixture(scope="module")
def token_server() -> Iterator[TokenServer]:
    ts = TokenServer(users={USER: PASSWORD})
    yield ts
    ts.stop()


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory: pytest.TempPathFactory, token_server: TokenServer) -> Iterator[Registry]:
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    r = Registry(tmp_path_factory.mktemp("token-registry"), token=token_server).start()
    yield r
    r.stop()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "user-home"
    h.mkdir()
    return h


def pouch(d: PouchD, home: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_pouch(*args, host=d.host, env={"HOME": str(home)}, input=input)


def config_file(home: Path) -> Path:
    return home / ".pouch" / "config.json"


def auths(home: Path) -> dict:
    return json.loads(config_file(home).read_text())["auths"]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert B64 not in text


def error_line(r: subprocess.CompletedProcess[str]) -> str:
    """The one ``Error:`` line of a failed command, with no traceback around it."""
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [x for x in r.stderr.splitlines() if not x.startswith("WARNING!")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    return lines[0]


# ---- pure functions ----------------------------------------------------------------------------


def test_parse_challenges() -> None:
    assert parse_challenges(['Basic realm="pouch-test"']) == [("basic", {"realm": "pouch-test"})]
    assert parse_challenges(['Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a/b:pull"']) == [
        ("bearer", {"realm": "http://127.0.0.1:1/token", "service": "reg", "scope": "repository:a/b:pull"})
    ]
    # Two challenges in one header, unquoted and escaped values, odd spacing.
    assert parse_challenges(['Bearer realm="a\\"b" , service=reg, Basic realm=x']) == [
        ("bearer", {"realm": 'a"b', "service": "reg"}),
        ("basic", {"realm": "x"}),
    ]
    assert parse_challenges(["Negotiate abc==", 'Basic realm="r"']) == [("negotiate", {}), ("basic", {"realm": "r"})]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:5000", (None, "127.0.0.1:5000", "127.0.0.1", 5000)),
        ("http://LocalHost:5000/", ("http", "localhost:5000", "localhost", 5000)),
        ("https://index.docker.io/v1/", ("https", "index.docker.io", "index.docker.io", None)),
        ("[::1]:5000", (None, "[::1]:5000", "::1", 5000)),
        ("registry.example.com", (None, "registry.example.com", "registry.example.com", None)),
    ],
)
def test_split_address(address: str, expected: tuple) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize("address", ["ftp://host", "host:99999", "host:port", "::1", "a b", "[zz]:1", "http://"])
def test_split_address_rejects(address: str) -> None:
    with pytest.raises(APIError) as e:
        split_address(address)
    assert e.value.status == 400


def test_split_address_never_echoes_userinfo() -> None:
    with pytest.raises(APIError) as e:
        split_address(f"https://{USER}:{PASSWORD}@127.0.0.1:1")
    assert e.value.status == 400 and PASSWORD not in e.value.message


def test_insecure_policy() -> None:
    asyncio.run(_insecure_policy())


async def _insecure_policy() -> None:
    policy = InsecurePolicy(["reg.example:5000", "10.1.0.0/16", "http://plain.example"])
    assert await policy.is_insecure("127.0.0.5:80", "127.0.0.5")
    assert await policy.is_insecure("[::1]:5000", "::1")
    assert await policy.is_insecure("localhost", "localhost")
    assert await policy.is_insecure("reg.example:5000", "reg.example")
    assert not await policy.is_insecure("reg.example:5001", "reg.example")
    assert await policy.is_insecure("plain.example", "plain.example")
    assert await policy.is_insecure("10.1.2.3:443", "10.1.2.3")
    assert not await policy.is_insecure("10.2.0.1", "10.2.0.1")
    # No CIDRs: a name is never resolved (no DNS traffic) and is secure unless listed.
    assert not await InsecurePolicy([]).is_insecure("registry.example.com", "registry.example.com")


def test_server_key() -> None:
    assert server_key("127.0.0.1:5000") == server_key("http://127.0.0.1:5000/") == "127.0.0.1:5000"
    assert server_key("HTTPS://Reg.Example.com/v2/") == "reg.example.com"
    for hub in ("docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"):
        assert server_key(hub) == HUB_KEY


# ---- basic auth (htpasswd) ---------------------------------------------------------------------


@needs_registry
def test_login_good_password_stores_credentials(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    # Other servers' entries and other keys of the file must survive.
    config_file(home).parent.mkdir(mode=0o700)
    seed = {"auths": {"other.example:5000": {"auth": "eDp5"}}, "detachKeys": "ctrl-x"}
    config_file(home).write_text(json.dumps(seed))
    d = pouchd_factory("-D")
    r = pouch(d, home, "login", "-u", USER, "-p", PASSWORD, basic_registry.address)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Login Succeeded\n"
    assert "WARNING! Using --password via the CLI is insecure. Use --password-stdin." in r.stderr.splitlines()
    path = config_file(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    data = json.loads(path.read_text())
    assert data["auths"][basic_registry.address] == {"auth": B64}
    assert data["auths"]["other.example:5000"] == {"auth": "eDp5"}
    assert data["detachKeys"] == "ctrl-x"
    assert not list(path.parent.glob("*.tmp")), "temp files left behind"
    assert "basic auth at" in d.logs()  # debug logging is on, and it says nothing secret
    assert_no_secret(d.logs(), r.stdout)


@needs_registry
def test_login_creates_private_dir_and_file(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    d = pouchd_factory()
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", basic_registry.address, input=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(config_file(home).parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(config_file(home).stat().st_mode) == 0o600
    # The trailing newline of stdin is not part of the password.
    assert auths(home)[basic_registry.address] == {"auth": B64}
    assert "insecure" not in r.stderr


@needs_registry
def test_login_bad_password(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    d = pouchd_factory("-D")
    wrong = PASSWORD + "-wrong"
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", basic_registry.address, input=wrong)
    line = error_line(r)
    assert line == (
        f"Error: failed to login: login attempt to http://{basic_registry.address}/v2/ "
        "failed with status: 401 Unauthorized"
    )
    assert not config_file(home).exists()
    assert wrong not in r.stderr and wrong not in d.logs()
    # The wire answer is a 401 with pouch's error shape.
    resp = httpx.post(
        f"{d.url}/auth", json={"ServerAddress": basic_registry.address, "Username": USER, "Password": wrong}, timeout=30
    )
    assert resp.status_code == 401
    assert "401 Unauthorized" in resp.json()["message"] and wrong not in resp.text


@needs_registry
def test_login_bad_password_keeps_existing_credentials(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    d = pouchd_factory()
    assert (
        pouch(d, home, "login", "-u", USER, "--password-stdin", basic_registry.address, input=PASSWORD).returncode == 0
    )
    before = config_file(home).read_bytes()
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", basic_registry.address, input="nope")
    error_line(r)
    assert config_file(home).read_bytes() == before


def test_login_unreachable_registry_fails_fast(pouchd_factory, home: Path) -> None:
    d = pouchd_factory("-D")
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    start = time.monotonic()
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", address, input=PASSWORD)
    assert time.monotonic() - start < 10
    line = error_line(r)
    assert f"cannot reach a registry at {address}" in line and "connection refused" in line
    assert not config_file(home).exists()
    assert_no_secret(r.stderr, d.logs())


def test_login_silent_server_times_out_within_bounds(pouchd_factory, home: Path) -> None:
    # A port that accepts connections (the kernel's backlog) and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        d = pouchd_factory()
        start = time.monotonic()
        r = pouch(d, home, "login", "-u", USER, "--password-stdin", address, input=PASSWORD)
        elapsed = time.monotonic() - start
    assert elapsed < 28, elapsed  # under the CLI's own 30 s: the user sees the daemon's message
    line = error_line(r)
    assert "timed out" in line, line


@needs_registry
def test_explicit_schemes(app: InProcess, basic_registry: Registry) -> None:
    body = {"Username": USER, "Password": PASSWORD}
    with app.client(timeout=30) as c:
        ok = c.post("/auth", json={**body, "ServerAddress": f"http://{basic_registry.address}"})
        assert ok.status_code == 200 and ok.json() == {"Status": "Login Succeeded", "IdentityToken": ""}
        # https only: the registry speaks plain HTTP, so this fails, and says why.
        tls = c.post("/auth", json={**body, "ServerAddress": f"https://{basic_registry.address}"})
    assert tls.status_code == 500
    assert "TLS handshake failed" in tls.json()["message"] and "http://" not in tls.json()["message"]


@needs_registry
def test_auth_field_and_malformed_requests(app_factory, basic_registry: Registry) -> None:
    d: InProcess = app_factory("-D")
    url = "/v1.24/auth"
    with d.client(timeout=30) as c:
        ok = c.post(url, json={"ServerAddress": basic_registry.address, "Auth": B64})
        assert ok.status_code == 200, ok.text
        bad_auth = c.post(url, json={"ServerAddress": basic_registry.address, "Auth": "%%%"})
        assert bad_auth.status_code == 400 and "invalid Auth" in bad_auth.json()["message"]
        for address in ("ftp://127.0.0.1:1", "127.0.0.1:port", f"{USER}:{PASSWORD}@127.0.0.1:1"):
            resp = c.post(url, json={"ServerAddress": address, "Username": USER, "Password": PASSWORD})
            assert resp.status_code == 400, (address, resp.text)
            assert PASSWORD not in resp.text
    assert "basic auth at" in d.logs()  # debug logging is on (it says nothing secret)
    assert_no_secret(d.logs())


@needs_registry
def test_empty_server_address_uses_default_registry(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    # The default registry is ours on loopback: nothing outside this machine is contacted.
    d = pouchd_factory("--default-registry", basic_registry.address)
    for body in (
        {"ServerAddress": "", "Username": USER, "Password": PASSWORD},
        {"Username": USER, "Password": PASSWORD},
    ):
        resp = httpx.post(f"{d.url}/auth", json=body, timeout=30)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"Status": "Login Succeeded", "IdentityToken": ""}
    bad = httpx.post(f"{d.url}/auth", json={"Username": USER, "Password": "x"}, timeout=30)
    assert bad.status_code == 401 and basic_registry.address in bad.json()["message"]
    # The CLI with no SERVER asks /info for DefaultRegistry, and stores under it.
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", input=PASSWORD)
    assert r.returncode == 0, r.stderr
    assert auths(home) == {basic_registry.address: {"auth": B64}}
    out = pouch(d, home, "logout")
    assert out.stdout == f"Removing login credentials for {basic_registry.address}\n"
    assert auths(home) == {}


# ---- CLI rules -----------------------------------------------------------------------------------


def test_password_flag_rules(pouchd_factory, home: Path) -> None:
    d = pouchd_factory()
    r = pouch(d, home, "login", "--password-stdin", "127.0.0.1:1", input=PASSWORD)
    assert error_line(r) == "Error: must provide --username with --password-stdin"
    r = pouch(d, home, "login", "-u", USER, "-p", PASSWORD, "--password-stdin", "127.0.0.1:1", input=PASSWORD)
    assert error_line(r) == "Error: --password and --password-stdin are mutually exclusive"
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", "127.0.0.1:1", input="")
    assert "password required" in error_line(r)
    # Something to prompt for, but no terminal to prompt on.
    r = pouch(d, home, "login", "-u", USER, "127.0.0.1:1", input="")
    assert error_line(r) == "Error: cannot perform an interactive login from a non TTY device"
    assert not config_file(home).exists()


def run_pouch_tty(
    d: PouchD, home: Path, args: list[str], answers: list[tuple[str, str]], timeout: float = 30
) -> tuple[int, str]:
    """Run pouch on a pseudo-terminal (its controlling tty, as getpass wants), answering prompts."""
    master, slave = pty.openpty()

    def take_tty() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [POUCH, "-H", d.host, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "HOME": str(home)},
        start_new_session=True,
        preexec_fn=take_tty,
    )
    os.close(slave)
    out = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError as e:  # EIO: the child closed the terminal
                    if e.errno != errno.EIO:
                        raise
                    break
                if not chunk:
                    break
                out += chunk
            if pending and out.decode(errors="replace").endswith(pending[0][0]):
                os.write(master, pending.pop(0)[1].encode())
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode(errors="replace")


@needs_registry
def test_interactive_prompts_do_not_echo_the_password(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    d = pouchd_factory()
    code, out = run_pouch_tty(
        d, home, ["login", basic_registry.address], [("Username: ", f"{USER}\n"), ("Password: ", f"{PASSWORD}\n")]
    )
    assert code == 0, out
    assert "Login Succeeded" in out
    assert PASSWORD not in out  # typed, but not echoed
    assert auths(home)[basic_registry.address] == {"auth": B64}
    # Next time the stored username is the default: Enter keeps it.
    code, out = run_pouch_tty(
        d, home, ["login", basic_registry.address], [(f"Username ({USER}): ", "\n"), ("Password: ", f"{PASSWORD}\n")]
    )
    assert code == 0, out
    assert "Login Succeeded" in out and PASSWORD not in out


# ---- logout and the credentials file -----------------------------------------------------------


@needs_registry
def test_logout_removes_credentials(pouchd_factory, basic_registry: Registry, home: Path) -> None:
    d = pouchd_factory()
    assert (
        pouch(d, home, "login", "-u", USER, "--password-stdin", basic_registry.address, input=PASSWORD).returncode == 0
    )
    # Another tool's form of the same server, and another server.
    data = json.loads(config_file(home).read_text())
    data["auths"][f"http://{basic_registry.address}/"] = {"auth": B64}
    data["auths"]["other.example"] = {"auth": "eDp5"}
    config_file(home).write_text(json.dumps(data))

    r = pouch(d, home, "logout", f"http://{basic_registry.address}")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"Removing login credentials for {basic_registry.address}\n"
    assert auths(home) == {"other.example": {"auth": "eDp5"}}
    assert stat.S_IMODE(config_file(home).stat().st_mode) == 0o600

    r = pouch(d, home, "logout", basic_registry.address)
    assert (r.returncode, r.stdout, r.stderr) == (0, f"Not logged in to {basic_registry.address}\n", "")


def test_logout_without_config_file_or_daemon(tmp_path: Path, home: Path) -> None:
    r = run_pouch("logout", "127.0.0.1:5000", host=f"unix://{tmp_path}/none.sock", env={"HOME": str(home)})
    assert (r.returncode, r.stdout) == (0, "Not logged in to 127.0.0.1:5000\n")
    assert not config_file(home).exists()
    # No SERVER and no daemon to ask: docker's fallback, with a warning.
    r = run_pouch("logout", host=f"unix://{tmp_path}/none.sock", env={"HOME": str(home)})
    assert r.returncode == 0 and r.stdout == "Not logged in to registry.hub.docker.com\n"
    assert r.stderr.startswith("WARNING: failed to get the default registry")


@needs_registry
@pytest.mark.parametrize("content", ["{not json", "[]", '{"auths": []}', '{"auths": {"x": 1}}'])
def test_corrupt_config_is_reported_and_left_alone(
    pouchd_factory, basic_registry: Registry, home: Path, content: str
) -> None:
    d = pouchd_factory()
    config_file(home).parent.mkdir()
    config_file(home).write_text(content)
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", basic_registry.address, input=PASSWORD)
    line = error_line(r)
    assert f"credentials file {config_file(home)} is corrupt" in line
    assert config_file(home).read_text() == content
    r = pouch(d, home, "logout", basic_registry.address)
    assert "is corrupt" in error_line(r)
    assert config_file(home).read_text() == content


# ---- bearer tokens -----------------------------------------------------------------------------


@needs_registry
def test_bearer_login_stores_identity_token(
    pouchd_factory, token_registry: Registry, token_server: TokenServer, home: Path
) -> None:
    d = pouchd_factory("-D")
    token_server.requests.clear()
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", token_registry.address, input=PASSWORD)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Login Succeeded\n"
    assert "unencrypted" not in r.stderr  # no password is stored
    # The token request: basic auth, offline token for client pouch, the registry's service.
    [req] = token_server.requests
    assert (req.method, req.basic_user) == ("GET", USER)
    assert req.params == {"service": SERVICE, "offline_token": "true", "client_id": "pouch"}
    # docker's layout for a login that returned an identity token: no password kept.
    entry = auths(home)[token_registry.address]
    assert entry["auth"] == base64.b64encode(f"{USER}:".encode()).decode()
    assert entry["identitytoken"] in token_server.refresh_tokens
    assert "bearer token from" in d.logs()
    assert_no_secret(d.logs(), r.stdout, r.stderr)
    assert entry["identitytoken"] not in d.logs()

    # The identity token logs in without a password (OAuth2 refresh_token grant).
    token_server.requests.clear()
    resp = httpx.post(
        f"{d.url}/auth",
        json={"ServerAddress": token_registry.address, "Username": USER, "IdentityToken": entry["identitytoken"]},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["IdentityToken"] in token_server.refresh_tokens  # the token server issued a new one
    [req] = token_server.requests
    assert req.method == "POST"
    assert req.params["grant_type"] == "refresh_token"
    assert req.params["refresh_token"] == entry["identitytoken"]
    assert (req.params["client_id"], req.params["service"]) == ("pouch", SERVICE)

    resp = httpx.post(
        f"{d.url}/auth", json={"ServerAddress": token_registry.address, "IdentityToken": "rt-forged"}, timeout=30
    )
    assert resp.status_code == 401 and "rt-forged" not in resp.text


@needs_registry
def test_bearer_bad_password(pouchd_factory, token_registry: Registry, home: Path) -> None:
    d = pouchd_factory("-D")
    r = pouch(d, home, "login", "-u", USER, "--password-stdin", token_registry.address, input="wrong-" + PASSWORD)
    line = error_line(r)
    assert f"login attempt to http://{token_registry.address}/v2/ failed with status: 401 Unauthorized" in line
    assert "token server" in line
    assert not config_file(home).exists()
    assert_no_secret(r.stderr, d.logs())


@needs_registry
def test_bearer_without_refresh_token(
    pouchd_factory, token_registry: Registry, token_server: TokenServer, home: Path
) -> None:
    d = pouchd_factory()
    token_server.issue_refresh_tokens = False
    try:
        resp = httpx.post(
            f"{d.url}/auth",
            json={"ServerAddress": token_registry.address, "Username": USER, "Password": PASSWORD},
            timeout=30,
        )
        assert resp.status_code == 200
        assert resp.json() == {"Status": "Login Succeeded", "IdentityToken": ""}
        r = pouch(d, home, "login", "-u", USER, "--password-stdin", token_registry.address, input=PASSWORD)
        assert r.returncode == 0, r.stderr
        assert auths(home)[token_registry.address] == {"auth": B64}  # no token: the password is kept
    finally:
        token_server.issue_refresh_tokens = True


@needs_registry
def test_registry_token_is_presented_as_is(app: InProcess, token_registry: Registry, token_server: TokenServer) -> None:
    jwt = token_server.key.jwt(USER, SERVICE)
    with app.client(timeout=30) as c:
        resp = c.post("/auth", json={"ServerAddress": token_registry.address, "RegistryToken": jwt})
        assert resp.status_code == 200, resp.text
        forged = token_server.key.jwt(USER, "another-service")  # wrong audience: the registry refuses it
        resp = c.post("/auth", json={"ServerAddress": token_registry.address, "RegistryToken": forged})
    assert resp.status_code == 401 and forged not in resp.text
