"""Registry login: check credentials against a Docker Registry v2 endpoint (``POST /auth``).

The flow is docker's (registry/auth.go, distribution's token handler):

1. ``GET /v2/`` without credentials. 200 means the registry needs none: login succeeds.
2. A 401 names how to authenticate in ``WWW-Authenticate``:

   * ``Basic realm=...``: ``GET /v2/`` again with basic auth; 200 succeeds, 401/403 is a bad login.
   * ``Bearer realm=...,service=...[,scope=...]``: ask the token server at ``realm`` for a token
     (``GET`` with basic auth, ``offline_token=true`` and ``client_id=pouch``; or, with an
     identity token, an OAuth2 ``POST`` with ``grant_type=refresh_token``), then ``GET /v2/``
     with ``Authorization: Bearer <token>``.

The identity token returned is the token server's ``refresh_token`` when it issues one (docker
returns that as IdentityToken too). When it issues none, the answer is the identity token the
login was made with, if any, else ``""``: the caller can always store what it gets.

Secrets (password, ``Auth``, identity and registry tokens) go only into request headers and
form bodies, never into URLs, log lines or error messages; every message this module produces
is also scrubbed of them before it leaves (:meth:`Credentials.scrub`).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import logging
import os
import re
import socket
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx

if TYPE_CHECKING:
    from pouch_server.config import DaemonConfig

log = logging.getLogger("pouchd.registry")

CLIENT_ID = "pouch"
# Docker Hub's names, all served by one v2 endpoint (docker's IndexHostname, DefaultNamespace).
HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
HUB_V2_HOST = "registry-1.docker.io"

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 10.0  # per request, connect to last byte
LOGIN_TIMEOUT = 25.0  # the whole login: below the CLI's 30 s so the user gets our message, not a timeout
MAX_BODY = 1 << 20  # registries' /v2/ and token answers are small; a larger one is not a registry
MAX_REDIRECTS = 5

_HOST_PORT = re.compile(
    r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(?P<port>[0-9]{1,5}))?$")
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME_RE = re.compile(rf"\s*({_TOKEN})")
_PARAM_RE = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TOKEN}))')
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class RegistryError(Exception):
    """Login failed: the HTTP status to answer with and a message safe to show and log."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Unreachable(Exception):
    """No registry answered at an endpoint: the next endpoint may be tried (docker's fallbackError)."""


# ---- addresses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One base URL to try, and whether its TLS certificate is checked."""

    scheme: str
    netloc: str  # host[:port], IPv6 in brackets
    verify: bool = True

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    @property
    def v2(self) -> str:
        return f"{self.base}/v2/"


@dataclass(frozen=True)
class Target:
    """Where a ServerAddress leads: its display name and the endpoints to try, in order."""

    name: str
    endpoints: tuple[Endpoint, ...]


def split_address(address: str) -> tuple[str | None, str, str, int | None]:
    """``[scheme://]host[:port][/path]`` → (scheme or None, netloc, host, port), as docker's
    ConvertToHostname reads it (the path, e.g. ``/v1/``, is dropped). Raises RegistryError(400).

    Messages never echo an address holding ``@``: that part may be a password.
    """
    address = address.strip()
    scheme: str | None = None
    rest = address
    if "://" in address:
        scheme, rest = address.split("://", 1)
        scheme = scheme.lower()
    netloc = rest.split("/", 1)[0]
    if "@" in netloc:
        raise RegistryError(400, "invalid registry address: credentials in the address are not supported, "
                                 "give them as username and password")
    if scheme not in (None, "http", "https"):
        raise RegistryError(400, f"invalid registry address {address!r}: the scheme must be http or https")
    m = _HOST_PORT.match(netloc)
    if not m:
        raise RegistryError(400, f"invalid registry address {address!r}: want [http[s]://]host[:port]")
    host = m.group("host").lower()
    port = int(m.group("port")) if m.group("port") else None
    if port is not None and not 0 < port < 65536:
        raise RegistryError(400, f"invalid registry address {address!r}: port out of range")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise RegistryError(400, f"invalid registry address {address!r}: bad IPv6 address") from None
    netloc = host if port is None else f"{host}:{port}"
    return scheme, netloc, host.strip("[]"), port


class InsecurePolicy:
    """Which registries may be reached over plain HTTP or unverified TLS.

    Loopback (127.0.0.0/8, ::1, ``localhost``) always; plus ``--insecure-registries`` entries,
    each a ``host[:port]`` name or a CIDR (matched against the host's addresses, as docker does).
    """

    def __init__(self, entries: list[str]) -> None:
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in entries:
            entry = entry.strip().lower()
            if "://" in entry:  # docker refuses these; accepting them costs nothing
                entry = entry.split("://", 1)[1]
            entry = entry.rstrip("/")
            if not entry:
                continue
            if "/" in entry:
                try:
                    self.networks.append(ipaddress.ip_network(entry, strict=False))
                except ValueError:
                    log.warning("ignoring insecure registry %r: not a CIDR", entry)
                continue
            self.names.add(entry)

    async def is_insecure(self, netloc: str, host: str) -> bool:
        if host in _LOOPBACK_NAMES or netloc in self.names or host in self.names:
            return True
        try:
            ips = [ipaddress.ip_address(host)]
        except ValueError:
            if not self.networks:
                return False
            ips = await _resolve(host)  # only to match CIDRs, as docker's isSecureIndex does
        return any(ip.is_loopback or any(ip in net for net in self.networks) for ip in ips)


async def _resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), CONNECT_TIMEOUT)
    except (TimeoutError, OSError):
        return []
    out = []
    for info in infos:
        try:
            out.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return out


# ---- challenges --------------------------------------------------------------------------------


def parse_challenges(values: list[str]) -> list[tuple[str, dict[str, str]]]:
    """``WWW-Authenticate`` values → [(scheme lowercased, {param: value})] (RFC 7235 auth-params;
    token68 forms are skipped: no registry scheme uses them)."""
    out: list[tuple[str, dict[str, str]]] = []
    for value in values:
        pos = 0
        while pos < len(value):
            while pos < len(value) and value[pos] in " \t,":
                pos += 1
            m = _SCHEME_RE.match(value, pos)
            if not m:
                break
            scheme, pos = m.group(1).lower(), m.end()
            params: dict[str, str] = {}
            while True:
                p = _PARAM_RE.match(value, pos)
                if not p:
                    break
                raw = p.group(2)
                params[p.group(1).lower()] = re.sub(r"\\(.)", r"\1", raw) if raw is not None else p.group(3)
                pos = p.end()
                rest = value[pos:].lstrip(" \t")
                if not rest.startswith(","):
                    break
                pos = len(value) - len(rest) + 1
            out.append((scheme, params))
            if not params:  # a bare scheme or a token68 we do not read: skip to the next comma
                nxt = value.find(",", pos)
                pos = len(value) if nxt < 0 else nxt + 1
    return out


# ---- credentials -------------------------------------------------------------------------------


@dataclass
class Credentials:
    """What AuthConfig offers, decoded; ``secrets`` holds every string that must never be shown."""

    username: str = ""
    password: str = ""
    identity_token: str = ""
    registry_token: str = ""
    secrets: list[str] = field(default_factory=list)

    @classmethod
    def from_auth_config(cls, body: dict[str, Any]) -> Credentials:
        """Username/Password win; ``Auth`` (base64 of ``user:password``) stands in when they are empty."""
        def text(key: str) -> str:
            value = body.get(key)
            return value if isinstance(value, str) else ""

        creds = cls(text("Username"), text("Password"), text("IdentityToken"), text("RegistryToken"))
        auth = text("Auth")
        creds.secrets = [s for s in (creds.password, creds.identity_token, creds.registry_token, auth) if s]
        if auth and not creds.username and not creds.password:
            try:
                decoded = base64.b64decode(auth.strip(), validate=True).decode()
            except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII input's ValueError
                raise RegistryError(400, "invalid Auth: want base64 of username:password") from None
            user, sep, password = decoded.partition(":")
            if not sep or not user:
                raise RegistryError(400, "invalid Auth: want base64 of username:password")
            creds.username, creds.password = user, password
            if password:
                creds.secrets.append(password)
        if creds.password:
            # A password can also leak as part of an encoded header value.
            creds.secrets.append(base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode())
        return creds

    @property
    def basic(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username or self.password else None

    def scrub(self, text: str) -> str:
        # Longest first, so a secret that contains another is masked whole.
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "*****")
        return text


# ---- the manager -------------------------------------------------------------------------------


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]  # a realm might carry userinfo: never repeat it
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _describe_transport_error(e: BaseException) -> str:
    """A short cause without URLs: httpx's own text is often just "All connection attempts failed"."""
    if isinstance(e, (httpx.TimeoutException, TimeoutError)):
        return "timed out"
    text = str(e).strip()
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return f"TLS certificate verification failed ({text})"
    if "WRONG_VERSION_NUMBER" in text or "record layer failure" in text:
        return f"TLS handshake failed, the server may not speak HTTPS ({text})"
    cause: BaseException | None = e
    while cause is not None:  # the OS error underneath says what happened
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve the host name ({cause.strerror or cause})"
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno).lower()
        cause = cause.__cause__ or cause.__context__
    return text or type(e).__name__


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def looks_like_registry(self) -> bool:
        """A v2 registry's /v2/ answer: distribution's version header, or a 200 JSON body."""
        if self.headers.get("docker-distribution-api-version", "").startswith("registry/2"):
            return True
        return self.status == 200 and "json" in self.headers.get("content-type", "")


class RegistryManager:
    """Checks registry credentials (``POST /auth``); holds no state between logins."""

    def __init__(self, config: DaemonConfig) -> None:
        self.default_registry = config.default_registry or "registry.hub.docker.com"
        self.insecure = InsecurePolicy(list(config.insecure_registries))

    async def target(self, server_address: str) -> Target:
        """Resolve a ServerAddress (empty: the default registry) to the endpoints to try."""
        address = server_address.strip() or self.default_registry
        scheme, netloc, host, _port = split_address(address)
        if host in HUB_NAMES:
            # Docker Hub: always its v2 host over verified TLS, whatever form was given.
            return Target(netloc, (Endpoint("https", HUB_V2_HOST),))
        insecure = await self.insecure.is_insecure(netloc, host)
        if scheme == "http":
            return Target(netloc, (Endpoint("http", netloc),))
        if scheme == "https":
            return Target(netloc, (Endpoint("https", netloc, verify=not insecure),))
        if insecure:
            return Target(netloc, (Endpoint("https", netloc, verify=False), Endpoint("http", netloc)))
        return Target(netloc, (Endpoint("https", netloc),))

    async def login(self, body: dict[str, Any]) -> str:
        """Check the credentials in an AuthConfig; the identity token to keep (maybe ``""``).

        Raises RegistryError with 400 (bad request), 401 (refused credentials) or 500.
        """
        creds = Credentials.from_auth_config(body)
        address = body.get("ServerAddress") if isinstance(body.get("ServerAddress"), str) else ""
        try:
            target = await self.target(address or "")
            return await asyncio.wait_for(self._login(target, creds), LOGIN_TIMEOUT)
        except RegistryError as e:
            raise RegistryError(e.status, creds.scrub(e.message)) from None
        except TimeoutError:
            raise RegistryError(500, f"login to {address or self.default_registry} timed out "
                                     f"after {LOGIN_TIMEOUT:.0f}s") from None

    # -- the flow --

    async def _login(self, target: Target, creds: Credentials) -> str:
        failures: list[str] = []
        for endpoint in target.endpoints:
            try:
                ping = await self._request(endpoint.verify, "GET", endpoint.v2)
            except _Unreachable as e:
                failures.append(f"{endpoint.v2}: {e}")
                log.debug("registry login: no registry at %s (%s)", endpoint.v2, creds.scrub(str(e)))
                continue
            if ping.status == 200 and ping.looks_like_registry():
                log.debug("registry login: %s needs no credentials", endpoint.v2)
                return creds.identity_token
            challenges = parse_challenges(ping.headers.get_list("www-authenticate")) if ping.status == 401 else []
            schemes = {scheme: params for scheme, params in reversed(challenges)}  # first of a scheme wins
            if not schemes and not ping.looks_like_registry():
                failures.append(f"{endpoint.v2}: answered {_status_text(ping.status)}, not a registry's answer")
                log.debug("registry login: %s is not a registry (%d)", endpoint.v2, ping.status)
                continue
            try:
                if "bearer" in schemes:  # docker prefers the token handler over basic
                    return await self._bearer(endpoint, schemes["bearer"], creds)
                if "basic" in schemes:
                    return await self._basic(endpoint, creds)
            except _Unreachable as e:
                # The registry answered the first request, so there is no other endpoint to try.
                raise RegistryError(500, f"lost the connection to registry {endpoint.base}: {e}") from None
            if ping.status == 401:
                offered = ", ".join(sorted(schemes)) or "none"
                raise RegistryError(500, f"registry {endpoint.base} asks for an unsupported authentication "
                                         f"scheme ({offered})")
            raise RegistryError(500, f"login attempt to {endpoint.v2} failed with status: "
                                     f"{_status_text(ping.status)}")
        raise RegistryError(500, f"cannot reach a registry at {target.name}: " + "; ".join(failures))

    async def _basic(self, endpoint: Endpoint, creds: Credentials) -> str:
        if creds.basic is None:
            raise RegistryError(401, f"login attempt to {endpoint.v2} failed with status: 401 Unauthorized "
                                     "(no username or password given)")
        log.debug("registry login: basic auth at %s", endpoint.v2)
        answer = await self._request(endpoint.verify, "GET", endpoint.v2, auth=creds.basic)
        self._check_final(endpoint, answer)
        return creds.identity_token

    async def _bearer(self, endpoint: Endpoint, challenge: dict[str, str], creds: Credentials) -> str:
        if creds.registry_token and not (creds.basic or creds.identity_token):
            # A bearer token handed over as is: present it, no token server involved.
            log.debug("registry login: presenting the given registry token at %s", endpoint.v2)
            answer = await self._request(endpoint.verify, "GET", endpoint.v2,
                                         headers={"Authorization": f"Bearer {creds.registry_token}"})
            self._check_final(endpoint, answer)
            return ""
        realm = challenge.get("realm", "")
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RegistryError(500, f"registry {endpoint.base} names an invalid token realm")
        realm_shown = _without_query(realm)
        realm_insecure = await self.insecure.is_insecure(parts.netloc.rsplit("@", 1)[-1].lower(),
                                                         parts.hostname.lower())
        verify = not realm_insecure
        service, scope = challenge.get("service", ""), challenge.get("scope", "")
        log.debug("registry login: bearer token from %s for service %r at %s", realm_shown, service, endpoint.v2)

        if creds.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token,
                    "client_id": CLIENT_ID, "access_type": "offline"}
            form.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
            request = self._request(verify, "POST", realm, data=form)
        else:
            params = {"offline_token": "true", "client_id": CLIENT_ID}
            params.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
            request = self._request(verify, "GET", realm, params=params, auth=creds.basic)
        try:
            answer = await request
        except _Unreachable as e:
            raise RegistryError(500, f"cannot reach the token server {realm_shown} named by registry "
                                     f"{endpoint.base}: {e}") from None
        if answer.status in (400, 401, 403):
            what = "identity token" if creds.identity_token else "credentials"
            raise RegistryError(401, f"login attempt to {endpoint.v2} failed with status: 401 Unauthorized "
                                     f"(token server {realm_shown} refused the {what}: "
                                     f"{_status_text(answer.status)})")
        if answer.status != 200:
            raise RegistryError(500, f"token server {realm_shown} answered {_status_text(answer.status)}")
        data = answer.json()
        token = ""
        if isinstance(data, dict):
            token = data.get("token") or data.get("access_token") or ""
        if not isinstance(token, str) or not token:
            raise RegistryError(500, f"token server {realm_shown} answered without a token")
        refresh = data.get("refresh_token") if isinstance(data.get("refresh_token"), str) else ""
        creds.secrets += [s for s in (token, refresh) if s]

        answer = await self._request(endpoint.verify, "GET", endpoint.v2, headers={"Authorization": f"Bearer {token}"})
        self._check_final(endpoint, answer)
        return refresh or creds.identity_token

    @staticmethod
    def _check_final(endpoint: Endpoint, answer: _Answer) -> None:
        if answer.status == 200:
            return
        status = 401 if answer.status in (401, 403) else 500
        raise RegistryError(status, f"login attempt to {endpoint.v2} failed with status: "
                                    f"{_status_text(answer.status)}")

    # -- HTTP --

    async def _request(self, verify: bool, method: str, url: str, *, auth: tuple[str, str] | None = None,
                       **kwargs: Any) -> _Answer:
        """One bounded request. Transport failures raise _Unreachable with a message that holds
        no URL (httpx's may) and so no query string or userinfo."""
        timeout = httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT)
        # Redirects are followed; httpx drops Authorization when one leaves the origin (or HTTPS).
        client_args: dict[str, Any] = {"timeout": timeout, "follow_redirects": True, "verify": verify,
                                       "max_redirects": MAX_REDIRECTS, "headers": {"User-Agent": "pouchd"}}

        async def run() -> _Answer:
            async with httpx.AsyncClient(**client_args) as client:
                async with client.stream(method, url, auth=auth, **kwargs) as resp:
                    body = b""
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_BODY:
                            raise RegistryError(500, f"{_without_query(url)} answered with more than "
                                                     f"{MAX_BODY} bytes: not a registry")
                    return _Answer(resp.status_code, resp.headers, body)

        try:
            return await asyncio.wait_for(run(), REQUEST_TIMEOUT)
        except RegistryError:
            raise
        except (TimeoutError, httpx.TransportError, OSError) as e:
            raise _Unreachable(_describe_transport_error(e)) from None
        except httpx.TooManyRedirects:
            raise RegistryError(500, f"{_without_query(url)}: too many redirects") from None
        except httpx.HTTPError as e:
            raise RegistryError(500, f"{_without_query(url)}: {type(e).__name__}") from None
