"""docker's login flow at one registry endpoint, as an ``httpx.Auth`` (registry/auth.go,
distribution's token handler):

1. ``GET /v2/`` without credentials. 200 means the registry needs none: login succeeds.
2. A 401 names how to authenticate in ``WWW-Authenticate`` (:func:`parse_challenges`):

   * ``Basic realm=...``: ``GET /v2/`` again with basic auth; 200 succeeds, 401/403 is a bad login.
   * ``Bearer realm=...,service=...[,scope=...]``: ask the token server at ``realm`` for a token
     (``GET`` with basic auth, ``offline_token=true`` and ``client_id=pouch``; or, with an
     identity token, an OAuth2 ``POST`` with ``grant_type=refresh_token``), then ``GET /v2/``
     with ``Authorization: Bearer <token>``.

The identity token returned is the token server's ``refresh_token`` when it issues one (docker
returns that as IdentityToken too). When it issues none, the answer is the identity token the
login was made with, if any, else ``""``: the caller can always store what it gets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from http import HTTPStatus
from typing import Literal
from urllib.parse import urlsplit

import httpx

from pouch_common.jsonutil import parse_json
from pouch_server.errors import APIError
from pouch_server.managers.registry.addresses import Endpoint
from pouch_server.managers.registry.credentials import Credentials, basic_header, header_token, without_query

log = logging.getLogger("pouchd.registry")

CLIENT_ID = "pouch"
MAX_REDIRECTS = 5

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME_RE = re.compile(rf"\s*({_TOKEN})")
_COMMA_RE = re.compile(r"[ \t]*,")
_PARAM_RE = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TOKEN}))')

Stage = Literal["ping", "token", "final"]
TokenClient = Callable[[str], Awaitable[httpx.AsyncClient | None]]


class NotARegistry(Exception):
    """An endpoint answered, but not as a v2 registry: the next endpoint may be tried."""


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


def looks_like_registry(response: httpx.Response) -> bool:
    """A v2 registry's /v2/ answer: distribution's version header, or a 200 JSON body."""
    if response.headers.get("docker-distribution-api-version", "").startswith("registry/2"):
        return True
    return response.status_code == 200 and "json" in response.headers.get("content-type", "")


def status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class RegistryAuth(httpx.Auth):
    """docker's login at one registry endpoint as an httpx auth flow (the idiom of httpx's DigestAuth).

    Send it with a ``GET <endpoint>/v2/``. The flow yields that request without credentials, reads
    the ``WWW-Authenticate`` challenge, yields the token request (Bearer) when there is one, and
    yields the first request again with credentials; it checks each answer and raises
    :class:`~pouch_server.errors.APIError` (status and message for the client) when the login
    fails, or :class:`NotARegistry` when the endpoint is no registry at all. After a send that
    returns, ``identity_token`` is what to keep. Transport errors come out of ``send`` as httpx
    raises them; ``stage`` says during which request.

    It follows redirects itself, through ``Response.next_request`` (the client's follow_redirects is
    off): httpx builds that request by its own rules (Authorization dropped when the origin changes,
    unless to HTTPS on the same host), and each of the flow's requests gets MAX_REDIRECTS and a
    deadline (``on_step``) of its own, as when each was a send of its own.
    """

    requires_response_body = True  # the token answer's JSON; the client bounds every body (limit_answer)

    def __init__(
        self,
        creds: Credentials,
        endpoint: Endpoint,
        *,
        on_step: Callable[[], None] | None = None,
        token_client: TokenClient | None = None,
    ) -> None:
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
            raise NotARegistry(f"answered {status_text(ping.status_code)}, not a registry's answer")
        if "bearer" in schemes:  # docker prefers the token handler over basic
            yield from self._bearer(request, schemes["bearer"])
        elif "basic" in schemes:
            yield from self._basic(request)
        elif ping.status_code == 401:
            offered = ", ".join(sorted(schemes)) or "none"
            raise APIError(500, f"registry {endpoint.base} asks for an unsupported authentication scheme ({offered})")
        else:
            raise APIError(500, f"login attempt to {endpoint.v2} failed with status: {status_text(ping.status_code)}")

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
                    await response.aread()  # bounded by the client's limit_answer
                try:
                    request = flow.send(response)
                except StopIteration:
                    return
        finally:
            flow.close()

    def _step(
        self, stage: Stage, url: str, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
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
            raise APIError(500, f"{without_query(url)}: too many redirects")
        return response

    def _basic(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        creds, endpoint = self.creds, self.endpoint
        if creds.basic is None:
            raise APIError(
                401,
                f"login attempt to {endpoint.v2} failed with status: 401 Unauthorized (no username or password given)",
            )
        log.debug("registry login: basic auth at %s", endpoint.v2)
        request.headers["Authorization"] = basic_header(*creds.basic)
        final = yield from self._step("final", endpoint.v2, request)
        self._check_final(final)
        self.identity_token = creds.identity_token

    def _bearer(
        self, request: httpx.Request, challenge: dict[str, str]
    ) -> Generator[httpx.Request, httpx.Response, None]:
        creds, endpoint = self.creds, self.endpoint
        if creds.registry_token and not (creds.basic or creds.identity_token):
            # A bearer token handed over as is: present it, no token server involved.
            if not header_token(creds.registry_token):
                raise APIError(400, "invalid RegistryToken: want a token of printable ASCII characters")
            log.debug("registry login: presenting the given registry token at %s", endpoint.v2)
            request.headers["Authorization"] = f"Bearer {creds.registry_token}"
            final = yield from self._step("final", endpoint.v2, request)
            self._check_final(final)
            self.identity_token = ""
            return
        realm = challenge.get("realm", "")
        invalid_realm = APIError(500, f"registry {endpoint.base} names an invalid token realm")
        try:
            parts = urlsplit(realm)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.port == 0:
                raise invalid_realm
        except ValueError:  # an unclosed [IPv6 bracket, a port out of range
            raise invalid_realm from None
        self.realm_shown = realm_shown = without_query(realm)
        service, scope = challenge.get("service", ""), challenge.get("scope", "")
        # The realm and service come from the registry: scrubbed, in case it names a secret there.
        log.debug(
            "%s",
            creds.scrub(f"registry login: bearer token from {realm_shown} for service {service!r} at {endpoint.v2}"),
        )

        # The token request carries the client's headers (User-Agent, Accept-Encoding...) and timeouts.
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in ("host", "authorization")]
        try:
            if creds.identity_token:
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": creds.identity_token,
                    "client_id": CLIENT_ID,
                    "access_type": "offline",
                }
                form.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
                token_request = httpx.Request("POST", realm, data=form, headers=headers, extensions=request.extensions)
            else:
                params = {"offline_token": "true", "client_id": CLIENT_ID}
                params.update({k: v for k, v in (("service", service), ("scope", scope)) if v})
                # Added to the realm's own query, as docker does (httpx's params= would replace it).
                url = httpx.URL(realm).copy_merge_params(params)
                token_request = httpx.Request("GET", url, headers=headers, extensions=request.extensions)
                if creds.basic is not None:
                    token_request.headers["Authorization"] = basic_header(*creds.basic)
        except httpx.InvalidURL:
            raise invalid_realm from None
        answer = yield from self._step("token", realm, token_request)
        if answer.status_code in (400, 401, 403):
            what = "identity token" if creds.identity_token else "credentials"
            raise APIError(
                401,
                f"login attempt to {endpoint.v2} failed with status: 401 Unauthorized "
                f"(token server {realm_shown} refused the {what}: "
                f"{status_text(answer.status_code)})",
            )
        if answer.status_code != 200:
            raise APIError(500, f"token server {realm_shown} answered {status_text(answer.status_code)}")
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
            raise APIError(500, f"token server {realm_shown} answered without a token")
        creds.secrets += [s for s in (token, refresh) if s]
        if not header_token(token):
            raise APIError(500, f"token server {realm_shown} answered with a malformed token")
        request.headers["Authorization"] = f"Bearer {token}"
        final = yield from self._step("final", endpoint.v2, request)
        self._check_final(final)
        self.identity_token = refresh or creds.identity_token

    def _check_final(self, answer: httpx.Response) -> None:
        if answer.status_code == 200:
            return
        status = 401 if answer.status_code in (401, 403) else 500
        raise APIError(
            status, f"login attempt to {self.endpoint.v2} failed with status: {status_text(answer.status_code)}"
        )
