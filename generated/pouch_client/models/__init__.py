"""Contains all the data models used in inputs/outputs"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth_config import AuthConfig
    from .auth_response import AuthResponse
    from .blkio_stat_entry import BlkioStatEntry
    from .blkio_stats import BlkioStats
    from .commit import Commit
    from .container import Container
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
    from .container_create_config import ContainerCreateConfig
    from .container_create_resp import ContainerCreateResp
    from .container_exec_inspect import ContainerExecInspect
    from .container_json import ContainerJSON
    from .container_labels import ContainerLabels
    from .container_network_settings import ContainerNetworkSettings
    from .container_process_list import ContainerProcessList
    from .container_state import ContainerState
    from .container_stats import ContainerStats
    from .container_stats_networks import ContainerStatsNetworks
    from .container_wait_response_200 import ContainerWaitResponse200
    from .cpu_stats import CPUStats
    from .cpu_usage import CPUUsage
    from .daemon_update_config import DaemonUpdateConfig
    from .device_mapping import DeviceMapping
    from .endpoint_ipam_config import EndpointIPAMConfig
    from .endpoint_settings import EndpointSettings
    from .endpoint_settings_driver_opts_type_0 import EndpointSettingsDriverOptsType0
    from .error import Error
    from .event_type import EventType
    from .events_actor import EventsActor
    from .events_actor_attributes import EventsActorAttributes
    from .events_message import EventsMessage
    from .events_message_scope import EventsMessageScope
    from .exec_create_config import ExecCreateConfig
    from .exec_create_resp import ExecCreateResp
    from .exec_start_config import ExecStartConfig
    from .graph_driver_data import GraphDriverData
    from .graph_driver_data_data import GraphDriverDataData
    from .history_result_item import HistoryResultItem
    from .host_config import HostConfig
    from .host_config_isolation import HostConfigIsolation
    from .host_config_rich_mode import HostConfigRichMode
    from .host_config_storage_opt import HostConfigStorageOpt
    from .host_config_sysctls import HostConfigSysctls
    from .host_config_tmpfs import HostConfigTmpfs
    from .image_info import ImageInfo
    from .image_info_root_fs import ImageInfoRootFS
    from .index_configs import IndexConfigs
    from .index_info_type_0 import IndexInfoType0
    from .ip_address import IPAddress
    from .log_config import LogConfig
    from .log_config_config import LogConfigConfig
    from .log_config_type import LogConfigType
    from .memory_stats import MemoryStats
    from .memory_stats_stats import MemoryStatsStats
    from .mount_point import MountPoint
    from .network_settings import NetworkSettings
    from .network_settings_networks import NetworkSettingsNetworks
    from .network_stats import NetworkStats
    from .networking_config import NetworkingConfig
    from .nvidia_config import NvidiaConfig
    from .pids_stats import PidsStats
    from .port_binding_type_0 import PortBindingType0
    from .port_map import PortMap
    from .process_config import ProcessConfig
    from .registry_service_config_type_0 import RegistryServiceConfigType0
    from .resources import Resources
    from .restart_policy import RestartPolicy
    from .runtime import Runtime
    from .search_result_item import SearchResultItem
    from .snapshotter_data import SnapshotterData
    from .snapshotter_data_data import SnapshotterDataData
    from .status import Status
    from .system_info import SystemInfo
    from .system_info_cgroup_driver import SystemInfoCgroupDriver
    from .system_info_runtimes import SystemInfoRuntimes
    from .system_version import SystemVersion
    from .throttle_device import ThrottleDevice
    from .throttling_data import ThrottlingData
    from .ulimit import Ulimit
    from .update_config import UpdateConfig
    from .update_config_disk_quota_type_0 import UpdateConfigDiskQuotaType0
    from .update_config_spec_annotation_type_0 import UpdateConfigSpecAnnotationType0
    from .weight_device import WeightDevice

# name -> submodule; imported on first access (PEP 562), so a command loads only its models.
_MODULES = {
    "AuthConfig": "auth_config",
    "AuthResponse": "auth_response",
    "BlkioStatEntry": "blkio_stat_entry",
    "BlkioStats": "blkio_stats",
    "Commit": "commit",
    "Container": "container",
    "ContainerConfig": "container_config",
    "ContainerConfigDiskQuotaType0": "container_config_disk_quota_type_0",
    "ContainerConfigExposedPorts": "container_config_exposed_ports",
    "ContainerConfigExposedPortsAdditionalProperty": "container_config_exposed_ports_additional_property",
    "ContainerConfigLabels": "container_config_labels",
    "ContainerConfigRichMode": "container_config_rich_mode",
    "ContainerConfigSpecAnnotation": "container_config_spec_annotation",
    "ContainerConfigVolumes": "container_config_volumes",
    "ContainerConfigVolumesAdditionalProperty": "container_config_volumes_additional_property",
    "ContainerCreateConfig": "container_create_config",
    "ContainerCreateResp": "container_create_resp",
    "ContainerExecInspect": "container_exec_inspect",
    "ContainerJSON": "container_json",
    "ContainerLabels": "container_labels",
    "ContainerNetworkSettings": "container_network_settings",
    "ContainerProcessList": "container_process_list",
    "ContainerState": "container_state",
    "ContainerStats": "container_stats",
    "ContainerStatsNetworks": "container_stats_networks",
    "ContainerWaitResponse200": "container_wait_response_200",
    "CPUStats": "cpu_stats",
    "CPUUsage": "cpu_usage",
    "DaemonUpdateConfig": "daemon_update_config",
    "DeviceMapping": "device_mapping",
    "EndpointIPAMConfig": "endpoint_ipam_config",
    "EndpointSettings": "endpoint_settings",
    "EndpointSettingsDriverOptsType0": "endpoint_settings_driver_opts_type_0",
    "Error": "error",
    "EventType": "event_type",
    "EventsActor": "events_actor",
    "EventsActorAttributes": "events_actor_attributes",
    "EventsMessage": "events_message",
    "EventsMessageScope": "events_message_scope",
    "ExecCreateConfig": "exec_create_config",
    "ExecCreateResp": "exec_create_resp",
    "ExecStartConfig": "exec_start_config",
    "GraphDriverData": "graph_driver_data",
    "GraphDriverDataData": "graph_driver_data_data",
    "HistoryResultItem": "history_result_item",
    "HostConfig": "host_config",
    "HostConfigIsolation": "host_config_isolation",
    "HostConfigRichMode": "host_config_rich_mode",
    "HostConfigStorageOpt": "host_config_storage_opt",
    "HostConfigSysctls": "host_config_sysctls",
    "HostConfigTmpfs": "host_config_tmpfs",
    "ImageInfo": "image_info",
    "ImageInfoRootFS": "image_info_root_fs",
    "IndexConfigs": "index_configs",
    "IndexInfoType0": "index_info_type_0",
    "IPAddress": "ip_address",
    "LogConfig": "log_config",
    "LogConfigConfig": "log_config_config",
    "LogConfigType": "log_config_type",
    "MemoryStats": "memory_stats",
    "MemoryStatsStats": "memory_stats_stats",
    "MountPoint": "mount_point",
    "NetworkSettings": "network_settings",
    "NetworkSettingsNetworks": "network_settings_networks",
    "NetworkStats": "network_stats",
    "NetworkingConfig": "networking_config",
    "NvidiaConfig": "nvidia_config",
    "PidsStats": "pids_stats",
    "PortBindingType0": "port_binding_type_0",
    "PortMap": "port_map",
    "ProcessConfig": "process_config",
    "RegistryServiceConfigType0": "registry_service_config_type_0",
    "Resources": "resources",
    "RestartPolicy": "restart_policy",
    "Runtime": "runtime",
    "SearchResultItem": "search_result_item",
    "SnapshotterData": "snapshotter_data",
    "SnapshotterDataData": "snapshotter_data_data",
    "Status": "status",
    "SystemInfo": "system_info",
    "SystemInfoCgroupDriver": "system_info_cgroup_driver",
    "SystemInfoRuntimes": "system_info_runtimes",
    "SystemVersion": "system_version",
    "ThrottleDevice": "throttle_device",
    "ThrottlingData": "throttling_data",
    "Ulimit": "ulimit",
    "UpdateConfig": "update_config",
    "UpdateConfigDiskQuotaType0": "update_config_disk_quota_type_0",
    "UpdateConfigSpecAnnotationType0": "update_config_spec_annotation_type_0",
    "WeightDevice": "weight_device",
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
    "BlkioStatEntry",
    "BlkioStats",
    "CPUStats",
    "CPUUsage",
    "Commit",
    "Container",
    "ContainerConfig",
    "ContainerConfigDiskQuotaType0",
    "ContainerConfigExposedPorts",
    "ContainerConfigExposedPortsAdditionalProperty",
    "ContainerConfigLabels",
    "ContainerConfigRichMode",
    "ContainerConfigSpecAnnotation",
    "ContainerConfigVolumes",
    "ContainerConfigVolumesAdditionalProperty",
    "ContainerCreateConfig",
    "ContainerCreateResp",
    "ContainerExecInspect",
    "ContainerJSON",
    "ContainerLabels",
    "ContainerNetworkSettings",
    "ContainerProcessList",
    "ContainerState",
    "ContainerStats",
    "ContainerStatsNetworks",
    "ContainerWaitResponse200",
    "DaemonUpdateConfig",
    "DeviceMapping",
    "EndpointIPAMConfig",
    "EndpointSettings",
    "EndpointSettingsDriverOptsType0",
    "Error",
    "EventType",
    "EventsActor",
    "EventsActorAttributes",
    "EventsMessage",
    "EventsMessageScope",
    "ExecCreateConfig",
    "ExecCreateResp",
    "ExecStartConfig",
    "GraphDriverData",
    "GraphDriverDataData",
    "HistoryResultItem",
    "HostConfig",
    "HostConfigIsolation",
    "HostConfigRichMode",
    "HostConfigStorageOpt",
    "HostConfigSysctls",
    "HostConfigTmpfs",
    "IPAddress",
    "ImageInfo",
    "ImageInfoRootFS",
    "IndexConfigs",
    "IndexInfoType0",
    "LogConfig",
    "LogConfigConfig",
    "LogConfigType",
    "MemoryStats",
    "MemoryStatsStats",
    "MountPoint",
    "NetworkSettings",
    "NetworkSettingsNetworks",
    "NetworkStats",
    "NetworkingConfig",
    "NvidiaConfig",
    "PidsStats",
    "PortBindingType0",
    "PortMap",
    "ProcessConfig",
    "RegistryServiceConfigType0",
    "Resources",
    "RestartPolicy",
    "Runtime",
    "SearchResultItem",
    "SnapshotterData",
    "SnapshotterDataData",
    "Status",
    "SystemInfo",
    "SystemInfoCgroupDriver",
    "SystemInfoRuntimes",
    "SystemVersion",
    "ThrottleDevice",
    "ThrottlingData",
    "Ulimit",
    "UpdateConfig",
    "UpdateConfigDiskQuotaType0",
    "UpdateConfigSpecAnnotationType0",
    "WeightDevice",
)
