"""The credentials store: ``~/.pouch/config.json`` in docker's config-file layout.

    {"auths": {"<server>": {"auth": base64("user:password")}}}

After a login that returned an identity token, docker keeps the token instead of the password
and so do we: ``{"auth": base64("user:"), "identitytoken": "<token>"}``.

* Keys: :func:`server_key` (``host[:port]``, lowercased, scheme and path dropped; Docker Hub's
  names all become ``https://index.docker.io/v1/``, docker's key for it). Entries written by
  other tools under another form of the same server (``https://host``, ``http://host:5000/``)
  are found, replaced on login and removed on logout, as docker's logout does.
* The file is 0600 in a 0700 directory, replaced atomically (temp file, fsync, rename), with
  every other key and entry kept; a symlinked file is written through to its target.
* A file that cannot be parsed is reported and left alone, never overwritten.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pouch_cli.errors import CLIError
from pouch_common.fileutil import atomic_write
from pouch_common.registry import HUB_INDEX, HUB_NAMES


def config_path() -> Path:
    """``$HOME/.pouch/config.json``."""
    return Path(os.path.expanduser("~")) / ".pouch" / "config.json"


def server_key(server: str) -> str:
    """The key a server's credentials are stored under (see the module docstring)."""
    s = server.strip()
    if "://" in s:
        s = s.split("://", 1)[1]
    host = s.split("/", 1)[0].lower()
    if host in HUB_NAMES:
        return HUB_INDEX
    return host


@dataclass
class StoredAuth:
    username: str
    password: str
    identity_token: str


class CredentialStore:
    """Read, add and remove registry credentials in one config file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_path()

    # -- reading --

    def _corrupt(self, why: str) -> CLIError:
        return CLIError(f"credentials file {self.path} is corrupt ({why}); fix or remove it")

    def load(self) -> dict[str, Any]:
        """The whole file as a dict ({} when there is none); CLIError when it cannot be used."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as e:
            raise CLIError(f"cannot read credentials file {self.path}: {e}") from None
        if not text.strip():
            return {}  # docker treats an empty file as an empty config
        try:
            data = json.loads(text)
        except ValueError as e:
            raise self._corrupt(f"not valid JSON: {e}") from None
        if not isinstance(data, dict):
            raise self._corrupt("not a JSON object")
        auths = data.get("auths", {})
        if not isinstance(auths, dict):
            raise self._corrupt('"auths" is not an object')
        for key, entry in auths.items():
            if not isinstance(entry, dict):
                raise self._corrupt(f"the entry for {key} is not an object")
        return data

    def _matching(self, auths: dict[str, Any], server: str) -> list[str]:
        """Keys of ``auths`` that name ``server``: its own key first, then other forms of it."""
        key = server_key(server)
        return sorted((k for k in auths if server_key(k) == key), key=lambda k: k != key)

    def get(self, server: str) -> StoredAuth | None:
        auths = self.load().get("auths", {})
        keys = self._matching(auths, server)
        if not keys:
            return None
        entry = auths[keys[0]]
        username, password = "", ""
        auth = entry.get("auth", "")
        if auth:
            try:
                username, sep, password = base64.b64decode(str(auth), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                sep = ""
            if not sep:
                raise self._corrupt(f"the auth of {keys[0]} is not base64 of user:password")
        token = entry.get("identitytoken", "")
        return StoredAuth(username, password, token if isinstance(token, str) else "")

    # -- writing --

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-modify-write between concurrent pouch processes (flock on the directory)."""
        directory = self.path.parent
        if not directory.exists():
            directory.mkdir(parents=True, mode=0o700)
            os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write(self, data: dict[str, Any]) -> None:
        # Write through a symlink rather than replacing it (docker does the same).
        target = Path(os.path.realpath(self.path))
        atomic_write(target, (json.dumps(data, indent="\t") + "\n").encode(), mode=0o600)

    def store(self, server: str, username: str, password: str, identity_token: str = "") -> str:
        """Keep the credentials for ``server`` (the token instead of the password when there is one);
        the key used."""
        key = server_key(server)
        with self._locked():
            data = self.load()
            auths = data.setdefault("auths", {})
            for other in self._matching(auths, server):
                del auths[other]
            secret = "" if identity_token else password
            entry: dict[str, str] = {"auth": base64.b64encode(f"{username}:{secret}".encode()).decode()}
            if identity_token:
                entry["identitytoken"] = identity_token
            auths[key] = entry
            self._write(data)
        return key

    def erase(self, server: str) -> list[str]:
        """Remove every entry for ``server``; the keys removed (none: nothing was stored)."""
        if not self.path.exists():
            return []
        with self._locked():
            data = self.load()
            auths = data.get("auths", {})
            keys = self._matching(auths, server)
            if keys:
                for key in keys:
                    del auths[key]
                self._write(data)
        return keys
