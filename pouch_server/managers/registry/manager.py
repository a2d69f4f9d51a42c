"""The manager behind ``POST /auth``: one login from AuthConfig to identity token, with its deadlines.

It picks the endpoints (:func:`~.addresses.find_target`), runs the flow (:class:`~.auth.RegistryAuth`)
on one client per TLS verification mode, falls back to the next endpoint only while no registry
has answered, and words every failure for the client, scrubbed of the login's secrets.
REQUEST_TIMEOUT bounds each request of the flow (connect to last byte, redirects included),
LOGIN_TIMEOUT the whole login.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from pouch_common.registry import DEFAULT_REGISTRY
from pouch_server.errors import APIError
from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy, Target, find_target
from pouch_server.managers.registry.auth import MAX_REDIRECTS, NotARegistry, RegistryAuth
from pouch_server.managers.registry.credentials import Credentials, without_query
from pouch_server.managers.registry.transport import (
    CONNECT_TIMEOUT,
    BadAnswer,
    LoginClients,
    SSLContexts,
    describe_transport_error,
    limit_answer,
)

if TYPE_CHECKING:
    import ssl

    from pouch_server.config import DaemonConfig

log = logging.getLogger("pouchd.registry")

REQUEST_TIMEOUT = 10.0  # per request, connect to last byte
LOGIN_TIMEOUT = 25.0  # the whole login: below the CLI's 30 s so the user gets our message, not a timeout


class Unreachable(Exception):
    """No registry answered at an endpoint: the next endpoint may be tried (docker's fallbackError)."""


class RegistryManager:
    """Checks registry credentials (``POST /auth``); keeps only TLS settings between logins.

    ``transport`` stands in for the network in tests: given a login client's TLS verification
    mode, the transport that client uses.
    """

    def __init__(
        self, config: DaemonConfig, *, transport: Callable[[bool], httpx.AsyncBaseTransport] | None = None
    ) -> None:
        self.default_registry = config.default_registry or DEFAULT_REGISTRY
        self.insecure = InsecurePolicy(list(config.insecure_registries))
        self._transport = transport
        self._ssl = SSLContexts()

    async def target(self, server_address: str) -> Target:
        """Resolve a ServerAddress (empty: the default registry) to the endpoints to try."""
        return await find_target(server_address.strip() or self.default_registry, self.insecure)

    async def login(self, body: dict[str, Any]) -> str:
        """Check the credentials in an AuthConfig; the identity token to keep (maybe ``""``).

        Raises APIError with 400 (bad request), 401 (refused credentials) or 500.
        """
        creds = Credentials.from_auth_config(body)
        address = body.get("ServerAddress") if isinstance(body.get("ServerAddress"), str) else ""
        try:
            target = await self.target(address or "")
            return await asyncio.wait_for(self._login(target, creds), LOGIN_TIMEOUT)
        except APIError as e:
            raise APIError(e.status, creds.scrub(e.message)) from None
        except TimeoutError:
            raise APIError(
                500, f"login to {address or self.default_registry} timed out after {LOGIN_TIMEOUT:.0f}s"
            ) from None

    async def _login(self, target: Target, creds: Credentials) -> str:
        failures: list[str] = []
        async with LoginClients(self._client) as clients:
            for endpoint in target.endpoints:
                try:
                    return await self._attempt(endpoint, creds, clients)
                except (NotARegistry, Unreachable) as e:
                    failures.append(f"{endpoint.v2}: {e}")
        raise APIError(500, f"cannot reach a registry at {target.name}: " + "; ".join(failures))

    async def _attempt(self, endpoint: Endpoint, creds: Credentials, clients: LoginClients) -> str:
        """The flow at one endpoint; Unreachable when nothing answered there."""
        client = await clients.get(endpoint.verify)

        async def token_client(realm: str) -> httpx.AsyncClient | None:
            # The token server's certificate is checked by its own host's policy, not the registry's.
            parts = urlsplit(realm)
            verify = not await self.insecure.is_insecure(
                parts.netloc.rsplit("@", 1)[-1].lower(), (parts.hostname or "").lower()
            )
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
            cause = describe_transport_error(e)
            if auth.stage == "ping":
                log.debug("registry login: no registry at %s (%s)", endpoint.v2, creds.scrub(cause))
                raise Unreachable(cause) from None
            if auth.stage == "token":
                raise APIError(
                    500, f"cannot reach the token server {auth.realm_shown} named by registry {endpoint.base}: {cause}"
                ) from None
            # The registry answered the first request, so there is no other endpoint to try.
            raise APIError(500, f"lost the connection to registry {endpoint.base}: {cause}") from None
        except BadAnswer as e:
            raise APIError(500, f"{without_query(auth.url)} {e}: not a registry") from None
        except httpx.HTTPError as e:
            raise APIError(500, f"{without_query(auth.url)}: {type(e).__name__}") from None

    async def _client(self, verify: bool) -> httpx.AsyncClient:
        """A new client for one login and one TLS verification mode."""
        tls: dict[str, Any] = (
            {"transport": self._transport(verify)}
            if self._transport is not None
            else {"verify": await self._ssl_context(verify)}
        )
        return httpx.AsyncClient(
            timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": "pouchd", "Accept-Encoding": "identity"},
            event_hooks={"response": [limit_answer]},
            # RegistryAuth follows redirects itself, MAX_REDIRECTS per request. httpx still counts
            # every answer of an auth flow against max_redirects: room for the flow's three requests.
            follow_redirects=False,
            max_redirects=3 * (MAX_REDIRECTS + 1),
            **tls,
        )

    async def _ssl_context(self, verify: bool) -> ssl.SSLContext:
        """The daemon's shared TLS settings of one verification mode (:class:`~.transport.SSLContexts`)."""
        return await self._ssl.get(verify)
