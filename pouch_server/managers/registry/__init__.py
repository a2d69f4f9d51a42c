"""Registry login (``POST /auth``): check credentials against a Docker Registry v2 endpoint.

One module per concern, as pouch splits its registry code:

- :mod:`.addresses`: a ServerAddress read as docker reads it, the endpoints to try, and the
  insecure-registry policy (plain HTTP or unverified TLS);
- :mod:`.credentials`: AuthConfig decoded, and the secrets kept out of every message and log line;
- :mod:`.auth`: the challenge and token flow at one endpoint, as an ``httpx.Auth``;
- :mod:`.transport`: bounded answers, the shared TLS contexts, the clients of one login;
- :mod:`.manager`: :class:`RegistryManager`, one login with its fallbacks and deadlines.
"""

from __future__ import annotations

from pouch_server.managers.registry.addresses import Endpoint, InsecurePolicy, Target, split_address
from pouch_server.managers.registry.auth import MAX_REDIRECTS, RegistryAuth, parse_challenges
from pouch_server.managers.registry.credentials import Credentials
from pouch_server.managers.registry.manager import LOGIN_TIMEOUT, REQUEST_TIMEOUT, RegistryManager
from pouch_server.managers.registry.transport import CONNECT_TIMEOUT, MAX_BODY

__all__ = [
    "CONNECT_TIMEOUT",
    "LOGIN_TIMEOUT",
    "MAX_BODY",
    "MAX_REDIRECTS",
    "REQUEST_TIMEOUT",
    "Credentials",
    "Endpoint",
    "InsecurePolicy",
    "RegistryAuth",
    "RegistryManager",
    "Target",
    "parse_challenges",
    "split_address",
]
