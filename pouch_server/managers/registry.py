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

:class:`RegistryAuth` is that flow at one endpoint, as an ``httpx.Auth`` (it yields the requests
and judges the answers; any client and transport can run it). :class:`RegistryManager` picks the
endpoints (``https://`` first, plain ``http://`` only for insecure registries), runs the flow on
one client per login and TLS verification mode, and owns the limits: CONNECT_TIMEOUT, then
REQUEST_TIMEOUT per request of the flow and LOGIN_TIMEOUT in all, MAX_REDIRECTS per request and
MAX_BODY per answer (asked uncompressed). The SSL contexts are built once, off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import logging
import os
import re
import socket
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

from pouch_common.registry import DEFAULT_REGISTRY, HUB_NAMES, HUB_V2_HOST
from pouch_server.bodies import parse_json

if TYPE_CHECKING:
    import ssl

    from pouch_server.config import DaemonConfig

log = logging.getLogger("pouchd.registry")

CLIENT_ID = "pouch"
# Docker Hub's names, all served by one v2 endpoint (docker's IndexHostname, DefaultNamespace).

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 10.0  # per request, connect to last byte
LOGIN_TIMEOUT = 25.0  # the whole login: below the CLI's 30 s so the user gets our message, not a timeout
MAX_BODY = 1 << 20  # registries' /v2/ and token answers are small; a larger one is not a registry
MAX_REDIRECTS = 5

_HOST_PORT = re.compile(
    r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(?P<port>[0-9]{1,5}))?$")
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME_RE = re.compile(rf"\s*({_TOKEN})")
_COMMA_RE = re.compile(r"[ \t]*,")
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
                comma = _COMMA_RE.match(value, pos)  # matched in place: no copies, linear in the header
                if not comma:
                    break
                pos = comma.end()
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


# ---- answers -----------------------------------------------------------------------------------


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


def looks_like_registry(response: httpx.Response) -> bool:
    """A v2 registry's /v2/ answer: distribution's version header, or a 200 JSON body."""
    if response.headers.get("docker-distribution-api-version", "").startswith("registry/2"):
        return True
    return response.status_code == 200 and "json" in response.headers.get("content-type", "")


class _NotARegistry(Exception):
    """An endpoint answered, but not as a v2 registry: the next endpoint may be tried."""


class _BadAnswer(Exception):
    """An answer pouchd will not read: larger than MAX_BODY, or compressed though it asked for none."""


class _LimitedStream(httpx.AsyncByteStream):
    """A response body that fails once it has delivered more than ``limit`` bytes."""

    def __init__(self, stream: httpx.AsyncByteStream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self._stream:
            size += len(chunk)
            if size > self._limit:
                raise _BadAnswer(f"answered with more than {self._limit} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


async def _limit_answer(response: httpx.Response) -> None:
    """Response hook of the login clients: every answer is read through a byte limit, redirects and
    the flow's intermediate answers included (httpx reads those itself, whole).

    The clients send ``Accept-Encoding: identity``, so the bytes on the wire are the bytes in
    memory; a server that compresses anyway is refused rather than inflated by a factor it picks.
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise _BadAnswer(f"answered in content encoding {encoding[:40]!r}, which pouchd did not ask for")
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and (len(length) > 12 or int(length) > MAX_BODY):
        raise _BadAnswer(f"answered with more than {MAX_BODY} bytes")
    # Every read of a body (aread, aiter_bytes, aiter_raw) iterates Response.stream; httpx wraps it
    # the same way after each send (BoundAsyncStream, httpx 0.28.1), before the hooks run.
    if isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _LimitedStream(response.stream, MAX_BODY)


def _header_token(value: str) -> bool:
    """Whether a token can be sent in an Authorization header at all (printable ASCII): whether
    the registry takes it is the registry's call."""
    return value.isascii() and value.isprintable()


def _basic_header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# ---- the flow ----------------------------------------------------------------------------------

Stage = Literal["ping", "token", "final"]
TokenClient = Callable[[str], Awaitable[httpx.AsyncClient | None]]


class RegistryAuth(httpx.Auth):
    """docker's login at one registry endpoint as an httpx auth flow (the idiom of httpx's DigestAuth).

    Send it with a ``GET <endpoint>/v2/``. The flow yields that request without credentials, reads
    the ``WWW-Authenticate`` challenge, yields the token request (Bearer) when there is one, and
    yields the first request again with credentials; it checks each answer and raises
    :class:`RegistryError` (status and message for the client) when the login fails, or
    ``_NotARegistry`` when the endpoint is no registry at all. After a send that returns,
    ``identity_token`` is what to keep. Transport errors come out of ``send`` as httpx raises them;
    ``stage`` says during which request.

    It follows redirects itself, through ``Response.next_request`` (the client's follow_redirects is
    off): httpx builds that request by its own rules (Authorization dropped when the origin changes,
    unless to HTTPS on the same host), and each of the flow's requests gets MAX_REDIRECTS and a
    deadline (``on_step``) of its own, as when each was a send of its own.
    """

    requires_response_body = True  # the token answer's JSON; the client bounds every body (_limit_answer)

    def __init__(self, creds: Credentials, endpoint: Endpoint, *, on_step: Callable[[], None] | None = None,
                 token_client: TokenClient | None = None) -> None:
        """``on_step`` is called as each request of the flow begins (not for redirects);
        ``token_client`` names another client for the token request (None: this one)."""
        self.creds = creds
        self.endpoint = endpoint
        self.on_step = on_step
        self.token_client = token_client
        self.stage: Stage = "ping"
        self.url = endpoint.v2  # the current request's URL as first given, for messages
        self.realm_shown = ""
        self.identity_token = ""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        creds, endpoint = self.creds, self.endpoint
        ping = yield from self._step("ping", endpoint.v2, request)
        if ping.status_code == 200 and looks_like_registry(ping):
            log.debug("registry login: %s needs no credentials", endpoint.v2)
            self.identity_token = creds.identity_token
            return
        challenges = parse_challenges(ping.headers.get_list("www-authenticate")) if ping.status_code == 401 else []
        schemes = {scheme: params for scheme, params in reversed(challenges)}  # first of a scheme wins
        if not schemes and not looks_like_registry(ping):
            log.debug("registry login: %s is not a registry (%d)", endpoint.v2, ping.status_code)
            raise _NotARegistry(f"answered {_status_text(ping.status_code)}, not a registry's answer")
        if "bearer" in schemes:  # docker prefers the token handler over basic
            yield from self._bearer(request, schemes["bearer"])
        elif "basic" in schemes:
            yield from self._basic(request)
        elif ping.status_code == 401:
            offered = ", ".join(sorted(schemes)) or "none"
            raise RegistryError(500, f"registry {endpoint.base} asks for an unsupported authentication "
                                     f"scheme ({offered})")
        else:
            raise RegistryError(500, f"login attempt to {endpoint.v2} failed with status: "
                                     f"{_status_text(ping.status_code)}")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """auth_flow, with one step that may need I/O of its own: a token realm that needs another
        TLS verification mode than the registry gets its request sent by ``token_client``'s client."""
        flow = self.auth_flow(request)
        token_client: httpx.AsyncClient | None = None
        asked = False
        try:
            request = next(flow)
            while True:
                if self.stage == "token" and self.token_client is not None and not asked:
                    token_client, asked = await self.token_client(str(request.url)), True
                if self.stage == "token" and token_client is not None:
                    response = await token_client.send(request)  # read whole, through its own limit
                else:
                    response = yield request
                    await response.aread()  # bounded by the client's _limit_answer
                try:
                    request = flow.send(response)
                except StopIteration:
                    return
        finally:
            flow.close()

    def _step(self, stage: Stage, url: str,
              request: httpx.Request) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        """One request of the flow with its redirects followed: the last answer."""
        self.stage, self.url = stage, url
        if self.on_step is not None:
            self.on_step()
        response = yield request
        for _ in range(MAX_REDIRECTS):
            if response.next_request is None:
                return response
            response = yield response.next_request
        if response.next_request is not None:
            raise RegistryError(500, f"{_without_query(url)}: too many redirects")
        return response

    def _basic(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        creds, endpoint = self.creds, self.endpoint
        if creds.basic is None:
            raise RegistryError(401, f"login attempt to {endpoint.v2} failed with status: 401 Unauthorized "
                                     "(no username or password given)")
        log.debug("registry login: basic auth at %s", endpoint.v2)
        request.headers["Authorization"] = _basic_header(*creds.basic)
        final = yield from self._step("final", endpoint.v2, request)
        self._check_final(final)
        self.identity_token = creds.identity_token

    def _bearer(self, request: httpx.Request,
                challenge: dict[str, str]) -> Generator[httpx.Request, httpx.Response, None]:
        creds, endpoint = self.creds, self.endpoint
        if creds.registry_token and not (creds.basic or creds.identity_token):
            # A bearer token handed over as is: present it, no token server involved.
            if not _header_token(creds.registry_token):
                raise RegistryError(400, "invalid RegistryToken: want a token of printable ASCII characters")
            log.debug("registry login: presenting the given registry token at %s", endpoint.v2)
            request.headers["Authorization"] = f"Bearer {creds.registry_token}"
            final = yield from self._step("final", endpoint.v2, request)
            self._check_final(final)
            self.identity_token = ""
            return
        realm = challenge.get("realm", "")
        invalid_realm = RegistryError(500, f"registry {endpoint.base} names an invalid token realm")
        try:
            parts = urlsplit(realm)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.port == 0:
                raise invalid_realm
        except ValueError:  # an unclosed [IPv6 bracket, a port out of range
            raise invalid_realm from None
        self.realm_shown = realm_shown = _without_query(realm)
        service, scope = challenge.get("service", ""), challenge.get("scope", "")
        # The realm and service come from the registry: scrubbed, in case it names a secret there.
        log.debug("%s", creds.scrub(f"registry login: bearer token from {realm_shown} for service {service!r} "
                                    f"at {endpoint.v2}"))

        # The token request carries the client's headers (User-Agent, Accept-Encoding...) and timeouts.
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in ("host", "authorization")]
        try:
            if creds.identity_token:
                form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token,
                        "client_id": CLIENT_ID, "access_type": "offline"}
                form.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
                token_request = httpx.Request("POST", realm, data=form, headers=headers,
                                              extensions=request.extensions)
            else:
                params = {"offline_token": "true", "client_id": CLIENT_ID}
                params.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
                # Added to the realm's own query, as docker does (httpx's params= would replace it).
                url = httpx.URL(realm).copy_merge_params(params)
                token_request = httpx.Request("GET", url, headers=headers, extensions=request.extensions)
                if creds.basic is not None:
                    token_request.headers["Authorization"] = _basic_header(*creds.basic)
        except httpx.InvalidURL:
            raise invalid_realm from None
        answer = yield from self._step("token", realm, token_request)
        if answer.status_code in (400, 401, 403):
            what = "identity token" if creds.identity_token else "credentials"
            raise RegistryError(401, f"login attempt to {endpoint.v2} failed with status: 401 Unauthorized "
                                     f"(token server {realm_shown} refused the {what}: "
                                     f"{_status_text(answer.status_code)})")
        if answer.status_code != 200:
            raise RegistryError(500, f"token server {realm_shown} answered {_status_text(answer.status_code)}")
        try:
            data = parse_json(answer.content)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
            data = None
        token: object = ""
        refresh = ""
        if isinstance(data, dict):
            token = data.get("token") or data.get("access_token") or ""
            if isinstance(data.get("refresh_token"), str):
                refresh = data["refresh_token"]
        if not isinstance(token, str) or not token:
            raise RegistryError(500, f"token server {realm_shown} answered without a token")
        creds.secrets += [s for s in (token, refresh) if s]
        if not _header_token(token):
            raise RegistryError(500, f"token server {realm_shown} answered with a malformed token")
        request.headers["Authorization"] = f"Bearer {token}"
        final = yield from self._step("final", endpoint.v2, request)
        self._check_final(final)
        self.identity_token = refresh or creds.identity_token

    def _check_final(self, answer: httpx.Response) -> None:
        if answer.status_code == 200:
            return
        status = 401 if answer.status_code in (401, 403) else 500
        raise RegistryError(status, f"login attempt to {self.endpoint.v2} failed with status: "
                                    f"{_status_text(answer.status_code)}")


# ---- the manager -------------------------------------------------------------------------------


class RegistryManager:
    """Checks registry credentials (``POST /auth``); keeps only TLS settings between logins.

    ``transport`` stands in for the network in tests: given a login client's TLS verification
    mode, the transport that client uses.
    """

    def __init__(self, config: DaemonConfig, *,
                 transport: Callable[[bool], httpx.AsyncBaseTransport] | None = None) -> None:
        self.default_registry = config.default_registry or DEFAULT_REGISTRY
        self.insecure = InsecurePolicy(list(config.insecure_registries))
        self._transport = transport
        self._ssl: dict[bool, ssl.SSLContext] = {}
        self._ssl_building: dict[bool, asyncio.Future[ssl.SSLContext]] = {}

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

    async def _login(self, target: Target, creds: Credentials) -> str:
        failures: list[str] = []
        async with _Clients(self) as clients:
            for endpoint in target.endpoints:
                try:
                    return await self._attempt(endpoint, creds, clients)
                except (_NotARegistry, _Unreachable) as e:
                    failures.append(f"{endpoint.v2}: {e}")
        raise RegistryError(500, f"cannot reach a registry at {target.name}: " + "; ".join(failures))

    async def _attempt(self, endpoint: Endpoint, creds: Credentials, clients: _Clients) -> str:
        """The flow at one endpoint; _Unreachable when nothing answered there."""
        client = await clients.get(endpoint.verify)

        async def token_client(realm: str) -> httpx.AsyncClient | None:
            # The token server's certificate is checked by its own host's policy, not the registry's.
            parts = urlsplit(realm)
            verify = not await self.insecure.is_insecure(parts.netloc.rsplit("@", 1)[-1].lower(),
                                                         (parts.hostname or "").lower())
            return None if verify == endpoint.verify else await clients.get(verify)

        loop = asyncio.get_running_loop()
        auth = RegistryAuth(creds, endpoint, token_client=token_client)
        try:
            # REQUEST_TIMEOUT per request of the flow, connect to last byte, redirects included.
            async with asyncio.timeout(REQUEST_TIMEOUT) as deadline:
                auth.on_step = lambda: deadline.reschedule(loop.time() + REQUEST_TIMEOUT)
                await client.send(client.build_request("GET", endpoint.v2), auth=auth)
            return auth.identity_token
        except (TimeoutError, httpx.TransportError, OSError) as e:
            cause = _describe_transport_error(e)
            if auth.stage == "ping":
                log.debug("registry login: no registry at %s (%s)", endpoint.v2, creds.scrub(cause))
                raise _Unreachable(cause) from None
            if auth.stage == "token":
                raise RegistryError(500, f"cannot reach the token server {auth.realm_shown} named by registry "
                                         f"{endpoint.base}: {cause}") from None
            # The registry answered the first request, so there is no other endpoint to try.
            raise RegistryError(500, f"lost the connection to registry {endpoint.base}: {cause}") from None
        except _BadAnswer as e:
            raise RegistryError(500, f"{_without_query(auth.url)} {e}: not a registry") from None
        except httpx.HTTPError as e:
            raise RegistryError(500, f"{_without_query(auth.url)}: {type(e).__name__}") from None

    async def _client(self, verify: bool) -> httpx.AsyncClient:
        """A new client for one login and one TLS verification mode."""
        tls: dict[str, Any] = ({"transport": self._transport(verify)} if self._transport is not None
                               else {"verify": await self._ssl_context(verify)})
        return httpx.AsyncClient(
            timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": "pouchd", "Accept-Encoding": "identity"},
            event_hooks={"response": [_limit_answer]},
            # RegistryAuth follows redirects itself, MAX_REDIRECTS per request. httpx still counts
            # every answer of an auth flow against max_redirects: room for the flow's three requests.
            follow_redirects=False,
            max_redirects=3 * (MAX_REDIRECTS + 1),
            **tls,
        )

    async def _ssl_context(self, verify: bool) -> ssl.SSLContext:
        """The TLS settings of one verification mode, built once per daemon and shared.

        httpx builds a new SSL context for every client it makes, and with verification that loads
        the CA bundle (certifi's, or SSL_CERT_FILE/SSL_CERT_DIR): about 20 ms of CPU. On the event
        loop, at every request of every login, that stalled all of pouchd's other clients. It is
        built on first use (pouchd's start-up does not pay for a login it may never do), in a
        thread, once; one SSLContext serves any number of connections. A failure is not kept: the
        next login tries again.
        """
        context = self._ssl.get(verify)
        if context is not None:
            return context
        building = self._ssl_building.get(verify)
        if building is None:
            building = asyncio.ensure_future(asyncio.to_thread(_build_ssl_context, verify))
            self._ssl_building[verify] = building
            building.add_done_callback(self._ssl_built)
        try:
            context = await asyncio.shield(building)  # a login that times out does not cancel the build
        except (OSError, ValueError) as e:  # ssl.SSLError is an OSError
            raise RegistryError(500, f"cannot set up TLS to check registry certificates: {e}") from None
        self._ssl[verify] = context
        return context

    def _ssl_built(self, building: asyncio.Future[ssl.SSLContext]) -> None:
        for verify, future in list(self._ssl_building.items()):
            if future is building:
                del self._ssl_building[verify]
        if not building.cancelled():
            building.exception()  # retrieved here too, should every login that waited be gone


def _build_ssl_context(verify: bool) -> ssl.SSLContext:
    """Run in a thread: the SSL context, and httpcore, which the first client would import on the
    event loop (~15 ms, once per process)."""
    import httpcore  # noqa: F401

    return httpx.create_ssl_context(verify)


class _Clients:
    """The clients of one login, one per TLS verification mode (the registry's and, when it differs,
    the token server's), made on first use and closed with the login."""

    def __init__(self, manager: RegistryManager) -> None:
        self._manager = manager
        self._clients: dict[bool, httpx.AsyncClient] = {}
        self._stack = contextlib.AsyncExitStack()

    async def get(self, verify: bool) -> httpx.AsyncClient:
        client = self._clients.get(verify)
        if client is None:
            client = await self._stack.enter_async_context(await self._manager._client(verify))
            self._clients[verify] = client
        return client

    async def __aenter__(self) -> _Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()
