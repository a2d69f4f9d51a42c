"""Where a login goes: a ServerAddress read as docker reads it, the endpoints to try in order, and
which registries may be reached over plain HTTP or unverified TLS (``--insecure-registries``)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import socket
from dataclasses import dataclass, replace

from pouch_common.registry import HUB_NAMES, HUB_V2_HOST, image_proxy_url
from pouch_server.errors import APIError
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT

log = logging.getLogger("pouchd.registry")

_HOST_PORT = re.compile(
    r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(?P<port>[0-9]{1,5}))?$"
)
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class Endpoint:
    """One base URL to try, whether its TLS certificate is checked, and the HTTP proxy it is
    reached through (``""``: none of pouchd's own; httpx then reads ``HTTP(S)_PROXY``)."""

    scheme: str
    netloc: str  # host[:port], IPv6 in brackets
    verify: bool = True
    proxy: str = ""

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
    ConvertToHostname reads it (the path, e.g. ``/v1/``, is dropped). Raises APIError(400).

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
        raise APIError(
            400,
            "invalid registry address: credentials in the address are not supported, "
            "give them as username and password",
        )
    if scheme not in (None, "http", "https"):
        raise APIError(400, f"invalid registry address {address!r}: the scheme must be http or https")
    m = _HOST_PORT.match(netloc)
    if not m:
        raise APIError(400, f"invalid registry address {address!r}: want [http[s]://]host[:port]")
    host = m.group("host").lower()
    port = int(m.group("port")) if m.group("port") else None
    if port is not None and not 0 < port < 65536:
        raise APIError(400, f"invalid registry address {address!r}: port out of range")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise APIError(400, f"invalid registry address {address!r}: bad IPv6 address") from None
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


async def find_target(address: str, policy: InsecurePolicy) -> Target:
    """The endpoints to try for ``address`` (never empty: the caller puts the default registry
    there): ``https://`` first, plain ``http://`` only for insecure registries."""
    scheme, netloc, host, _port = split_address(address)
    if host in HUB_NAMES:
        # Docker Hub: always its v2 host over verified TLS, whatever form was given.
        return Target(netloc, (Endpoint("https", HUB_V2_HOST),))
    insecure = await policy.is_insecure(netloc, host)
    if scheme == "http":
        return Target(netloc, (Endpoint("http", netloc),))
    if scheme == "https":
        return Target(netloc, (Endpoint("https", netloc, verify=not insecure),))
    if insecure:
        return Target(netloc, (Endpoint("https", netloc, verify=False), Endpoint("http", netloc)))
    return Target(netloc, (Endpoint("https", netloc),))


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


def uses_proxy(netloc: str, no_proxy: str | None = None) -> bool:
    """Whether a registry at ``netloc`` is reached through the image proxy: never one on loopback
    or ``localhost``, nor one ``NO_PROXY`` names (``*``; a host, which also covers its subdomains;
    ``.domain``, which covers the domain and its subdomains; ports ignored), as pouch decides
    (ctrd/image_proxy_util.go useProxy, Go's rules)."""
    match = _HOST_PORT.match(netloc)
    host = (match.group("host") if match else netloc).strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return False
    try:
        if ipaddress.ip_address(host).is_loopback:
            return False
    except ValueError:
        pass
    if no_proxy is None:
        no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    if no_proxy.strip() == "*":
        return False
    for entry in no_proxy.split(","):
        entry = entry.strip().lower()
        if entry.rfind(":") > entry.rfind("]"):
            entry = entry[: entry.rfind(":")]
        entry = entry.strip("[]")
        if not entry:
            continue
        if host == entry or host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")):
            return False
    return True


def through_proxy(endpoints: tuple[Endpoint, ...], image_proxy: str) -> tuple[Endpoint, ...]:
    """``endpoints`` with ``image_proxy`` (``--image-proxy``, ``""``: none) on each that
    :func:`uses_proxy` says should use it."""
    if not image_proxy:
        return endpoints
    try:  # checked when it was set (flags, config file, /daemon/update): this is a safeguard
        url = image_proxy_url(image_proxy)
    except ValueError as e:
        raise APIError(500, str(e)) from None
    return tuple(replace(e, proxy=url) if uses_proxy(e.netloc) else e for e in endpoints)
