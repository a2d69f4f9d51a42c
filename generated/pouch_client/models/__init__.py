"""Contains all the data models used in inputs/outputs"""

from .auth_config import AuthConfig
from .auth_response import AuthResponse
from .commit import Commit
from .daemon_update_config import DaemonUpdateConfig
from .error import Error
from .event_type import EventType
from .events_actor import EventsActor
from .events_actor_attributes import EventsActorAttributes
from .events_message import EventsMessage
from .index_configs import IndexConfigs
from .index_info_type_0 import IndexInfoType0
from .registry_service_config_type_0 import RegistryServiceConfigType0
from .runtime import Runtime
from .system_info import SystemInfo
from .system_info_cgroup_driver import SystemInfoCgroupDriver
from .system_info_runtimes import SystemInfoRuntimes
from .system_version import SystemVersion

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
    "IndexConfigs",
    "IndexInfoType0",
    "RegistryServiceConfigType0",
    "Runtime",
    "SystemInfo",
    "SystemInfoCgroupDriver",
    "SystemInfoRuntimes",
    "SystemVersion",
)
