"""Contains all the data models used in inputs/outputs"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth_config import AuthConfig
    from .auth_response import AuthResponse
    from .commit import Commit
    from .container_config import ContainerConfig
    from .container_config_disk_quota_type_0 import ContainerConfigDiskQuotaType0
    from .container_config_exposed_ports import ContainerConfigExposedPorts
    from .container_config_exposed_ports_additional_property import (
        ContainerConfigExposedPortsAdditionalProperty,
    )
    from .container_config_labels import ContainerConfigLabels
    from .container_config_rich_mode import ContainerConfigRichMode
    from .container_config_spec_annotation import ContainerConfigSpecAnnotation
    from .container_config_volumes import ContainerConfigVolumes
    from .container_config_volumes_additional_property import (
        ContainerConfigVolumesAdditionalProperty,
    )
    from .daemon_update_config import DaemonUpdateConfig
    from .error import Error
    from .event_type import EventType
    from .events_actor import EventsActor
    from .events_actor_attributes import EventsActorAttributes
    from .events_message import EventsMessage
    from .events_message_scope import EventsMessageScope
    from .history_result_item import HistoryResultItem
    from .image_info import ImageInfo
    from .image_info_root_fs import ImageInfoRootFS
    from .index_configs import IndexConfigs
    from .index_info_type_0 import IndexInfoType0
    from .registry_service_config_type_0 import RegistryServiceConfigType0
    from .runtime import Runtime
    from .search_result_item import SearchResultItem
    from .system_info import SystemInfo
    from .system_info_cgroup_driver import SystemInfoCgroupDriver
    from .system_info_runtimes import SystemInfoRuntimes
    from .system_version import SystemVersion

# name -> submodule; imported on first access (PEP 562), so a command loads only its models.
_MODULES = {
    "AuthConfig": "auth_config",
    "AuthResponse": "auth_response",
    "Commit": "commit",
    "ContainerConfig": "container_config",
    "ContainerConfigDiskQuotaType0": "container_config_disk_quota_type_0",
    "ContainerConfigExposedPorts": "container_config_exposed_ports",
    "ContainerConfigExposedPortsAdditionalProperty": "container_config_exposed_ports_additional_property",
    "ContainerConfigLabels": "container_config_labels",
    "ContainerConfigRichMode": "container_config_rich_mode",
    "ContainerConfigSpecAnnotation": "container_config_spec_annotation",
    "ContainerConfigVolumes": "container_config_volumes",
    "ContainerConfigVolumesAdditionalProperty": "container_config_volumes_additional_property",
    "DaemonUpdateConfig": "daemon_update_config",
    "Error": "error",
    "EventType": "event_type",
    "EventsActor": "events_actor",
    "EventsActorAttributes": "events_actor_attributes",
    "EventsMessage": "events_message",
    "EventsMessageScope": "events_message_scope",
    "HistoryResultItem": "history_result_item",
    "ImageInfo": "image_info",
    "ImageInfoRootFS": "image_info_root_fs",
    "IndexConfigs": "index_configs",
    "IndexInfoType0": "index_info_type_0",
    "RegistryServiceConfigType0": "registry_service_config_type_0",
    "Runtime": "runtime",
    "SearchResultItem": "search_result_item",
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
    "ContainerConfig",
    "ContainerConfigDiskQuotaType0",
    "ContainerConfigExposedPorts",
    "ContainerConfigExposedPortsAdditionalProperty",
    "ContainerConfigLabels",
    "ContainerConfigRichMode",
    "ContainerConfigSpecAnnotation",
    "ContainerConfigVolumes",
    "ContainerConfigVolumesAdditionalProperty",
    "DaemonUpdateConfig",
    "Error",
    "EventType",
    "EventsActor",
    "EventsActorAttributes",
    "EventsMessage",
    "EventsMessageScope",
    "HistoryResultItem",
    "ImageInfo",
    "ImageInfoRootFS",
    "IndexConfigs",
    "IndexInfoType0",
    "RegistryServiceConfigType0",
    "Runtime",
    "SearchResultItem",
    "SystemInfo",
    "SystemInfoCgroupDriver",
    "SystemInfoRuntimes",
    "SystemVersion",
)
