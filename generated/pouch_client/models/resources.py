from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.device_mapping import DeviceMapping
    from ..models.nvidia_config import NvidiaConfig
    from ..models.throttle_device import ThrottleDevice
    from ..models.ulimit import Ulimit
    from ..models.weight_device import WeightDevice


T = TypeVar("T", bound="Resources")


@_dataclass(slots=True)
class Resources:
    """A container's resource limits: cgroup settings, devices, ulimits.

    Attributes:
        cgroup_parent (str | Unset): the cgroup the container's cgroup is made under (relative to the init process's
            when not absolute)
        blkio_weight (int | Unset): relative block IO weight, 10 to 1000 (0: unset)
        blkio_weight_device (list[WeightDevice] | Unset): block IO weight per device
        blkio_device_read_bps (list[ThrottleDevice] | Unset): read limit per device, bytes per second
        blkio_device_write_bps (list[ThrottleDevice] | Unset): write limit per device, bytes per second
        blkio_device_read_i_ops (list[ThrottleDevice] | Unset): read limit per device, operations per second
        blkio_device_write_i_ops (list[ThrottleDevice] | Unset): write limit per device, operations per second
        cpu_shares (int | Unset): relative CPU weight
        cpu_period (int | Unset): CFS period in microseconds, 1000 to 1000000; 0 is unset (as pouch's validation skips a
            zero value)
        cpu_quota (int | Unset): CFS quota: microseconds of CPU time in each period
        cpu_realtime_period (int | Unset): real-time period in microseconds
        cpu_realtime_runtime (int | Unset): real-time runtime in microseconds
        cpuset_cpus (str | Unset): CPUs the container may use, e.g. `0-3` or `0,1` Example: 0-3.
        cpuset_mems (str | Unset): memory nodes the container may use (NUMA)
        devices (list[DeviceMapping] | Unset): host devices made available in the container
        device_cgroup_rules (list[str] | Unset): device cgroup rules, e.g. `c 13:* rwm`
        kernel_memory (int | Unset): kernel memory limit in bytes
        memory (int | Unset): memory limit in bytes (0: none) Default: 0.
        memory_reservation (int | Unset): memory soft limit in bytes
        memory_swap (int | Unset): memory plus swap limit in bytes; -1 for unlimited swap
        memory_swappiness (int | Unset): swappiness, 0 to 100 (-1: the default)
        nano_cpus (int | Unset): CPU limit in billionths of a CPU
        oom_kill_disable (bool | None | Unset): whether the OOM killer spares the container
        pids_limit (int | Unset): the most processes the container may have; -1 for no limit
        ulimits (list[Ulimit] | Unset): resource limits (ulimits)
        cpu_count (int | Unset): number of CPUs (Windows only)
        cpu_percent (int | Unset): percentage of CPU (Windows only)
        io_maximum_i_ops (int | Unset): IO operations per second limit (Windows only)
        io_maximum_bandwidth (int | Unset): IO bytes per second limit (Windows only)
        intel_rdt_l3_cbm (str | Unset): Intel RDT L3 cache allocation bitmask
        sche_lat_switch (int | Unset): whether scheduler latency is counted in cpuacct (AliKernel)
        memory_wmark_ratio (int | None | Unset): memory low water mark, as a percentage of the memory limit (AliKernel)
        memory_extra (int | None | Unset): extra memory in bytes (AliKernel)
        memory_force_empty_ctl (int | Unset): whether the page cache is reclaimed when the cgroup is removed (AliKernel)
        nvidia_config (NvidiaConfig | Unset): NVIDIA GPUs and driver features made available to a container.
    """

    cgroup_parent: str | Unset = UNSET
    blkio_weight: int | Unset = UNSET
    blkio_weight_device: list[WeightDevice] | Unset = UNSET
    blkio_device_read_bps: list[ThrottleDevice] | Unset = UNSET
    blkio_device_write_bps: list[ThrottleDevice] | Unset = UNSET
    blkio_device_read_i_ops: list[ThrottleDevice] | Unset = UNSET
    blkio_device_write_i_ops: list[ThrottleDevice] | Unset = UNSET
    cpu_shares: int | Unset = UNSET
    cpu_period: int | Unset = UNSET
    cpu_quota: int | Unset = UNSET
    cpu_realtime_period: int | Unset = UNSET
    cpu_realtime_runtime: int | Unset = UNSET
    cpuset_cpus: str | Unset = UNSET
    cpuset_mems: str | Unset = UNSET
    devices: list[DeviceMapping] | Unset = UNSET
    device_cgroup_rules: list[str] | Unset = UNSET
    kernel_memory: int | Unset = UNSET
    memory: int | Unset = 0
    memory_reservation: int | Unset = UNSET
    memory_swap: int | Unset = UNSET
    memory_swappiness: int | Unset = UNSET
    nano_cpus: int | Unset = UNSET
    oom_kill_disable: bool | None | Unset = UNSET
    pids_limit: int | Unset = UNSET
    ulimits: list[Ulimit] | Unset = UNSET
    cpu_count: int | Unset = UNSET
    cpu_percent: int | Unset = UNSET
    io_maximum_i_ops: int | Unset = UNSET
    io_maximum_bandwidth: int | Unset = UNSET
    intel_rdt_l3_cbm: str | Unset = UNSET
    sche_lat_switch: int | Unset = UNSET
    memory_wmark_ratio: int | None | Unset = UNSET
    memory_extra: int | None | Unset = UNSET
    memory_force_empty_ctl: int | Unset = UNSET
    nvidia_config: NvidiaConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cgroup_parent = self.cgroup_parent

        blkio_weight = self.blkio_weight

        blkio_weight_device: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.blkio_weight_device, Unset):
            blkio_weight_device = []
            for blkio_weight_device_item_data in self.blkio_weight_device:
                blkio_weight_device_item = blkio_weight_device_item_data.to_dict()
                blkio_weight_device.append(blkio_weight_device_item)

        blkio_device_read_bps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.blkio_device_read_bps, Unset):
            blkio_device_read_bps = []
            for blkio_device_read_bps_item_data in self.blkio_device_read_bps:
                blkio_device_read_bps_item = blkio_device_read_bps_item_data.to_dict()
                blkio_device_read_bps.append(blkio_device_read_bps_item)

        blkio_device_write_bps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.blkio_device_write_bps, Unset):
            blkio_device_write_bps = []
            for blkio_device_write_bps_item_data in self.blkio_device_write_bps:
                blkio_device_write_bps_item = blkio_device_write_bps_item_data.to_dict()
                blkio_device_write_bps.append(blkio_device_write_bps_item)

        blkio_device_read_i_ops: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.blkio_device_read_i_ops, Unset):
            blkio_device_read_i_ops = []
            for blkio_device_read_i_ops_item_data in self.blkio_device_read_i_ops:
                blkio_device_read_i_ops_item = (
                    blkio_device_read_i_ops_item_data.to_dict()
                )
                blkio_device_read_i_ops.append(blkio_device_read_i_ops_item)

        blkio_device_write_i_ops: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.blkio_device_write_i_ops, Unset):
            blkio_device_write_i_ops = []
            for blkio_device_write_i_ops_item_data in self.blkio_device_write_i_ops:
                blkio_device_write_i_ops_item = (
                    blkio_device_write_i_ops_item_data.to_dict()
                )
                blkio_device_write_i_ops.append(blkio_device_write_i_ops_item)

        cpu_shares = self.cpu_shares

        cpu_period = self.cpu_period

        cpu_quota = self.cpu_quota

        cpu_realtime_period = self.cpu_realtime_period

        cpu_realtime_runtime = self.cpu_realtime_runtime

        cpuset_cpus = self.cpuset_cpus

        cpuset_mems = self.cpuset_mems

        devices: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.devices, Unset):
            devices = []
            for devices_item_data in self.devices:
                devices_item = devices_item_data.to_dict()
                devices.append(devices_item)

        device_cgroup_rules: list[str] | Unset = UNSET
        if not isinstance(self.device_cgroup_rules, Unset):
            device_cgroup_rules = self.device_cgroup_rules

        kernel_memory = self.kernel_memory

        memory = self.memory

        memory_reservation = self.memory_reservation

        memory_swap = self.memory_swap

        memory_swappiness = self.memory_swappiness

        nano_cpus = self.nano_cpus

        oom_kill_disable: bool | None | Unset
        if isinstance(self.oom_kill_disable, Unset):
            oom_kill_disable = UNSET
        else:
            oom_kill_disable = self.oom_kill_disable

        pids_limit = self.pids_limit

        ulimits: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.ulimits, Unset):
            ulimits = []
            for ulimits_item_data in self.ulimits:
                ulimits_item = ulimits_item_data.to_dict()
                ulimits.append(ulimits_item)

        cpu_count = self.cpu_count

        cpu_percent = self.cpu_percent

        io_maximum_i_ops = self.io_maximum_i_ops

        io_maximum_bandwidth = self.io_maximum_bandwidth

        intel_rdt_l3_cbm = self.intel_rdt_l3_cbm

        sche_lat_switch = self.sche_lat_switch

        memory_wmark_ratio: int | None | Unset
        if isinstance(self.memory_wmark_ratio, Unset):
            memory_wmark_ratio = UNSET
        else:
            memory_wmark_ratio = self.memory_wmark_ratio

        memory_extra: int | None | Unset
        if isinstance(self.memory_extra, Unset):
            memory_extra = UNSET
        else:
            memory_extra = self.memory_extra

        memory_force_empty_ctl = self.memory_force_empty_ctl

        nvidia_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.nvidia_config, Unset):
            nvidia_config = self.nvidia_config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if cgroup_parent is not UNSET:
            field_dict["CgroupParent"] = cgroup_parent
        if blkio_weight is not UNSET:
            field_dict["BlkioWeight"] = blkio_weight
        if blkio_weight_device is not UNSET:
            field_dict["BlkioWeightDevice"] = blkio_weight_device
        if blkio_device_read_bps is not UNSET:
            field_dict["BlkioDeviceReadBps"] = blkio_device_read_bps
        if blkio_device_write_bps is not UNSET:
            field_dict["BlkioDeviceWriteBps"] = blkio_device_write_bps
        if blkio_device_read_i_ops is not UNSET:
            field_dict["BlkioDeviceReadIOps"] = blkio_device_read_i_ops
        if blkio_device_write_i_ops is not UNSET:
            field_dict["BlkioDeviceWriteIOps"] = blkio_device_write_i_ops
        if cpu_shares is not UNSET:
            field_dict["CpuShares"] = cpu_shares
        if cpu_period is not UNSET:
            field_dict["CpuPeriod"] = cpu_period
        if cpu_quota is not UNSET:
            field_dict["CpuQuota"] = cpu_quota
        if cpu_realtime_period is not UNSET:
            field_dict["CpuRealtimePeriod"] = cpu_realtime_period
        if cpu_realtime_runtime is not UNSET:
            field_dict["CpuRealtimeRuntime"] = cpu_realtime_runtime
        if cpuset_cpus is not UNSET:
            field_dict["CpusetCpus"] = cpuset_cpus
        if cpuset_mems is not UNSET:
            field_dict["CpusetMems"] = cpuset_mems
        if devices is not UNSET:
            field_dict["Devices"] = devices
        if device_cgroup_rules is not UNSET:
            field_dict["DeviceCgroupRules"] = device_cgroup_rules
        if kernel_memory is not UNSET:
            field_dict["KernelMemory"] = kernel_memory
        if memory is not UNSET:
            field_dict["Memory"] = memory
        if memory_reservation is not UNSET:
            field_dict["MemoryReservation"] = memory_reservation
        if memory_swap is not UNSET:
            field_dict["MemorySwap"] = memory_swap
        if memory_swappiness is not UNSET:
            field_dict["MemorySwappiness"] = memory_swappiness
        if nano_cpus is not UNSET:
            field_dict["NanoCpus"] = nano_cpus
        if oom_kill_disable is not UNSET:
            field_dict["OomKillDisable"] = oom_kill_disable
        if pids_limit is not UNSET:
            field_dict["PidsLimit"] = pids_limit
        if ulimits is not UNSET:
            field_dict["Ulimits"] = ulimits
        if cpu_count is not UNSET:
            field_dict["CpuCount"] = cpu_count
        if cpu_percent is not UNSET:
            field_dict["CpuPercent"] = cpu_percent
        if io_maximum_i_ops is not UNSET:
            field_dict["IOMaximumIOps"] = io_maximum_i_ops
        if io_maximum_bandwidth is not UNSET:
            field_dict["IOMaximumBandwidth"] = io_maximum_bandwidth
        if intel_rdt_l3_cbm is not UNSET:
            field_dict["IntelRdtL3Cbm"] = intel_rdt_l3_cbm
        if sche_lat_switch is not UNSET:
            field_dict["ScheLatSwitch"] = sche_lat_switch
        if memory_wmark_ratio is not UNSET:
            field_dict["MemoryWmarkRatio"] = memory_wmark_ratio
        if memory_extra is not UNSET:
            field_dict["MemoryExtra"] = memory_extra
        if memory_force_empty_ctl is not UNSET:
            field_dict["MemoryForceEmptyCtl"] = memory_force_empty_ctl
        if nvidia_config is not UNSET:
            field_dict["NvidiaConfig"] = nvidia_config

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.device_mapping import DeviceMapping
        from ..models.nvidia_config import NvidiaConfig
        from ..models.throttle_device import ThrottleDevice
        from ..models.ulimit import Ulimit
        from ..models.weight_device import WeightDevice

        d = dict(src_dict)
        cgroup_parent = d.pop("CgroupParent", UNSET)

        blkio_weight = d.pop("BlkioWeight", UNSET)

        _blkio_weight_device = d.pop("BlkioWeightDevice", UNSET)
        blkio_weight_device: list[WeightDevice] | Unset = UNSET
        if _blkio_weight_device is not UNSET:
            blkio_weight_device = []
            for blkio_weight_device_item_data in _blkio_weight_device:
                blkio_weight_device_item = WeightDevice.from_dict(
                    blkio_weight_device_item_data
                )

                blkio_weight_device.append(blkio_weight_device_item)

        _blkio_device_read_bps = d.pop("BlkioDeviceReadBps", UNSET)
        blkio_device_read_bps: list[ThrottleDevice] | Unset = UNSET
        if _blkio_device_read_bps is not UNSET:
            blkio_device_read_bps = []
            for blkio_device_read_bps_item_data in _blkio_device_read_bps:
                blkio_device_read_bps_item = ThrottleDevice.from_dict(
                    blkio_device_read_bps_item_data
                )

                blkio_device_read_bps.append(blkio_device_read_bps_item)

        _blkio_device_write_bps = d.pop("BlkioDeviceWriteBps", UNSET)
        blkio_device_write_bps: list[ThrottleDevice] | Unset = UNSET
        if _blkio_device_write_bps is not UNSET:
            blkio_device_write_bps = []
            for blkio_device_write_bps_item_data in _blkio_device_write_bps:
                blkio_device_write_bps_item = ThrottleDevice.from_dict(
                    blkio_device_write_bps_item_data
                )

                blkio_device_write_bps.append(blkio_device_write_bps_item)

        _blkio_device_read_i_ops = d.pop("BlkioDeviceReadIOps", UNSET)
        blkio_device_read_i_ops: list[ThrottleDevice] | Unset = UNSET
        if _blkio_device_read_i_ops is not UNSET:
            blkio_device_read_i_ops = []
            for blkio_device_read_i_ops_item_data in _blkio_device_read_i_ops:
                blkio_device_read_i_ops_item = ThrottleDevice.from_dict(
                    blkio_device_read_i_ops_item_data
                )

                blkio_device_read_i_ops.append(blkio_device_read_i_ops_item)

        _blkio_device_write_i_ops = d.pop("BlkioDeviceWriteIOps", UNSET)
        blkio_device_write_i_ops: list[ThrottleDevice] | Unset = UNSET
        if _blkio_device_write_i_ops is not UNSET:
            blkio_device_write_i_ops = []
            for blkio_device_write_i_ops_item_data in _blkio_device_write_i_ops:
                blkio_device_write_i_ops_item = ThrottleDevice.from_dict(
                    blkio_device_write_i_ops_item_data
                )

                blkio_device_write_i_ops.append(blkio_device_write_i_ops_item)

        cpu_shares = d.pop("CpuShares", UNSET)

        cpu_period = d.pop("CpuPeriod", UNSET)

        cpu_quota = d.pop("CpuQuota", UNSET)

        cpu_realtime_period = d.pop("CpuRealtimePeriod", UNSET)

        cpu_realtime_runtime = d.pop("CpuRealtimeRuntime", UNSET)

        cpuset_cpus = d.pop("CpusetCpus", UNSET)

        cpuset_mems = d.pop("CpusetMems", UNSET)

        _devices = d.pop("Devices", UNSET)
        devices: list[DeviceMapping] | Unset = UNSET
        if _devices is not UNSET:
            devices = []
            for devices_item_data in _devices:
                devices_item = DeviceMapping.from_dict(devices_item_data)

                devices.append(devices_item)

        device_cgroup_rules = cast(list[str], d.pop("DeviceCgroupRules", UNSET))

        kernel_memory = d.pop("KernelMemory", UNSET)

        memory = d.pop("Memory", UNSET)

        memory_reservation = d.pop("MemoryReservation", UNSET)

        memory_swap = d.pop("MemorySwap", UNSET)

        memory_swappiness = d.pop("MemorySwappiness", UNSET)

        nano_cpus = d.pop("NanoCpus", UNSET)

        def _parse_oom_kill_disable(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        oom_kill_disable = _parse_oom_kill_disable(d.pop("OomKillDisable", UNSET))

        pids_limit = d.pop("PidsLimit", UNSET)

        _ulimits = d.pop("Ulimits", UNSET)
        ulimits: list[Ulimit] | Unset = UNSET
        if _ulimits is not UNSET:
            ulimits = []
            for ulimits_item_data in _ulimits:
                ulimits_item = Ulimit.from_dict(ulimits_item_data)

                ulimits.append(ulimits_item)

        cpu_count = d.pop("CpuCount", UNSET)

        cpu_percent = d.pop("CpuPercent", UNSET)

        io_maximum_i_ops = d.pop("IOMaximumIOps", UNSET)

        io_maximum_bandwidth = d.pop("IOMaximumBandwidth", UNSET)

        intel_rdt_l3_cbm = d.pop("IntelRdtL3Cbm", UNSET)

        sche_lat_switch = d.pop("ScheLatSwitch", UNSET)

        def _parse_memory_wmark_ratio(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        memory_wmark_ratio = _parse_memory_wmark_ratio(d.pop("MemoryWmarkRatio", UNSET))

        def _parse_memory_extra(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        memory_extra = _parse_memory_extra(d.pop("MemoryExtra", UNSET))

        memory_force_empty_ctl = d.pop("MemoryForceEmptyCtl", UNSET)

        _nvidia_config = d.pop("NvidiaConfig", UNSET)
        nvidia_config: NvidiaConfig | Unset
        if isinstance(_nvidia_config, Unset):
            nvidia_config = UNSET
        else:
            nvidia_config = NvidiaConfig.from_dict(_nvidia_config)

        resources = cls(
            cgroup_parent=cgroup_parent,
            blkio_weight=blkio_weight,
            blkio_weight_device=blkio_weight_device,
            blkio_device_read_bps=blkio_device_read_bps,
            blkio_device_write_bps=blkio_device_write_bps,
            blkio_device_read_i_ops=blkio_device_read_i_ops,
            blkio_device_write_i_ops=blkio_device_write_i_ops,
            cpu_shares=cpu_shares,
            cpu_period=cpu_period,
            cpu_quota=cpu_quota,
            cpu_realtime_period=cpu_realtime_period,
            cpu_realtime_runtime=cpu_realtime_runtime,
            cpuset_cpus=cpuset_cpus,
            cpuset_mems=cpuset_mems,
            devices=devices,
            device_cgroup_rules=device_cgroup_rules,
            kernel_memory=kernel_memory,
            memory=memory,
            memory_reservation=memory_reservation,
            memory_swap=memory_swap,
            memory_swappiness=memory_swappiness,
            nano_cpus=nano_cpus,
            oom_kill_disable=oom_kill_disable,
            pids_limit=pids_limit,
            ulimits=ulimits,
            cpu_count=cpu_count,
            cpu_percent=cpu_percent,
            io_maximum_i_ops=io_maximum_i_ops,
            io_maximum_bandwidth=io_maximum_bandwidth,
            intel_rdt_l3_cbm=intel_rdt_l3_cbm,
            sche_lat_switch=sche_lat_switch,
            memory_wmark_ratio=memory_wmark_ratio,
            memory_extra=memory_extra,
            memory_force_empty_ctl=memory_force_empty_ctl,
            nvidia_config=nvidia_config,
        )

        resources.additional_properties = d
        return resources

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
