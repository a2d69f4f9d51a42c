"""Builds the generated ``pouch_client.Client`` for a ``-H`` host and runs API calls.

Over a unix socket the URL host is ``d`` (``http://d/v1.24/version``), as pouch's client does.
``POUCH_API_VERSION`` chooses the version prefix (default v1.24; empty means none).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from pouch_cli.errors import CLIError
from pouch_client import Client
from pouch_client.errors import UnexpectedStatus
from pouch_client.models.error import Error

if TYPE_CHECKING:
    import ssl

DEFAULT_API_VERSION = "v1.24"


@dataclass
class TLSOptions:
    """pouch's client TLS flags; files default from ``POUCH_CERT_PATH`` (ca.pem, cert.pem, key.pem)."""

    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    verify: bool = False

    def ssl_context(self) -> ssl.SSLContext:
        import ssl as _ssl

        try:
            if self.verify:
                ctx = _ssl.create_default_context(cafile=self.cacert)
            else:
                # TLS without verifying the daemon (docker's --tls): encrypted, not authenticated.
                ctx = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = _ssl.CERT_NONE
            if self.cert or self.key:
                if not (self.cert and self.key):
                    raise CLIError("--tlscert and --tlskey must be given together")
                ctx.load_cert_chain(self.cert, self.key)
        except (OSError, _ssl.SSLError) as e:
            raise CLIError(f"cannot load TLS files: {e}") from None
        return ctx


@dataclass
class ClientOptions:
    host: str
    debug: bool = False
    timeout: float | None = 30.0
    tls: TLSOptions | None = None


def api_prefix(version: str) -> str:
    if not version:
        return ""
    return "/" + (version if version.startswith("v") else "v" + version)


def _as_tuple(version: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in version.lstrip("v").split("."))
    except ValueError:
        return None


def negotiate(server_version: str | None) -> str:
    """The lower of the client's API version and the daemon's (Docker's negotiation)."""
    ours = DEFAULT_API_VERSION.lstrip("v")
    theirs = _as_tuple(server_version or "")
    if theirs is None or theirs >= (_as_tuple(ours) or ()):
        return ours
    return ".".join(map(str, theirs))


def build_client(opts: ClientOptions) -> Client:
    host = opts.host
    httpx_args: dict[str, Any] = {}
    if host.startswith("unix://"):
        path = host[len("unix://"):]
        if not path:
            raise CLIError(f"invalid host {host!r}: no socket path")
        base = "http://d"
        # verify=False: no TLS on a unix socket, so skip building (and loading CAs into) an SSL context.
        httpx_args["transport"] = httpx.HTTPTransport(uds=path, verify=False)
    elif host.startswith("tcp://"):
        address = host[len("tcp://"):].rstrip("/")
        if opts.tls is not None:
            base = "https://" + address
            httpx_args["transport"] = httpx.HTTPTransport(verify=opts.tls.ssl_context())
        else:
            base = "http://" + address
            httpx_args["transport"] = httpx.HTTPTransport(verify=False)
    else:
        raise CLIError(f"invalid host {host!r}: want unix:///path or tcp://host:port")
    if opts.debug:
        httpx_args["event_hooks"] = {
            "request": [lambda r: print(f"DEBU[pouch] {r.method} {r.url}", file=sys.stderr)],
            "response": [lambda r: print(f"DEBU[pouch] <- {r.status_code}", file=sys.stderr)],
        }
    timeout = httpx.Timeout(opts.timeout)
    version = os.environ.get("POUCH_API_VERSION")
    if version is None:
        version = _ping_for_version(base, timeout, httpx_args)
    return Client(
        base_url=base + api_prefix(version),
        timeout=timeout,
        raise_on_unexpected_status=True,
        httpx_args=httpx_args,
    )


def _ping_for_version(base: str, timeout: httpx.Timeout, httpx_args: dict[str, Any]) -> str:
    """HEAD /_ping and negotiate; on any failure keep our own version and let the real call report it.

    The ping client shares the transport (and so the kept-alive connection) with the real one.
    """
    from pouch_client.api.system import system_ping_head

    ping = Client(base_url=base, timeout=timeout, httpx_args=httpx_args)
    try:
        response = system_ping_head.sync_detailed(client=ping)
    except httpx.HTTPError:
        return DEFAULT_API_VERSION
    return negotiate(response.headers.get("API-Version"))


def error_message(status: int, content: bytes) -> str:
    """The daemon's ``{"message": ...}`` text, or a description of the unexpected answer."""
    try:
        body = json.loads(content)
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return body["message"]
    except ValueError:
        pass
    text = content.decode("utf-8", "replace").strip()
    return f"unexpected status {status}" + (f": {text[:200]}" if text else "")


def describe_transport_error(opts: ClientOptions, e: httpx.TransportError) -> str:
    cause = str(e) or type(e).__name__
    if isinstance(e, httpx.ConnectError):
        return f"cannot connect to pouchd at {opts.host}: {cause} (is pouchd running?)"
    if isinstance(e, httpx.TimeoutException):
        return f"pouchd at {opts.host} did not answer in time"
    return f"talking to pouchd at {opts.host}: {cause}"


def call(opts: ClientOptions, action: str, op: Callable[..., Any], **kwargs: Any) -> Any:
    """Run ``op.sync_detailed`` and return the parsed body, or raise CLIError("<action>: <cause>")."""
    answers: list[httpx.Response] = []
    try:
        with build_client(opts) as client:
            client.get_httpx_client().event_hooks["response"].append(answers.append)
            response = op(client=client, **kwargs)
    except UnexpectedStatus as e:
        raise CLIError(f"{action}: {error_message(e.status_code, e.content)}") from None
    except httpx.TransportError as e:
        raise CLIError(f"{action}: {describe_transport_error(opts, e)}") from None
    except (ValueError, TypeError, AttributeError):
        # The spec documents every error status with pouch's {"message": ...}, which the generated
        # client parses; another server's answer (a proxy's HTML 403, say) fails that parse.
        if not answers or answers[-1].status_code < 400:
            raise
        raise CLIError(f"{action}: {error_message(answers[-1].status_code, answers[-1].content)}") from None
    if response.status_code >= 400 or isinstance(response.parsed, Error):
        raise CLIError(f"{action}: {error_message(response.status_code, response.content)}")
    return response.parsed
