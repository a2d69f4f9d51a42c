"""Where a login goes: a ServerAddress read as docker reads it, the endpoints to try in order, and
which registries may be reached over plain HTTP or unverified TLS (``--insecure-registries``)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from dataclasses import dataclass

from pouch_common.registry import HUB_NAMES, HUB_V2_HOST
from pouch_server.errors import APIError
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT

log = logging.getLogger("pouchd.registry")

_HOST_PORT = re.compile(
    r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(?P<port>[0-9]{1,5}))?$"
)
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


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
