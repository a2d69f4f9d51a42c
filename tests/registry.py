"""Real Docker registries for the login tests, on 127.0.0.1 only.

* :class:`Registry` runs Debian's ``docker-registry`` (distribution 2.x) with ``auth: htpasswd``
  or ``auth: token``.
* :class:`TokenServer` is a small token service (stdlib ``http.server`` in a thread) that issues
  RS256 JWTs the registry accepts: signed by a key whose self-signed certificate is the
  registry's ``rootcertbundle`` and travels in the token's ``x5c`` header.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from helpers import free_port

REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
HTPASSWD_BIN = shutil.which("htpasswd") or "/usr/bin/htpasswd"
SERVICE = "pouch-test-registry"
ISSUER = "pouch-test-issuer"


def missing_tools() -> str | None:
    """Why the real registry cannot run here, or None."""
    if not Path(REGISTRY_BIN).exists():
        return "docker-registry binary not installed (Debian package docker-registry)"
    if not Path(HTPASSWD_BIN).exists():
        return "htpasswd not installed (Debian package apache2-utils)"
    return None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    """An RSA key and its self-signed certificate: the token issuer's identity."""

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)
        self._der = self.cert.public_bytes(serialization.Encoding.DER)

    def jwt(self, subject: str, audience: str, lifetime: int = 300) -> str:
        """An RS256 JWT as distribution's token auth wants it (access list empty: GET /v2/ needs none)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self._der).decode()]}
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "aud": audience,
            "exp": now + lifetime,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": [],
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"


@dataclass
class TokenRequest:
    method: str
    params: dict[str, str]
    basic_user: str | None


@dataclass
class TokenServer:
    """Docker's token protocol: GET with basic auth (and offline_token), POST for OAuth2 grants."""

    users: dict[str, str]
    key: SigningKey = field(default_factory=SigningKey)
    issue_refresh_tokens: bool = True
    requests: list[TokenRequest] = field(default_factory=list)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> user
    port: int = 0

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep pytest output quiet
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _basic(self) -> tuple[str, str] | None:
                value = self.headers.get("Authorization", "")
                if not value.startswith("Basic "):
                    return None
                user, _, password = base64.b64decode(value[6:]).decode().partition(":")
                return user, password

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                basic = self._basic()
                server.requests.append(TokenRequest("GET", params, basic[0] if basic else None))
                if url.path != "/token":
                    self._answer(404, {"details": "not found"})
                    return
                if basic is None or server.users.get(basic[0]) != basic[1]:
                    self._answer(401, {"details": "incorrect username or password"})
                    return
                body = {"token": server.key.jwt(basic[0], params.get("service", "")), "expires_in": 300}
                if params.get("offline_token") == "true" and server.issue_refresh_tokens:
                    body["refresh_token"] = server.new_refresh_token(basic[0])
                self._answer(200, body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                server.requests.append(TokenRequest("POST", form, None))
                if urlsplit(self.path).path != "/token":
                    self._answer(404, {"details": "not found"})
                    return
                if form.get("grant_type") == "refresh_token":
                    user = server.refresh_tokens.get(form.get("refresh_token", ""))
                elif form.get("grant_type") == "password":
                    ok = server.users.get(form.get("username", "")) == form.get("password")
                    user = form.get("username") if ok else None
                else:
                    self._answer(400, {"details": "unsupported grant_type"})
                    return
                if user is None:
                    self._answer(401, {"details": "invalid grant"})
                    return
                body = {"access_token": server.key.jwt(user, form.get("service", "")), "expires_in": 300}
                if server.issue_refresh_tokens:
                    body["refresh_token"] = server.new_refresh_token(user)
                self._answer(200, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="token-server", daemon=True)
        self.thread.start()

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def new_refresh_token(self, user: str) -> str:
        token = "rt-" + secrets.token_hex(16)
        self.refresh_tokens[token] = user
        return token

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Registry:
    """One ``docker-registry serve`` on 127.0.0.1 with htpasswd or token auth."""

    def __init__(self, tmp: Path, *, htpasswd: dict[str, str] | None = None, token: TokenServer | None = None) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.log_path = tmp / "registry.log"
        storage = tmp / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        if htpasswd is not None:
            lines = [
                subprocess.run(
                    [HTPASSWD_BIN, "-Bbn", user, password], check=True, capture_output=True, text=True
                ).stdout.strip()
                for user, password in htpasswd.items()
            ]
            (tmp / "htpasswd").write_text("\n".join(lines) + "\n")
            auth: dict[str, Any] = {"htpasswd": {"realm": "pouch-test", "path": str(tmp / "htpasswd")}}
        elif token is not None:
            (tmp / "token-ca.pem").write_bytes(token.key.cert_pem)
            auth = {
                "token": {
                    "realm": token.realm,
                    "service": SERVICE,
                    "issuer": ISSUER,
                    "rootcertbundle": str(tmp / "token-ca.pem"),
                }
            }
        else:
            auth = {}
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(storage)}},
            "http": {"addr": f"127.0.0.1:{self.port}", "secret": secrets.token_hex(16)},
            **({"auth": auth} if auth else {}),
        }
        # JSON is YAML: no YAML writer needed.
        (tmp / "config.yml").write_text(json.dumps(config, indent=2))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> Registry:
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [REGISTRY_BIN, "serve", str(self.tmp / "config.yml")], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"docker-registry exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                r = httpx.get(f"http://{self.address}/v2/", timeout=1)
                if r.status_code in (200, 401):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"docker-registry not ready after {timeout}s:\n{self.logs()}")

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "log"):
            self.log.close()


def htpasswd_registry_fixture(name: str, users: dict[str, str], *, optional: bool = False) -> Any:
    """A module-scoped pytest fixture: a registry on 127.0.0.1 with htpasswd ``users``. Without its
    tools the tests that use it are skipped, or get None when ``optional``."""
    import pytest

    @pytest.fixture(scope="module")
    def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry | None]:
        reason = missing_tools()
        if reason:
            if optional:
                yield None
                return
            pytest.skip(reason)
        r = Registry(tmp_path_factory.mktemp(name), htpasswd=users).start()
        yield r
        r.stop()

    return registry
