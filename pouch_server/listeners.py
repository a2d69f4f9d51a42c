"""Binding pouchd's listen addresses: unix sockets (mode 0660, stale-file recovery) and TCP."""

from __future__ import annotations

import errno
import os
import socket
import stat
from dataclasses import dataclass

from pouch_server.config import ConfigError, ListenAddress, parse_listen_address


@dataclass
class Listener:
    address: ListenAddress
    sock: socket.socket
    inode: int = 0  # of the unix socket file we created, so we only ever remove our own

    @property
    def url(self) -> str:
        if self.address.scheme == "tcp":
            host, port = self.sock.getsockname()[:2]
            return str(ListenAddress("tcp", host=host, port=port))
        return str(self.address)

    def close(self) -> None:
        self.sock.close()
        if self.address.scheme == "unix":
            try:
                if os.stat(self.address.path).st_ino == self.inode:
                    os.unlink(self.address.path)
            except FileNotFoundError:
                pass


def resolve_group(group: str | None) -> int:
    """A group name or numeric gid → gid; -1 (leave as is) for None."""
    if group is None or group == "":
        return -1
    if group.isdigit():
        return int(group)
    import grp

    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise ConfigError(f"group {group!r} does not exist (--group)") from None


def _bind_unix(addr: ListenAddress, mode: int, gid: int = -1) -> Listener:
    path = addr.path
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISSOCK(st.st_mode):
            raise ConfigError(f"cannot listen on {addr}: {path} exists and is not a socket")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.settimeout(1.0)
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)  # stale: left behind by a daemon that died
        else:
            raise ConfigError(f"another pouchd is listening on {addr}")
        finally:
            probe.close()
    os.makedirs(os.path.dirname(path) or "/", exist_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Create the socket file with no permissions for others from the first moment, then 0660.
    old_umask = os.umask(0o117)
    try:
        sock.bind(path)
    except OSError as e:
        sock.close()
        raise ConfigError(f"cannot listen on {addr}: {e.strerror}") from None
    finally:
        os.umask(old_umask)
    try:
        if gid != -1:
            os.chown(path, -1, gid)
        os.chmod(path, mode)
    except OSError as e:
        sock.close()
        os.unlink(path)
        raise ConfigError(f"cannot set owner group of {path}: {e.strerror}") from None
    sock.listen(1024)
    sock.setblocking(False)
    return Listener(addr, sock, inode=os.stat(path).st_ino)


def _bind_tcp(addr: ListenAddress) -> Listener:
    family = socket.AF_INET6 if ":" in addr.host else socket.AF_INET
    # proto must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when
    # it is, and without it every keep-alive response (headers and body are two writes) waits ~40 ms
    # for the client's delayed ACK (Nagle's algorithm).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((addr.host, addr.port))
    except OSError as e:
        sock.close()
        hint = " (port in use)" if e.errno == errno.EADDRINUSE else ""
        raise ConfigError(f"cannot listen on {addr}: {e.strerror}{hint}") from None
    sock.listen(1024)
    sock.setblocking(False)
    return Listener(addr, sock)


def bind_all(addresses: list[str], unix_mode: int = 0o660, group: str | None = None) -> list[Listener]:
    """Bind every address or none: on failure the ones already bound are released.

    Unix sockets are mode 0660: the owner (root, or the user running pouchd) and ``group`` may
    use the daemon, nobody else.
    """
    gid = resolve_group(group)
    bound: list[Listener] = []
    try:
        for raw in addresses:
            addr = parse_listen_address(raw)
            bound.append(_bind_unix(addr, unix_mode, gid) if addr.scheme == "unix" else _bind_tcp(addr))
    except BaseException:
        for listener in bound:
            listener.close()
        raise
    return bound
