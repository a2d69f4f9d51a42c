"""Contains all the data models used in inputs/outputs"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth_config import AuthConfig
    from .auth_response import AuthResponse
    from .commit import Commit
    from .daemon_update_config import DaemonUpdateConfig
    from .error import Error
    from .event_type import EventType
    from .events_actor import EventsActor
    from .events_actor_attributes import EventsActorAttributes
    from .events_message import EventsMessage
    from .events_message_scope import EventsMessageScope
    from .index_configs import IndexConfigs
    from .index_info_type_0 import IndexInfoType0
    from .registry_service_config_type_0 import RegistryServiceConfigType0
    from .runtime import Runtime
    from .system_info import SystemInfo
    from .system_info_cgroup_driver import SystemInfoCgroupDriver
    from .system_info_runtimes import SystemInfoRuntimes
    from .system_version import SystemVersion

# name -> submodule; imported on first access (PEP 562), so a command loads only its models.
_MODULES = {
    "AuthConfig": "auth_config",
    "AuthResponse": "auth_response",
    "Commit": "commit",
    "DaemonUpdateConfig": "daemon_update_config",
    "Error": "error",
    "EventType": "event_type",
    "EventsActor": "events_actor",
    "EventsActorAttributes": "events_actor_attributes",
    "EventsMessage": "events_message",
    "EventsMessageScope": "events_message_scope",
    "IndexConfigs": "index_configs",
    "IndexInfoType0": "index_info_type_0",
    "RegistryServiceConfigType0": "registry_service_config_type_0",
    "Runtime": "runtime",
    "SystemInfo": "system_info",
    "SystemInfoCgroupDriver": "system_info_cgroup_driver",
    "SystemInfoRuntimes": "system_info_runtimes",
    "SystemVersion": "system_version",
}


def __getattr__(name: str) -> Any:
    try:
        module = _MODULES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES})


__all__ = (
    "AuthConfig",
    "AuthResponse",
    "Commit",
    "DaemonUpdateConfig",
    "Error",
    "EventType",
    "EventsActor",
    "EventsActorAttributes",
    "EventsMessage",
    "EventsMessageScope",
    "IndexConfigs",
    "IndexInfoType0",
    "RegistryServiceConfigType0",
    "Runtime",
    "SystemInfo",
    "SystemInfoCgroupDriver",
    "SystemInfoRuntimes",
    "SystemVersion",
)
