"""What a login offers (AuthConfig decoded), and how its secrets are kept out of what is shown.

Secrets (password, ``Auth``, identity and registry tokens, and the tokens a token server hands
out) go only into request headers and form bodies, never into URLs, log lines or error messages;
every message a login produces is also scrubbed of them before it leaves (:meth:`Credentials.scrub`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pouch_server.errors import APIError


@dataclass
class Credentials:
    """What AuthConfig offers, decoded; ``secrets`` holds every string that must never be shown."""

    username: str = ""
    password: str = ""
    identity_token: str = ""
    registry_token: str = ""
    secrets: list[str] = field(default_factory=list)

    @classmethod
    def from_auth_config(cls, body: dict[str, Any]) -> Credentials:
        """Username/Password win; ``Auth`` (base64 of ``user:password``) stands in when they are empty."""

        def text(key: str) -> str:
            value = body.get(key)
            return value if isinstance(value, str) else ""

        creds = cls(text("Username"), text("Password"), text("IdentityToken"), text("RegistryToken"))
        auth = text("Auth")
        creds.secrets = [s for s in (creds.password, creds.identity_token, creds.registry_token, auth) if s]
        if auth and not creds.username and not creds.password:
            try:
                decoded = base64.b64decode(auth.strip(), validate=True).decode()
            except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII input's ValueError
                raise APIError(400, "invalid Auth: want base64 of username:password") from None
            user, sep, password = decoded.partition(":")
            if not sep or not user:
                raise APIError(400, "invalid Auth: want base64 of username:password")
            creds.username, creds.password = user, password
            if password:
                creds.secrets.append(password)
        if creds.password:
            # A password can also leak as part of an encoded header value.
            creds.secrets.append(base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode())
        return creds

    @property
    def basic(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username or self.password else None

    def scrub(self, text: str) -> str:
        # Longest first, so a secret that contains another is masked whole.
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "*****")
        return text


def basic_header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def header_token(value: str) -> bool:
    """Whether a token can be sent in an Authorization header at all (printable ASCII): whether
    the registry takes it is the registry's call."""
    return value.isascii() and value.isprintable()


def without_query(url: str) -> str:
    """``url`` as messages show it: no query (a token server's may carry tokens), no userinfo."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]  # a realm might carry userinfo: never repeat it
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


#: The longest X-Registry-Auth header read (an AuthConfig's fields are bounded far below this).
MAX_REGISTRY_AUTH = 16 << 10


def from_registry_auth(header: str | None) -> Credentials | None:
    """The credentials of an ``X-Registry-Auth`` header: base64 (URL alphabet, as Go's clients
    encode it; the standard one and missing padding are taken too) of AuthConfig's JSON, keys in
    any case. None for no header or no credentials (the Docker CLI sends ``e30=``, ``{}``, when it
    has none). APIError(400) for a header that is not that."""
    if header is None or not header.strip():
        return None
    text = header.strip()
    if len(text) > MAX_REGISTRY_AUTH:
        raise APIError(400, f"X-Registry-Auth longer than {MAX_REGISTRY_AUTH} characters")
    padded = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
    try:
        body = json.loads(base64.b64decode(padded, validate=True))
    except ValueError:  # binascii.Error and JSONDecodeError are ValueErrors
        raise APIError(400, "invalid X-Registry-Auth: want base64 of AuthConfig's JSON") from None
    if not isinstance(body, dict):
        raise APIError(400, "invalid X-Registry-Auth: want base64 of AuthConfig's JSON")
    # Go decodes JSON keys case-insensitively: "username" is Username.
    canonical = {"username": "Username", "password": "Password", "auth": "Auth"}
    canonical |= {"identitytoken": "IdentityToken", "registrytoken": "RegistryToken"}
    fields = {canonical[k.lower()]: v for k, v in body.items() if k.lower() in canonical}
    creds = Credentials.from_auth_config(fields)
    if not (creds.username or creds.password or creds.identity_token or creds.registry_token):
        return None
    return creds
