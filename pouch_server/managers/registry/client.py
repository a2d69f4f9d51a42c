"""HTTP clients for pulling from a registry: the endpoints of a registry host, the clients (TLS per
``--insecure-registries``, bounded answers, timeouts), the pull's authentication and the
registry's error bodies in a few words.

Authentication (:class:`PullAuth`) is what containerd's docker authorizer does: a request goes out
with what worked before at that host; a 401 names how to authenticate (``WWW-Authenticate``):
Basic with the credentials, or a Bearer token for the repository's pull scope from the token
server the challenge names (with the credentials, an identity token, or anonymously), and the
request is sent once more. A 401 after that is the caller's to report.

Answers are bounded by :func:`limit_answer`, a response hook: a successful answer by what its
request asked (ANSWER_LIMIT: a manifest's limit, a config's size, none for a layer the puller
streams and counts itself), anything else (errors, tokens, redirects) by MAX_BODY.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Generator
from typing import Final

import httpx

from pouch_server.errors import APIError
from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy, find_target, through_proxy
from pouch_server.managers.registry.auth import CLIENT_ID, parse_challenges, status_text
from pouch_server.managers.registry.credentials import Credentials, basic_header, header_token, without_query
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT, MAX_BODY, BadAnswer, SSLContexts

log = logging.getLogger("pouchd.registry")

#: The most a manifest or index may weigh (containerd's resolver refuses more than about 4 MB:
#: remotes/docker/resolver.go MaxManifestSize); it is read whole, to be parsed.
MAX_MANIFEST: Final = 4 << 20
#: How many redirects a request may take (blobs are often served from elsewhere).
MAX_REDIRECTS: Final = 5

#: The request extension that bounds a successful answer's body (an int; None: not bounded here,
#: the caller counts, as for a layer it streams); kept across redirects, as httpx keeps extensions.
ANSWER_LIMIT: Final = "pouchd.answer_limit"

#: The TLS settings of each verification mode, shared by every pull of the daemon.
SSL_CONTEXTS: Final = SSLContexts()


async def endpoints_for(domain: str, policy: InsecurePolicy, image_proxy: str = "") -> tuple[Endpoint, ...]:
    """Where to reach the registry ``domain`` (``host[:port]``), in the order to try: HTTPS; for an
    insecure registry (``--insecure-registries``, or loopback) HTTPS without verification, then
    plain HTTP. Docker Hub's names lead to its v2 host. With ``image_proxy``, each is reached
    through it unless the registry is on loopback or ``NO_PROXY`` names it (:func:`through_proxy`)."""
    return through_proxy((await find_target(domain, policy)).endpoints, image_proxy)


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
                raise BadAnswer(f"answered with more than {self._limit} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


def answer_limit(response: httpx.Response) -> int | None:
    """How many bytes the body of ``response`` may have: a successful answer what its request's
    ANSWER_LIMIT extension says (None: unbounded here), anything else MAX_BODY; a HEAD's none."""
    if response.request.method == "HEAD":
        return None  # no body: its Content-Length is the GET's
    extensions = response.request.extensions
    if response.is_success and ANSWER_LIMIT in extensions:
        limit = extensions[ANSWER_LIMIT]
        return limit if isinstance(limit, int) else None
    return MAX_BODY


async def limit_answer(response: httpx.Response) -> None:
    """The response hook of a pull's client: answers read through a byte limit
    (:func:`answer_limit`), and none compressed (the client asks for none: the bytes on the wire
    are the blob's, as its digest counts them)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise BadAnswer(f"answered in content encoding {encoding[:40]!r}, which pouchd did not ask for")
    limit = answer_limit(response)
    if limit is None:
        return
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and (len(length) > 12 or int(length) > limit):
        raise BadAnswer(f"answered with more than {limit} bytes")
    if isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _LimitedStream(response.stream, limit)


def registry_error(body: bytes) -> str:
    """The registry's error body (``{"errors": [{"code", "message"}]}``) as docker words it
    (``unauthorized: authentication required``); ``""`` when the body is no such thing."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return ""
    texts = []
    for error in errors[:5]:
        if not isinstance(error, dict):
            continue
        raw_code, raw_text = error.get("code"), error.get("message")
        code = raw_code.lower().replace("_", " ") if isinstance(raw_code, str) else ""
        text = raw_text if isinstance(raw_text, str) else ""
        texts.append(f"{code}: {text}" if code and text else code or text)
    return "; ".join(t[:300] for t in texts if t)


class PullAuth(httpx.Auth):
    """Authentication at a registry for pulling ``repository`` (see the module's docstring).

    Each host's working ``Authorization`` is kept and sent up front from then on. The token
    request goes through the same client (its redirects, timeouts and answer limits). Raises
    APIError(403) when the token server refuses, APIError(500) when it answers nonsense."""

    def __init__(self, credentials: Credentials | None, repository: str) -> None:
        self.credentials = credentials or Credentials()
        self.scope = f"repository:{repository}:pull"
        self.authorization: dict[str, str] = {}  # host[:port] → Authorization that worked

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("PullAuth works with httpx.AsyncClient only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        host = request.url.netloc.decode("ascii", "replace")
        sent = self.authorization.get(host)
        if sent is not None:
            request.headers["Authorization"] = sent
        response = yield request
        if response.status_code != 401:
            return
        challenges = parse_challenges(response.headers.get_list("www-authenticate"))
        schemes = {scheme: params for scheme, params in reversed(challenges)}  # the first of a scheme wins
        creds = self.credentials
        answer: str | None = None
        if "bearer" in schemes:
            if creds.registry_token and not (creds.basic or creds.identity_token):
                if header_token(creds.registry_token):
                    answer = f"Bearer {creds.registry_token}"
            else:
                token_request = self._token_request(schemes["bearer"], request)
                token_response = yield token_request
                await token_response.aread()  # bounded by the client's limit_answer
                answer = f"Bearer {self._token(token_response, token_request)}"
        elif "basic" in schemes and creds.basic is not None:
            answer = basic_header(*creds.basic)
        if answer is None or answer == sent:
            return  # nothing better to offer: the 401 stands
        self.authorization[host] = answer
        request.headers["Authorization"] = answer
        yield request

    def _token_request(self, challenge: dict[str, str], request: httpx.Request) -> httpx.Request:
        realm = challenge.get("realm", "")
        try:
            url = httpx.URL(realm)
            if url.scheme not in ("http", "https") or not url.host:
                raise httpx.InvalidURL(realm)
        except httpx.InvalidURL:
            raise APIError(
                500, f"registry {request.url.netloc.decode('ascii', 'replace')} names an invalid token realm"
            ) from None
        scopes = [s for s in (challenge.get("scope", ""), self.scope) if s]
        scopes = list(dict.fromkeys(scopes))
        service = challenge.get("service", "")
        headers = {"Accept": "application/json"}
        # The request's timeouts, not its answer limit: a token answer is bounded by MAX_BODY.
        extensions = {k: v for k, v in request.extensions.items() if k == "timeout"}
        creds = self.credentials
        if creds.identity_token:
            form = {"grant_type": "refresh_token", "refresh_token": creds.identity_token, "client_id": CLIENT_ID}
            if service:
                form["service"] = service
            form["scope"] = " ".join(scopes)
            return httpx.Request("POST", url, data=form, headers=headers, extensions=extensions)
        params: list[tuple[str, str | int | float | bool | None]] = [("scope", s) for s in scopes]
        if service:
            params.insert(0, ("service", service))
        if creds.basic is not None:
            headers["Authorization"] = basic_header(*creds.basic)
        return httpx.Request("GET", url.copy_merge_params(params), headers=headers, extensions=extensions)

    def _token(self, response: httpx.Response, request: httpx.Request) -> str:
        realm = without_query(str(request.url))
        if response.status_code in (400, 401, 403):
            what = (
                "anonymous token" if self.credentials.basic is None and not self.credentials.identity_token else "token"
            )
            raise APIError(403, f"failed to fetch {what} from {realm}: {status_text(response.status_code)}")
        if response.status_code != 200:
            raise APIError(500, f"failed to fetch token from {realm}: {status_text(response.status_code)}")
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError):
            data = None
        token = ""
        if isinstance(data, dict):
            found = data.get("token") or data.get("access_token")
            token = found if isinstance(found, str) else ""
        if not token or not header_token(token):
            raise APIError(500, f"token server {realm} answered without a usable token")
        self.credentials.secrets.append(token)
        return token


async def pull_client(
    endpoint: Endpoint,
    credentials: Credentials | None,
    repository: str,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = 30.0,
) -> httpx.AsyncClient:
    """A client for pulling ``repository`` at ``endpoint``: its TLS verification mode, redirects
    followed (``MAX_REDIRECTS``), :class:`PullAuth`, bounded answers, ``connect_timeout`` to
    connect and ``read_timeout`` for any single read or write (so a stalled stream fails).
    Close it (``aclose``, or ``async with``) when done."""
    # Plain HTTP needs no TLS settings, but httpx makes some for every client: the shared ones.
    verify = await SSL_CONTEXTS.get(endpoint.verify and endpoint.scheme == "https")
    return httpx.AsyncClient(
        auth=PullAuth(credentials, repository),
        verify=verify,
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        headers={"User-Agent": "pouchd", "Accept-Encoding": "identity"},
        event_hooks={"response": [limit_answer]},
        follow_redirects=True,
        # httpx counts the answers of an auth flow (a 401, the token's) as redirects too.
        max_redirects=MAX_REDIRECTS + 2,
        # The endpoint's image proxy; without one, the proxy settings of pouchd's environment, as
        # dockerd reads them (httpx reads HTTP(S)_PROXY and NO_PROXY).
        proxy=endpoint.proxy or None,
        trust_env=not endpoint.proxy,
    )


class PushAuth(PullAuth):
    """:class:`PullAuth` for pushing to ``repository``: a token asked for its
    ``repository:<repo>:pull,push`` scope (a push checks what is there, then writes), as
    containerd's pusher asks (remotes/docker ContextWithRepositoryScope with push)."""

    def __init__(self, credentials: Credentials | None, repository: str) -> None:
        super().__init__(credentials, repository)
        self.scope = f"repository:{repository}:pull,push"


async def push_client(
    endpoint: Endpoint,
    credentials: Credentials | None,
    repository: str,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = 30.0,
) -> httpx.AsyncClient:
    """A client for pushing to ``repository`` at ``endpoint``: :func:`pull_client`'s, with
    :class:`PushAuth`. Close it when done."""
    client = await pull_client(
        endpoint, credentials, repository, connect_timeout=connect_timeout, read_timeout=read_timeout
    )
    client.auth = PushAuth(credentials, repository)
    return client
