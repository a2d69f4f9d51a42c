"""Searching a registry for images (pouch's daemon/mgr/image.go ``SearchImages``): Docker's v1
search API, ``GET <base>search?q=<term>``, answered with ``{"results": [SearchResultItem...]}``.

Where the search goes:

- ``registry`` given as a URL (``https://index.docker.io/v1/``, pouch's form: the search endpoint's
  base, ``search?q=`` appended): that URL, its scheme as written (``/v1/`` when it has no path);
- ``registry`` given as ``host[:port]`` (or ``host[:port]/path``): that registry's ``/v1/`` (or the
  path), reached as a pull reaches it: HTTPS, then for an insecure registry (``--insecure-
  registries``, loopback) HTTPS without verification and plain HTTP, each tried only when the one
  before could not be reached;
- no ``registry``: the registry the term names (``127.0.0.1:5000/busybox`` searches
  ``127.0.0.1:5000`` for ``busybox``, as dockerd splits a term; pouch's rule for a registry name:
  a first component holding ``.`` or ``:``), else the default registry. Docker Hub's names
  (the default ``registry.hub.docker.com`` among them) search Hub's index, ``index.docker.io``,
  where Docker's search lives (pouch asks ``registry.hub.docker.com``).

Credentials: pouch sends Basic auth with the username and password when it has both; so does
pouchd (to the endpoint asked only: httpx drops them on a redirect elsewhere).

Each item is pouch's ``SearchResultItem`` with its five fields always present (pouch's Go type
leaves out zero values; Docker's never does, and both clients read either): ``name``,
``description``, ``star_count``, ``is_official``, ``is_automated``. A registry without the v1 search
API (docker-registry 2.x answers 404) gets a clear error rather than pouch's ``unexepected status
code 404``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from pouch_common.registry import HUB_NAMES
from pouch_server.errors import APIError
from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy, split_address
from pouch_server.managers.registry.auth import status_text
from pouch_server.managers.registry.client import (
    ANSWER_LIMIT,
    MAX_REDIRECTS,
    SSL_CONTEXTS,
    endpoints_for,
    limit_answer,
    registry_error,
)
from pouch_server.managers.registry.credentials import Credentials, basic_header
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT, BadAnswer, describe_transport_error

#: Where Docker Hub's v1 search is served.
HUB_SEARCH_HOST: Final = "index.docker.io"
#: Names that mean Docker Hub for a search (pouch's default registry among them).
HUB_SEARCH_NAMES: Final = HUB_NAMES | {"registry.hub.docker.com"}
#: The longest a search may take, each endpoint (connecting has CONNECT_TIMEOUT of it).
SEARCH_TIMEOUT: Final = 30.0
#: The most bytes of results read (Hub answers 25 results in about 10 KB).
MAX_RESULTS_BODY: Final = 4 << 20
#: The longest term searched for.
MAX_TERM: Final = 1024


def split_term(term: str) -> tuple[str | None, str]:
    """``(registry, term)``: the registry a term names in front (its first of several ``/``
    components, when it holds ``.`` or ``:``), and the rest; ``(None, term)`` otherwise."""
    head, slash, rest = term.partition("/")
    if slash and rest and ("." in head or ":" in head):
        return head, rest
    return None, term


async def search_endpoints(registry: str, insecure: InsecurePolicy) -> list[tuple[Endpoint, str]]:
    """The endpoints to ask, in order, each with the search endpoint's path (ending in ``/``).
    APIError(400) for an address that is none."""
    scheme, netloc, host, _port = split_address(registry)  # validates, refuses user:password@
    rest = registry.strip().split("://", 1)[-1]
    path = "/" + rest.partition("/")[2] if "/" in rest else ""
    path = urlsplit(path).path if path else ""
    if path in ("", "/"):
        path = "/v1/"
    elif not path.endswith("/"):
        path += "/"
    if host in HUB_SEARCH_NAMES:
        return [(Endpoint("https", HUB_SEARCH_HOST), path)]
    if scheme == "http":
        return [(Endpoint("http", netloc), path)]
    if scheme == "https":
        return [(Endpoint("https", netloc, verify=not await insecure.is_insecure(netloc, host)), path)]
    return [(endpoint, path) for endpoint in await endpoints_for(netloc, insecure)]


def _item(raw: object) -> dict[str, Any] | None:
    """A result as pouch's SearchResultItem (Go's decoding: a field of another type fails the
    whole answer there; here only that result is dropped)."""
    if not isinstance(raw, dict):
        return None
    name, description = raw.get("name", ""), raw.get("description", "")
    stars = raw.get("star_count", 0)
    official, automated = raw.get("is_official", False), raw.get("is_automated", False)
    if not isinstance(name, str) or not isinstance(description, str):
        return None
    if not isinstance(stars, int) or isinstance(stars, bool):
        stars = 0
    return {
        "name": name,
        "description": description or "",
        "star_count": stars,
        "is_official": official is True,
        "is_automated": automated is True,
    }


def parse_results(body: bytes, where: str) -> list[dict[str, Any]]:
    """The items of a v1 search answer (``{"results": [...]}``); APIError(500) for anything else."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        doc = None
    results = doc.get("results") if isinstance(doc, dict) else None
    if results is None and isinstance(doc, dict) and "results" in doc:
        results = []  # "results": null, as a Go registry writes an empty list
    if not isinstance(results, list):
        raise APIError(500, f"registry {where} answered the search with something other than search results")
    return [item for item in map(_item, results) if item is not None]


async def _client(endpoint: Endpoint) -> httpx.AsyncClient:
    verify = await SSL_CONTEXTS.get(endpoint.verify and endpoint.scheme == "https")
    return httpx.AsyncClient(
        verify=verify,
        timeout=httpx.Timeout(SEARCH_TIMEOUT, connect=CONNECT_TIMEOUT),
        headers={"User-Agent": "pouchd", "Accept-Encoding": "identity", "Accept": "application/json"},
        event_hooks={"response": [limit_answer]},
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=True,
    )


class _Unreachable(Exception):
    pass


async def _ask(endpoint: Endpoint, path: str, term: str, credentials: Credentials | None) -> list[dict[str, Any]]:
    where = endpoint.netloc
    headers = {}
    if credentials is not None and credentials.username and credentials.password:
        headers["Authorization"] = basic_header(credentials.username, credentials.password)
    async with await _client(endpoint) as client:
        request = client.build_request(
            "GET",
            f"{endpoint.base}{path}search",
            params={"q": term},
            headers=headers,
            extensions={ANSWER_LIMIT: MAX_RESULTS_BODY},
        )
        try:
            async with asyncio.timeout(SEARCH_TIMEOUT):
                response = await client.send(request)
        except (TimeoutError, httpx.TimeoutException):
            raise _Unreachable(f"{endpoint.base}: no answer within {SEARCH_TIMEOUT:g}s") from None
        except httpx.TransportError as e:
            raise _Unreachable(f"{endpoint.base}: {describe_transport_error(e)}") from None
        except BadAnswer as e:
            raise APIError(500, f"registry {where} {e}") from None
        except httpx.HTTPError as e:  # too many redirects, an invalid redirect URL
            raise APIError(500, f"registry {where}: {type(e).__name__}: {e}") from None
    status = response.status_code
    if status == 200:
        return parse_results(response.content, where)
    detail = registry_error(response.content)
    suffix = f": {detail}" if detail else ""
    if status == 404:
        raise APIError(500, f"registry {where} has no search endpoint ({path}search answered 404){suffix}")
    if status in (401, 403):
        raise APIError(403, f"registry {where} refused the search: {status_text(status)}{suffix}")
    raise APIError(500, f"registry {where} answered the search with {status_text(status)}{suffix}")


async def search(
    term: str,
    registry: str | None,
    *,
    default_registry: str,
    insecure: InsecurePolicy,
    credentials: Credentials | None,
) -> list[dict[str, Any]]:
    """Search ``registry`` (see the module's docstring for where that leads) for ``term``: pouch's
    ``SearchResultItem`` list, in the registry's order. APIError: 400 for an empty or overlong
    term or an invalid registry address, 403 when the registry refuses the credentials, 500 when
    it cannot be reached, has no search API, or answers something else."""
    if not term:
        raise APIError(400, "term cannot be empty")
    if len(term) > MAX_TERM:
        raise APIError(400, f"term longer than {MAX_TERM} characters")
    if "://" in term:
        raise APIError(400, f"invalid repository name: repository name ({term}) should not have a scheme")
    if not registry:
        registry, term = split_term(term)
        registry = registry or default_registry
    endpoints = await search_endpoints(registry, insecure)
    unreachable: list[str] = []
    try:
        for endpoint, path in endpoints:
            try:
                return await _ask(endpoint, path, term, credentials)
            except _Unreachable as e:
                unreachable.append(str(e))
    except APIError as e:
        raise APIError(e.status, credentials.scrub(e.message) if credentials else e.message) from None
    raise APIError(500, f"cannot reach registry {endpoints[0][0].netloc} to search: " + "; ".join(unreachable))
