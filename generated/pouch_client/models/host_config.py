from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..models.host_config_isolation import (
    HostConfigIsolation,
    check_host_config_isolation,
)
from ..models.host_config_rich_mode import (
    HostConfigRichMode,
    check_host_config_rich_mode,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.device_mapping import DeviceMapping
    from ..models.host_config_storage_opt import HostConfigStorageOpt
    from ..models.host_config_sysctls import HostConfigSysctls
    from ..models.host_config_tmpfs import HostConfigTmpfs
    from ..models.log_config import LogConfig
    from ..models.nvidia_config import NvidiaConfig
    from ..models.port_map import PortMap
    from ..models.restart_policy import RestartPolicy
    from ..models.throttle_device import ThrottleDevice
    from ..models.ulimit import Ulimit
    from ..models.weight_device import WeightDevice


T = TypeVar("T", bound="HostConfig")


@_dataclass(slots=True)
class HostConfig:
    """The part of a container's configuration that depends on the host: mounts, networking, namespaces, privileges,
    runtime, and (from `Resources`) cgroup limits.

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
            binds (list[str] | Unset): bind mounts and volumes, `source:destination[:options]` (source a host path or a
                volume name; options such as `ro`)
            container_id_file (str | Unset): a file to write the container's ID to
            log_config (LogConfig | Unset): A container's logging: the driver and its options.
            restart_policy (RestartPolicy | Unset): When a container is started again after it exits by itself.
            network_mode (str | Unset): the network: `bridge`, `host`, `none`, `container:<name|id>`, `netns:<path>`, or the
                name of a network
            port_bindings (PortMap | Unset): Host bindings of a container's ports, by `<port>/<protocol>` (`80/tcp`).
            auto_remove (bool | Unset): remove the container when it exits (accepted, as by pouch, and not acted on)
            volume_driver (str | Unset): the driver of the container's volumes
            volumes_from (list[str] | Unset): containers whose volumes are mounted too, `<name>[:ro|rw]`
            cap_add (list[str] | Unset): kernel capabilities added
            cap_drop (list[str] | Unset): kernel capabilities dropped
            dns (list[str] | Unset): DNS servers
            dns_options (list[str] | Unset): resolver options
            dns_search (list[str] | Unset): DNS search domains
            extra_hosts (list[str] | Unset): lines added to /etc/hosts, `host:IP`
            group_add (list[str] | Unset): supplementary groups of the container's process
            cgroup_mode (str | Unset): `host` for a cgroup namespace of the container's own; anything else shares the host's
                (kernels after 4.6)
            ipc_mode (str | Unset): the IPC namespace: `none`, `private`, `shareable`, `container:<name|id>` or `host`
                (default: the daemon's)
            cgroup (str | Unset): the cgroup to use
            links (list[str] | Unset): links to other containers, `name:alias`
            oom_score_adj (int | Unset): the OOM killer's score adjustment, -1000 to 1000
            pid_mode (str | Unset): the PID namespace: `container:<name|id>` or `host`
            privileged (bool | Unset): give the container every privilege of the host
            publish_all_ports (bool | Unset): bind every exposed port to a random host port
            readonly_rootfs (bool | Unset): mount the root filesystem read-only
            security_opt (list[str] | Unset): security options (SELinux labels, seccomp and AppArmor profiles...)
            storage_opt (HostConfigStorageOpt | Unset): options of the storage driver, e.g. `{"size": "10G"}`
            tmpfs (HostConfigTmpfs | Unset): tmpfs mounts: directory to mount options
            uts_mode (str | Unset): the UTS namespace
            userns_mode (str | Unset): the user namespace mode
            shm_size (int | Unset): the size of /dev/shm in bytes (default 64 MiB)
            sysctls (HostConfigSysctls | Unset): kernel parameters set in the container
            runtime (str | Unset): the OCI runtime (default: the daemon's)
            runtime_type (str | Unset): the runtime's type as containerd names it
            console_size (list[int] | Unset): the terminal's initial size, `[height, width]`
            isolation (HostConfigIsolation | Unset): isolation technology (Windows only); empty, as the Docker CLI sends it,
                is unset
            enable_lxcfs (bool | Unset): whether lxcfs is used for the container
            rich (bool | Unset): whether the container runs in rich container mode
            rich_mode (HostConfigRichMode | Unset): the rich container mode
            init_script (str | Unset): a script run in the container before its entry point or command
            masked_paths (list[str] | Unset): paths masked in the container
            readonly_paths (list[str] | Unset): paths made read-only in the container
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
    binds: list[str] | Unset = UNSET
    container_id_file: str | Unset = UNSET
    log_config: LogConfig | Unset = UNSET
    restart_policy: RestartPolicy | Unset = UNSET
    network_mode: str | Unset = UNSET
    port_bindings: PortMap | Unset = UNSET
    auto_remove: bool | Unset = UNSET
    volume_driver: str | Unset = UNSET
    volumes_from: list[str] | Unset = UNSET
    cap_add: list[str] | Unset = UNSET
    cap_drop: list[str] | Unset = UNSET
    dns: list[str] | Unset = UNSET
    dns_options: list[str] | Unset = UNSET
    dns_search: list[str] | Unset = UNSET
    extra_hosts: list[str] | Unset = UNSET
    group_add: list[str] | Unset = UNSET
    cgroup_mode: str | Unset = UNSET
    ipc_mode: str | Unset = UNSET
    cgroup: str | Unset = UNSET
    links: list[str] | Unset = UNSET
    oom_score_adj: int | Unset = UNSET
    pid_mode: str | Unset = UNSET
    privileged: bool | Unset = UNSET
    publish_all_ports: bool | Unset = UNSET
    readonly_rootfs: bool | Unset = UNSET
    security_opt: list[str] | Unset = UNSET
    storage_opt: HostConfigStorageOpt | Unset = UNSET
    tmpfs: HostConfigTmpfs | Unset = UNSET
    uts_mode: str | Unset = UNSET
    userns_mode: str | Unset = UNSET
    shm_size: int | Unset = UNSET
    sysctls: HostConfigSysctls | Unset = UNSET
    runtime: str | Unset = UNSET
    runtime_type: str | Unset = UNSET
    console_size: list[int] | Unset = UNSET
    isolation: HostConfigIsolation | Unset = UNSET
    enable_lxcfs: bool | Unset = UNSET
    rich: bool | Unset = UNSET
    rich_mode: HostConfigRichMode | Unset = UNSET
    init_script: str | Unset = UNSET
    masked_paths: list[str] | Unset = UNSET
    readonly_paths: list[str] | Unset = UNSET
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

        binds: list[str] | Unset = UNSET
        if not isinstance(self.binds, Unset):
            binds = self.binds

        container_id_file = self.container_id_file

        log_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.log_config, Unset):
            log_config = self.log_config.to_dict()

        restart_policy: dict[str, Any] | Unset = UNSET
        if not isinstance(self.restart_policy, Unset):
            restart_policy = self.restart_policy.to_dict()

        network_mode = self.network_mode

        port_bindings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.port_bindings, Unset):
            port_bindings = self.port_bindings.to_dict()

        auto_remove = self.auto_remove

        volume_driver = self.volume_driver

        volumes_from: list[str] | Unset = UNSET
        if not isinstance(self.volumes_from, Unset):
            volumes_from = self.volumes_from

        cap_add: list[str] | Unset = UNSET
        if not isinstance(self.cap_add, Unset):
            cap_add = self.cap_add

        cap_drop: list[str] | Unset = UNSET
        if not isinstance(self.cap_drop, Unset):
            cap_drop = self.cap_drop

        dns: list[str] | Unset = UNSET
        if not isinstance(self.dns, Unset):
            dns = self.dns

        dns_options: list[str] | Unset = UNSET
        if not isinstance(self.dns_options, Unset):
            dns_options = self.dns_options

        dns_search: list[str] | Unset = UNSET
        if not isinstance(self.dns_search, Unset):
            dns_search = self.dns_search

        extra_hosts: list[str] | Unset = UNSET
        if not isinstance(self.extra_hosts, Unset):
            extra_hosts = self.extra_hosts

        group_add: list[str] | Unset = UNSET
        if not isinstance(self.group_add, Unset):
            group_add = self.group_add

        cgroup_mode = self.cgroup_mode

        ipc_mode = self.ipc_mode

        cgroup = self.cgroup

        links: list[str] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links

        oom_score_adj = self.oom_score_adj

        pid_mode = self.pid_mode

        privileged = self.privileged

        publish_all_ports = self.publish_all_ports

        readonly_rootfs = self.readonly_rootfs

        security_opt: list[str] | Unset = UNSET
        if not isinstance(self.security_opt, Unset):
            security_opt = self.security_opt

        storage_opt: dict[str, Any] | Unset = UNSET
        if not isinstance(self.storage_opt, Unset):
            storage_opt = self.storage_opt.to_dict()

        tmpfs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tmpfs, Unset):
            tmpfs = self.tmpfs.to_dict()

        uts_mode = self.uts_mode

        userns_mode = self.userns_mode

        shm_size = self.shm_size

        sysctls: dict[str, Any] | Unset = UNSET
        if not isinstance(self.sysctls, Unset):
            sysctls = self.sysctls.to_dict()

        runtime = self.runtime

        runtime_type = self.runtime_type

        console_size: list[int] | Unset = UNSET
        if not isinstance(self.console_size, Unset):
            console_size = self.console_size

        isolation: str | Unset = UNSET
        if not isinstance(self.isolation, Unset):
            isolation = self.isolation

        enable_lxcfs = self.enable_lxcfs

        rich = self.rich

        rich_mode: str | Unset = UNSET
        if not isinstance(self.rich_mode, Unset):
            rich_mode = self.rich_mode

        init_script = self.init_script

        masked_paths: list[str] | Unset = UNSET
        if not isinstance(self.masked_paths, Unset):
            masked_paths = self.masked_paths

        readonly_paths: list[str] | Unset = UNSET
        if not isinstance(self.readonly_paths, Unset):
            readonly_paths = self.readonly_paths

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
        if binds is not UNSET:
            field_dict["Binds"] = binds
        if container_id_file is not UNSET:
            field_dict["ContainerIDFile"] = container_id_file
        if log_config is not UNSET:
            field_dict["LogConfig"] = log_config
        if restart_policy is not UNSET:
            field_dict["RestartPolicy"] = restart_policy
        if network_mode is not UNSET:
            field_dict["NetworkMode"] = network_mode
        if port_bindings is not UNSET:
            field_dict["PortBindings"] = port_bindings
        if auto_remove is not UNSET:
            field_dict["AutoRemove"] = auto_remove
        if volume_driver is not UNSET:
            field_dict["VolumeDriver"] = volume_driver
        if volumes_from is not UNSET:
            field_dict["VolumesFrom"] = volumes_from
        if cap_add is not UNSET:
            field_dict["CapAdd"] = cap_add
        if cap_drop is not UNSET:
            field_dict["CapDrop"] = cap_drop
        if dns is not UNSET:
            field_dict["Dns"] = dns
        if dns_options is not UNSET:
            field_dict["DnsOptions"] = dns_options
        if dns_search is not UNSET:
            field_dict["DnsSearch"] = dns_search
        if extra_hosts is not UNSET:
            field_dict["ExtraHosts"] = extra_hosts
        if group_add is not UNSET:
            field_dict["GroupAdd"] = group_add
        if cgroup_mode is not UNSET:
            field_dict["CgroupMode"] = cgroup_mode
        if ipc_mode is not UNSET:
            field_dict["IpcMode"] = ipc_mode
        if cgroup is not UNSET:
            field_dict["Cgroup"] = cgroup
        if links is not UNSET:
            field_dict["Links"] = links
        if oom_score_adj is not UNSET:
            field_dict["OomScoreAdj"] = oom_score_adj
        if pid_mode is not UNSET:
            field_dict["PidMode"] = pid_mode
        if privileged is not UNSET:
            field_dict["Privileged"] = privileged
        if publish_all_ports is not UNSET:
            field_dict["PublishAllPorts"] = publish_all_ports
        if readonly_rootfs is not UNSET:
            field_dict["ReadonlyRootfs"] = readonly_rootfs
        if security_opt is not UNSET:
            field_dict["SecurityOpt"] = security_opt
        if storage_opt is not UNSET:
            field_dict["StorageOpt"] = storage_opt
        if tmpfs is not UNSET:
            field_dict["Tmpfs"] = tmpfs
        if uts_mode is not UNSET:
            field_dict["UTSMode"] = uts_mode
        if userns_mode is not UNSET:
            field_dict["UsernsMode"] = userns_mode
        if shm_size is not UNSET:
            field_dict["ShmSize"] = shm_size
        if sysctls is not UNSET:
            field_dict["Sysctls"] = sysctls
        if runtime is not UNSET:
            field_dict["Runtime"] = runtime
        if runtime_type is not UNSET:
            field_dict["RuntimeType"] = runtime_type
        if console_size is not UNSET:
            field_dict["ConsoleSize"] = console_size
        if isolation is not UNSET:
            field_dict["Isolation"] = isolation
        if enable_lxcfs is not UNSET:
            field_dict["EnableLxcfs"] = enable_lxcfs
        if rich is not UNSET:
            field_dict["Rich"] = rich
        if rich_mode is not UNSET:
            field_dict["RichMode"] = rich_mode
        if init_script is not UNSET:
            field_dict["InitScript"] = init_script
        if masked_paths is not UNSET:
            field_dict["MaskedPaths"] = masked_paths
        if readonly_paths is not UNSET:
            field_dict["ReadonlyPaths"] = readonly_paths

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.device_mapping import DeviceMapping
        from ..models.host_config_storage_opt import HostConfigStorageOpt
        from ..models.host_config_sysctls import HostConfigSysctls
        from ..models.host_config_tmpfs import HostConfigTmpfs
        from ..models.log_config import LogConfig
        from ..models.nvidia_config import NvidiaConfig
        from ..models.port_map import PortMap
        from ..models.restart_policy import RestartPolicy
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

        binds = cast(list[str], d.pop("Binds", UNSET))

        container_id_file = d.pop("ContainerIDFile", UNSET)

        _log_config = d.pop("LogConfig", UNSET)
        log_config: LogConfig | Unset
        if isinstance(_log_config, Unset):
            log_config = UNSET
        else:
            log_config = LogConfig.from_dict(_log_config)

        _restart_policy = d.pop("RestartPolicy", UNSET)
        restart_policy: RestartPolicy | Unset
        if isinstance(_restart_policy, Unset):
            restart_policy = UNSET
        else:
            restart_policy = RestartPolicy.from_dict(_restart_policy)

        network_mode = d.pop("NetworkMode", UNSET)

        _port_bindings = d.pop("PortBindings", UNSET)
        port_bindings: PortMap | Unset
        if isinstance(_port_bindings, Unset):
            port_bindings = UNSET
        else:
            port_bindings = PortMap.from_dict(_port_bindings)

        auto_remove = d.pop("AutoRemove", UNSET)

        volume_driver = d.pop("VolumeDriver", UNSET)

        volumes_from = cast(list[str], d.pop("VolumesFrom", UNSET))

        cap_add = cast(list[str], d.pop("CapAdd", UNSET))

        cap_drop = cast(list[str], d.pop("CapDrop", UNSET))

        dns = cast(list[str], d.pop("Dns", UNSET))

        dns_options = cast(list[str], d.pop("DnsOptions", UNSET))

        dns_search = cast(list[str], d.pop("DnsSearch", UNSET))

        extra_hosts = cast(list[str], d.pop("ExtraHosts", UNSET))

        group_add = cast(list[str], d.pop("GroupAdd", UNSET))

        cgroup_mode = d.pop("CgroupMode", UNSET)

        ipc_mode = d.pop("IpcMode", UNSET)

        cgroup = d.pop("Cgroup", UNSET)

        links = cast(list[str], d.pop("Links", UNSET))

        oom_score_adj = d.pop("OomScoreAdj", UNSET)

        pid_mode = d.pop("PidMode", UNSET)

        privileged = d.pop("Privileged", UNSET)

        publish_all_ports = d.pop("PublishAllPorts", UNSET)

        readonly_rootfs = d.pop("ReadonlyRootfs", UNSET)

        security_opt = cast(list[str], d.pop("SecurityOpt", UNSET))

        _storage_opt = d.pop("StorageOpt", UNSET)
        storage_opt: HostConfigStorageOpt | Unset
        if isinstance(_storage_opt, Unset):
            storage_opt = UNSET
        else:
            storage_opt = HostConfigStorageOpt.from_dict(_storage_opt)

        _tmpfs = d.pop("Tmpfs", UNSET)
        tmpfs: HostConfigTmpfs | Unset
        if isinstance(_tmpfs, Unset):
            tmpfs = UNSET
        else:
            tmpfs = HostConfigTmpfs.from_dict(_tmpfs)

        uts_mode = d.pop("UTSMode", UNSET)

        userns_mode = d.pop("UsernsMode", UNSET)

        shm_size = d.pop("ShmSize", UNSET)

        _sysctls = d.pop("Sysctls", UNSET)
        sysctls: HostConfigSysctls | Unset
        if isinstance(_sysctls, Unset):
            sysctls = UNSET
        else:
            sysctls = HostConfigSysctls.from_dict(_sysctls)

        runtime = d.pop("Runtime", UNSET)

        runtime_type = d.pop("RuntimeType", UNSET)

        console_size = cast(list[int], d.pop("ConsoleSize", UNSET))

        _isolation = d.pop("Isolation", UNSET)
        isolation: HostConfigIsolation | Unset
        if isinstance(_isolation, Unset):
            isolation = UNSET
        else:
            isolation = check_host_config_isolation(_isolation)

        enable_lxcfs = d.pop("EnableLxcfs", UNSET)

        rich = d.pop("Rich", UNSET)

        _rich_mode = d.pop("RichMode", UNSET)
        rich_mode: HostConfigRichMode | Unset
        if isinstance(_rich_mode, Unset):
            rich_mode = UNSET
        else:
            rich_mode = check_host_config_rich_mode(_rich_mode)

        init_script = d.pop("InitScript", UNSET)

        masked_paths = cast(list[str], d.pop("MaskedPaths", UNSET))

        readonly_paths = cast(list[str], d.pop("ReadonlyPaths", UNSET))

        host_config = cls(
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
            binds=binds,
            container_id_file=container_id_file,
            log_config=log_config,
            restart_policy=restart_policy,
            network_mode=network_mode,
            port_bindings=port_bindings,
            auto_remove=auto_remove,
            volume_driver=volume_driver,
            volumes_from=volumes_from,
            cap_add=cap_add,
            cap_drop=cap_drop,
            dns=dns,
            dns_options=dns_options,
            dns_search=dns_search,
            extra_hosts=extra_hosts,
            group_add=group_add,
            cgroup_mode=cgroup_mode,
            ipc_mode=ipc_mode,
            cgroup=cgroup,
            links=links,
            oom_score_adj=oom_score_adj,
            pid_mode=pid_mode,
            privileged=privileged,
            publish_all_ports=publish_all_ports,
            readonly_rootfs=readonly_rootfs,
            security_opt=security_opt,
            storage_opt=storage_opt,
            tmpfs=tmpfs,
            uts_mode=uts_mode,
            userns_mode=userns_mode,
            shm_size=shm_size,
            sysctls=sysctls,
            runtime=runtime,
            runtime_type=runtime_type,
            console_size=console_size,
            isolation=isolation,
            enable_lxcfs=enable_lxcfs,
            rich=rich,
            rich_mode=rich_mode,
            init_script=init_script,
            masked_paths=masked_paths,
            readonly_paths=readonly_paths,
        )

        host_config.additional_properties = d
        return host_config

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
