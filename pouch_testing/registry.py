"""Registries for the tests, on 127.0.0.1 only.

* :class:`Registry` runs Debian's ``docker-registry`` (distribution 2.8) anonymous, with
  ``auth: htpasswd`` (bcrypt hashes from ``htpasswd -B``) or ``auth: token``; deletes enabled.
* :class:`TokenServer` is a small token service (stdlib ``http.server`` in a thread) that issues
  RS256 JWTs the registry accepts: signed by a key whose self-signed certificate is the
  registry's ``rootcertbundle`` and travels in the token's ``x5c`` header.
* :class:`FaultyRegistry` serves one test image (:mod:`pouch_testing.images`) over the registry
  API, with faults per path: a blob whose bytes do not match its digest, a body that stalls or
  ends half-way, an error status.

Standard library only (``cryptography`` for the token server's key, imported when used).
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal, Self
from urllib.parse import parse_qs, unquote, urlsplit

from pouch_testing.httpserver import LoopbackHTTPServer
from pouch_testing.images import AnyImage, TestIndex
from pouch_testing.pouchd import free_port

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
HTPASSWD_BIN = shutil.which("htpasswd") or "/usr/bin/htpasswd"
SERVICE = "pouch-test-registry"
ISSUER = "pouch-test-issuer"
REALM = "pouch-test"


def missing_tools(*, htpasswd: bool = True) -> str | None:
    """Why the real registry cannot run here (with ``htpasswd``: with users), or None."""
    if not Path(REGISTRY_BIN).exists():
        return "docker-registry binary not installed (Debian package docker-registry)"
    if htpasswd and not Path(HTPASSWD_BIN).exists():
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

        self.key: RSAPrivateKey = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
        now = dt.datetime.now(dt.UTC)
        self.cert: x509.Certificate = (
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

    def jwt(self, subject: str, audience: str, lifetime: int = 300, access: list[dict[str, Any]] | None = None) -> str:
        """An RS256 JWT as distribution's token auth wants it (``access`` empty by default: GET
        /v2/ needs none; a push or pull needs ``[{"type": "repository", "name": ..., "actions": [...]}]``)."""
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
            "access": access or [],
        }
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"


def _scope_access(scope: str) -> list[dict[str, Any]]:
    """``repository:name:pull,push`` (space-separated, several) as a token's access claims."""
    access = []
    for item in scope.split():
        kind, _, rest = item.partition(":")
        name, _, actions = rest.rpartition(":")
        if kind and name:
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
    return access


@dataclass
class TokenRequest:
    method: str
    params: dict[str, str]
    basic_user: str | None


@dataclass
class TokenServer:
    """Docker's token protocol: GET with basic auth (and offline_token), POST for OAuth2 grants.
    With ``grant_scopes`` its tokens grant what the request's ``scope`` asks (for pushes and
    pulls), else nothing (enough for a login)."""

    users: dict[str, str]
    key: SigningKey = field(default_factory=SigningKey)
    issue_refresh_tokens: bool = True
    grant_scopes: bool = False
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

            def _access(self, params: dict[str, str]) -> list[dict[str, Any]]:
                return _scope_access(params.get("scope", "")) if server.grant_scopes else []

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
                token = server.key.jwt(basic[0], params.get("service", ""), access=self._access(params))
                body = {"token": token, "expires_in": 300}
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
                token = server.key.jwt(user, form.get("service", ""), access=self._access(form))
                body = {"access_token": token, "expires_in": 300}
                if server.issue_refresh_tokens:
                    body["refresh_token"] = server.new_refresh_token(user)
                self._answer(200, body)

        self.server = LoopbackHTTPServer(Handler, name="token-server").start()
        self.port = self.server.port

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def new_refresh_token(self, user: str) -> str:
        token = "rt-" + secrets.token_hex(16)
        self.refresh_tokens[token] = user
        return token

    def stop(self) -> None:
        self.server.stop()


def _get_status(address: str, path: str, timeout: float) -> int | None:
    """The status of ``GET http://address/path``, or None when nothing answers."""
    host, _, port = address.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


class Registry:
    """One ``docker-registry serve`` on 127.0.0.1:<free port>, its storage and config in ``tmp``:
    anonymous, or with ``htpasswd`` users (``{user: password}``, bcrypt-hashed by ``htpasswd -B``),
    or ``token`` auth through a :class:`TokenServer`. ``delete``: ``DELETE`` of manifests and blobs
    allowed. A context manager (starts on enter unless started, stops on exit)."""

    def __init__(
        self,
        tmp: Path,
        *,
        htpasswd: Mapping[str, str] | None = None,
        token: TokenServer | None = None,
        delete: bool = True,
        log_level: str = "info",
    ) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.log_path = tmp / "registry.log"
        self.storage = tmp / "storage"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.users = dict(htpasswd or {})
        if htpasswd is not None:
            lines = [
                subprocess.run(
                    [HTPASSWD_BIN, "-Bbn", user, password], check=True, capture_output=True, text=True
                ).stdout.strip()
                for user, password in htpasswd.items()
            ]
            (tmp / "htpasswd").write_text("\n".join(lines) + "\n")
            auth: dict[str, Any] = {"htpasswd": {"realm": REALM, "path": str(tmp / "htpasswd")}}
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
            "log": {"level": log_level, "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(self.storage)}, "delete": {"enabled": delete}},
            "http": {"addr": f"127.0.0.1:{self.port}", "secret": secrets.token_hex(16)},
            **({"auth": auth} if auth else {}),
        }
        # JSON is YAML: no YAML writer needed.
        self.config_path = tmp / "config.yml"
        self.config_path.write_text(json.dumps(config, indent=2))
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``: the registry's name in image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self, timeout: float = 15.0) -> Self:
        """Start it and wait until ``/v2/`` answers (200, or 401 with auth)."""
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [REGISTRY_BIN, "serve", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a signal for the test run's process group is not for it
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"docker-registry exited with {self.proc.returncode}:\n{self.logs()}")
            if _get_status(self.address, "/v2/", 1.0) in (200, 401):
                return self
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
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self) -> Self:
        return self if self.proc is not None else self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


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
        with Registry(tmp_path_factory.mktemp(name), htpasswd=users) as r:
            yield r

    return registry


# ---- a registry that lies ------------------------------------------------------------------------

FaultKind = Literal["corrupt", "stall", "truncate", "status"]


@dataclass
class Fault:
    """What :class:`FaultyRegistry` does instead of answering a path right.

    * ``corrupt``: the whole body, as long as the real one, one byte changed (its digest is wrong);
    * ``stall``: the real headers and the first ``after`` bytes (default: half), then nothing until
      the client goes away or the registry stops (at most its ``stall_limit``);
    * ``truncate``: the real headers and the first ``after`` bytes, then the connection closed;
    * ``status``: ``status`` (default 500) with a registry error body.

    ``times``: only for the first so many requests, then the truth (None: always)."""

    kind: FaultKind
    status: int = 500
    after: int | None = None
    times: int | None = None

    @classmethod
    def corrupt(cls, *, times: int | None = None) -> Fault:
        return cls("corrupt", times=times)

    @classmethod
    def stall(cls, *, after: int | None = None, times: int | None = None) -> Fault:
        return cls("stall", after=after, times=times)

    @classmethod
    def truncate(cls, *, after: int | None = None, times: int | None = None) -> Fault:
        return cls("truncate", after=after, times=times)

    @classmethod
    def error(cls, status: int = 500, *, times: int | None = None) -> Fault:
        return cls("status", status=status, times=times)


class FaultyRegistry:
    """A registry API v2 on 127.0.0.1 (stdlib http.server, one thread per connection) serving
    one image or index as ``repo:tag``: ``/v2/``, manifests by tag and digest, blobs by digest,
    ``tags/list``; every request is recorded in :attr:`requests` as ``(method, path)``.

    :attr:`faults` maps a request path (``blob_path(digest)``, ``manifest_path(ref)``; or just the
    digest or tag, its last segment) to the :class:`Fault` served there; it may change while the
    registry runs. :meth:`stop` ends stalled answers, closes every connection and joins every
    thread. A context manager (started by the constructor)."""

    def __init__(
        self,
        image: AnyImage,
        repo: str = "test/busybox",
        tag: str = "latest",
        *,
        faults: Mapping[str, Fault] | None = None,
        stall_limit: float = 60.0,
    ) -> None:
        self.image = image
        self.repo = repo
        self.tag = tag
        self.faults: dict[str, Fault] = dict(faults or {})
        self.stall_limit = stall_limit
        self.requests: list[tuple[str, str]] = []
        self.blobs: dict[str, bytes] = dict(image.blobs)
        # ref (tag or digest) -> (media type, bytes, digest)
        self.manifests: dict[str, tuple[str, bytes, str]] = {}
        if isinstance(image, TestIndex):
            for digest, child in image.manifests.items():
                self.manifests[digest] = (child.manifest_media_type, child.manifest, digest)
            top = (image.media_type, image.index, image.digest)
        else:
            top = (image.manifest_media_type, image.manifest, image.manifest_digest)
        self.manifests[tag] = self.manifests[top[2]] = top
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        # Handlers joined at stop(): nothing outlives it.
        self._server = LoopbackHTTPServer(self._handler_class(), name="faulty-registry", join_handlers=True).start()
        self.port: int = self._server.port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    @property
    def reference(self) -> str:
        """``127.0.0.1:<port>/<repo>:<tag>``: the image's name for a pull."""
        return f"{self.address}/{self.repo}:{self.tag}"

    def blob_path(self, digest: str) -> str:
        return f"/v2/{self.repo}/blobs/{digest}"

    def manifest_path(self, ref: str | None = None) -> str:
        return f"/v2/{self.repo}/manifests/{ref or self.tag}"

    def _fault(self, path: str) -> Fault | None:
        """The fault for ``path`` now (counting down its ``times``), or None."""
        with self._lock:
            for key in (path, path.rsplit("/", 1)[-1]):
                fault = self.faults.get(key)
                if fault is None:
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        return None
                    fault.times -= 1
                return fault
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # an idle keep-alive connection ends by itself (stop() closes it sooner)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with registry._lock:
                    registry._connections.add(self.connection)

            def finish(self) -> None:
                with registry._lock:
                    registry._connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:  # the client (or stop()) closed it first
                    pass

            def _error(self, status: int, code: str, message: str, head: bool) -> None:
                body = json.dumps({"errors": [{"code": code, "message": message, "detail": None}]}).encode()
                self._send(status, body, {"Content-Type": "application/json"}, head, None)

            def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool, fault: Fault | None) -> None:
                if fault is not None and fault.kind == "status":
                    self._error(fault.status, "UNKNOWN", "injected fault", head)
                    return
                if fault is not None and fault.kind == "corrupt" and body:
                    mid = len(body) // 2
                    body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1 :]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                self.end_headers()
                if head:
                    return
                if fault is None or fault.kind == "corrupt":
                    self.wfile.write(body)
                    return
                self.wfile.write(body[: len(body) // 2 if fault.after is None else fault.after])
                self.wfile.flush()
                self.close_connection = True
                if fault.kind == "stall":
                    self._stall()

            def _stall(self) -> None:
                """Wait until the registry stops, the client hangs up, or the stall limit."""
                deadline = time.monotonic() + registry.stall_limit
                self.connection.settimeout(0.2)
                while not registry._stopping.is_set() and time.monotonic() < deadline:
                    try:
                        if not self.connection.recv(1024):
                            return  # the client closed its end
                    except TimeoutError:
                        continue
                    except OSError:
                        return

            def _serve(self, head: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                registry.requests.append((self.command, path))
                fault = registry._fault(path)
                prefix = f"/v2/{registry.repo}/"
                if path in ("/v2", "/v2/"):
                    self._send(200, b"{}", {"Content-Type": "application/json"}, head, fault)
                elif path.startswith(prefix + "manifests/"):
                    found = registry.manifests.get(path.removeprefix(prefix + "manifests/"))
                    if found is None:
                        self._error(404, "MANIFEST_UNKNOWN", "manifest unknown", head)
                        return
                    media_type, body, digest = found
                    headers = {"Content-Type": media_type, "Docker-Content-Digest": digest}
                    self._send(200, body, headers, head, fault)
                elif path.startswith(prefix + "blobs/"):
                    digest = path.removeprefix(prefix + "blobs/")
                    blob = registry.blobs.get(digest)
                    if blob is None:
                        self._error(404, "BLOB_UNKNOWN", "blob unknown to registry", head)
                        return
                    headers = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": digest}
                    self._send(200, blob, headers, head, fault)
                elif path == prefix + "tags/list":
                    body = json.dumps({"name": registry.repo, "tags": [registry.tag]}).encode()
                    self._send(200, body, {"Content-Type": "application/json"}, head, fault)
                else:
                    self._error(404, "NAME_UNKNOWN", "repository name not known to registry", head)

            def do_GET(self) -> None:
                self._serve(head=False)

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def _unsupported(self) -> None:
                registry.requests.append((self.command, unquote(urlsplit(self.path).path)))
                self._error(405, "UNSUPPORTED", "this registry is read-only", head=False)

            do_POST = do_PUT = do_PATCH = do_DELETE = _unsupported

        return Handler

    def stop(self) -> None:
        """End stalled answers, stop serving, close every connection, join every thread."""
        self._stopping.set()
        self._server.stop(before_close=self._cut_connections)

    def _cut_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


__all__ = [
    "HTPASSWD_BIN",
    "ISSUER",
    "REALM",
    "REGISTRY_BIN",
    "SERVICE",
    "Fault",
    "FaultyRegistry",
    "Registry",
    "SigningKey",
    "TokenRequest",
    "TokenServer",
    "htpasswd_registry_fixture",
    "missing_tools",
]
