"""Builds the generated ``pouch_client.Client`` for a ``-H`` host and runs API calls.

Over a unix socket the URL host is ``d`` (``http://d/v1.24/version``), as pouch's client does.
``POUCH_API_VERSION`` chooses the version prefix (default v1.24; empty means none). Plain
connections (unix socket, TCP without TLS) go through :mod:`pouch_cli.transport`; TLS through
httpx's own transport.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from pouch_cli.errors import CLIError
from pouch_cli.transport import PlainTransport
from pouch_client import Client
from pouch_client.errors import UnexpectedStatus
from pouch_client.models.error import Error
from pouch_common.paths import default_host
from pouch_common.version import API_VERSION, api_version_tuple

if TYPE_CHECKING:
    import argparse
    import ssl

    from pouch_client.types import Response

T = TypeVar("T")


class Model(Protocol):
    """A generated model (``SystemInfo``, ``SystemVersion``...): the object :func:`show` prints."""

    def to_dict(self) -> dict[str, Any]: ...


M = TypeVar("M", bound=Model)


# Plain classes rather than dataclasses: `import dataclasses` (and inspect) is a millisecond of
# every command's start-up, which bench/ measures against bare httpx.


class TLSOptions:
    """pouch's client TLS flags; files default from ``POUCH_CERT_PATH`` (ca.pem, cert.pem, key.pem)."""

    def __init__(
        self, cacert: str | None = None, cert: str | None = None, key: str | None = None, verify: bool = False
    ) -> None:
        self.cacert, self.cert, self.key, self.verify = cacert, cert, key, verify

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


class ClientOptions:
    """Where and how to reach pouchd: ``-H``, ``-D``, the TLS flags, and the timeout of each request."""

    def __init__(
        self, host: str, debug: bool = False, timeout: float | None = 30.0, tls: TLSOptions | None = None
    ) -> None:
        self.host, self.debug, self.timeout, self.tls = host, debug, timeout, tls
        self.api_version: str | None = None  # negotiated by the first client built, then kept


def api_prefix(version: str) -> str:
    if not version:
        return ""
    return "/" + (version if version.startswith("v") else "v" + version)


def negotiate(server_version: str | None) -> str:
    """The lower of the client's API version and the daemon's (Docker's negotiation)."""
    theirs = api_version_tuple(server_version or "")
    if theirs is None or theirs >= (api_version_tuple(API_VERSION) or ()):
        return API_VERSION
    return ".".join(map(str, theirs))


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})


def _env_flag(name: str, flag: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value not in _TRUE | _FALSE:
        raise CLIError(f"invalid value for {flag} (env {name}): {os.environ[name]!r} is not a boolean")
    return value in _TRUE


def client_options(args: argparse.Namespace) -> ClientOptions:
    """The global flags (-H, -D, --tls*) and their environment variables, as pouch reads them."""
    tlscacert, tlscert, tlskey = args.tlscacert, args.tlscert, args.tlskey
    tlsverify = args.tlsverify or _env_flag("POUCH_TLS_VERIFY", "--tlsverify")
    tls = None
    cert_path = os.environ.get("POUCH_CERT_PATH")
    if cert_path:
        tlscacert = tlscacert or os.path.join(cert_path, "ca.pem")
        tlscert = tlscert or os.path.join(cert_path, "cert.pem")
        tlskey = tlskey or os.path.join(cert_path, "key.pem")
    # TLS is on when asked for (--tlsverify / POUCH_TLS_VERIFY) or when certificates are given.
    if tlsverify or (not cert_path and (tlscacert or tlscert or tlskey)):
        tls = TLSOptions(cacert=tlscacert, cert=tlscert, key=tlskey, verify=tlsverify)
    host = args.host or os.environ.get("POUCH_HOST") or default_host()
    return ClientOptions(host=host, debug=args.debug, tls=tls)


def build_client(opts: ClientOptions) -> Client:
    host = opts.host
    httpx_args: dict[str, Any] = {}
    if host.startswith("unix://"):
        path = host[len("unix://") :]
        if not path:
            raise CLIError(f"invalid host {host!r}: no socket path")
        base = "http://d"
        httpx_args["transport"] = PlainTransport(uds=path)
        httpx_args["trust_env"] = False  # no HTTP(S)_PROXY for a local socket
    elif host.startswith("tcp://"):
        address = host[len("tcp://") :].rstrip("/")
        if opts.tls is not None:
            base = "https://" + address
            httpx_args["transport"] = httpx.HTTPTransport(verify=opts.tls.ssl_context())
        else:
            base = "http://" + address
            try:
                url = httpx.URL(base)
            except httpx.InvalidURL as e:
                raise CLIError(f"invalid host {host!r}: {e}") from None
            httpx_args["transport"] = PlainTransport(url.host, url.port)
    else:
        raise CLIError(f"invalid host {host!r}: want unix:///path or tcp://host:port")
    if opts.debug:
        httpx_args["event_hooks"] = {
            "request": [lambda r: print(f"DEBU[pouch] {r.method} {r.url}", file=sys.stderr)],
            "response": [lambda r: print(f"DEBU[pouch] <- {r.status_code}", file=sys.stderr)],
        }
    timeout = httpx.Timeout(opts.timeout)
    version = opts.api_version
    if version is None:
        # One negotiation a command: `pouch run` makes several requests.
        version = os.environ.get("POUCH_API_VERSION")
        if version is None:
            version = _ping_for_version(base, timeout, httpx_args)
        opts.api_version = version
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
        return API_VERSION
    return negotiate(response.headers.get("API-Version"))


def error_message(status: int, content: bytes) -> str:
    """The daemon's ``{"message": ...}`` text, or a description of the unexpected answer."""
    try:
        body = json.loads(content)
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, str):
            return message
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


def call(opts: ClientOptions, action: str, op: Callable[..., Response[T | Error]], **kwargs: Any) -> T | None:
    """Run ``op`` (an operation's ``sync_detailed``) and return the parsed body (None for an operation
    whose answer has none), or raise CLIError("<action>: <cause>") (just "<cause>" for an empty
    action: pouch's stop, rm, pause... report the daemon's message alone)."""
    answers: list[httpx.Response] = []
    try:
        with build_client(opts) as client:
            client.get_httpx_client().event_hooks["response"].append(answers.append)
            response = op(client=client, **kwargs)
    except UnexpectedStatus as e:
        raise CLIError(_prefixed(action, error_message(e.status_code, e.content))) from None
    except httpx.TransportError as e:
        raise CLIError(_prefixed(action, describe_transport_error(opts, e))) from None
    except (ValueError, TypeError, AttributeError):
        # The spec documents every error status with pouch's {"message": ...}, which the generated
        # client parses; another server's answer (a proxy's HTML 403, say) fails that parse.
        if not answers or answers[-1].status_code < 400:
            raise
        raise CLIError(_prefixed(action, error_message(answers[-1].status_code, answers[-1].content))) from None
    if response.status_code >= 400 or isinstance(response.parsed, Error):
        raise CLIError(_prefixed(action, error_message(response.status_code, response.content)))
    return response.parsed


def _prefixed(action: str, cause: str) -> str:
    return f"{action}: {cause}" if action else cause


def show(
    opts: ClientOptions,
    action: str,
    op: Callable[..., Response[M | Error]],
    fmt: str | None,
    default: Callable[[dict[str, Any]], str],
    *,
    aliases: Mapping[str, str] | None = None,
    optional: frozenset[str] = frozenset(),
) -> None:
    """Fetch one object and print it: with ``--format`` when given (checked before the request),
    else in the command's own layout."""
    render = None
    if fmt is not None:
        from pouch_cli.template import checked_format

        render = checked_format(fmt, aliases, optional)
    model = call(opts, action, op)
    if model is None:  # the generated client parses a 200 into the operation's model, or fails
        raise CLIError(f"{action}: the daemon's answer had no body")
    data = model.to_dict()
    sys.stdout.write(render(data) if render else default(data))
    sys.stdout.flush()
