"""The registries of the tests, now in :mod:`pouch_testing.registry` (shared with the benchmarks);
re-exported here so that ``from registry import ...`` in the tests keeps working."""

from pouch_testing.registry import (
    HTPASSWD_BIN,
    ISSUER,
    REALM,
    REGISTRY_BIN,
    SERVICE,
    Fault,
    FaultyRegistry,
    Registry,
    SigningKey,
    TokenRequest,
    TokenServer,
    htpasswd_registry_fixture,
    missing_tools,
)

__all__ = [
    "HTPASSWD_BIN",
    "ISSUER",
    "REALM",
    "REGISTRY_BIN",
    "SERVICE",
    "Fault",
    "FaultyRegistry",
    "Registry",
    "SigningKey",
    "TokenRequest",
    "TokenServer",
    "htpasswd_registry_fixture",
    "missing_tools",
]
