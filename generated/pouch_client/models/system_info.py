from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..models.system_info_cgroup_driver import (
    SystemInfoCgroupDriver,
    check_system_info_cgroup_driver,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.commit import Commit
    from ..models.registry_service_config_type_0 import RegistryServiceConfigType0
    from ..models.system_info_runtimes import SystemInfoRuntimes


T = TypeVar("T", bound="SystemInfo")


@_dataclass(slots=True)
class SystemInfo:
    """Facts about the host and the daemon's configuration.

    Attributes:
        id (str | Unset): Identifier of this daemon, made once and kept in its home directory. Its format is not part of
            the API. Example: 7TRN:IPZB:QYBB:VPBQ:UMPP:KARE:6ZNR:XE6T:7EWV:PKF4:ZOJD:TPYS.
        containers (int | Unset): number of containers Example: 0.
        containers_running (int | Unset): number of running containers Example: 0.
        containers_paused (int | Unset): number of paused containers Example: 0.
        containers_stopped (int | Unset): number of stopped containers Example: 0.
        images (int | Unset): number of images, tagged and dangling Example: 0.
        driver (str | Unset): storage driver (snapshotter) in use Example: overlayfs.
        driver_status (list[list[str]] | Unset): label/value pairs the storage driver reports; not a stable format
            Example: [['Backing Filesystem', 'extfs']].
        pouch_root_dir (str | Unset): the daemon's home directory Example: /var/lib/pouch.
        docker_root_dir (str | Unset): the daemon's home directory (the same as PouchRootDir), under docker's name
            Example: /var/lib/pouch.
        debug (bool | Unset): whether the daemon runs with debug logging Example: False.
        logging_driver (str | Unset): default logging driver for new containers Example: json-file.
        volume_drivers (list[str] | Unset): volume drivers the daemon supports Example: ['local'].
        cgroup_driver (SystemInfoCgroupDriver | Unset): how cgroups are managed Default: 'cgroupfs'. Example: cgroupfs.
        kernel_version (str | Unset): kernel release of the host (`uname -r`)
        operating_system (str | Unset): the host's operating system name (PRETTY_NAME of /etc/os-release) Example:
            Debian GNU/Linux 12 (bookworm).
        os_type (str | Unset): operating system family, in Go's naming (GOOS) Example: linux.
        architecture (str | Unset): hardware architecture, in Go's naming (GOARCH) Example: amd64.
        ncpu (int | Unset): number of logical CPUs the daemon may use Example: 4.
        mem_total (int | Unset): physical memory of the host, in bytes Example: 2095882240.
        index_server_address (str | Unset): index server used for search and as the default for logins Example:
            https://index.docker.io/v1/.
        default_registry (str | Unset): registry used for image names without a registry part Example:
            registry.hub.docker.com.
        registry_config (None | RegistryServiceConfigType0 | Unset): The daemon's registry settings.
        http_proxy (str | Unset): proxy the daemon uses to pull images (set by `--image-proxy` or /daemon/update)
            Example: http://proxy.example.com:8080.
        https_proxy (str | Unset): HTTPS proxy of the daemon, from its environment Example:
            https://proxy.example.com:4443.
        name (str | Unset): host name Example: node5.example.com.
        labels (list[str] | Unset): the daemon's labels, `key=value` Example: ['storage=ssd', 'zone=hangzhou'].
        experimental_build (bool | Unset): whether experimental features are on Example: False.
        server_version (str | Unset): release of the daemon (same as /version's Version) Example: 1.0.0.
        runtimes (SystemInfoRuntimes | Unset): OCI runtimes configured on the daemon, by name Example: {'runc': {'path':
            'pouch-runc'}}.
        default_runtime (str | Unset): runtime used when a container names none Default: 'runc'. Example: runc.
        live_restore_enabled (bool | Unset): whether containers keep running while the daemon is down Default: False.
            Example: False.
        lxcfs_enabled (bool | Unset): whether lxcfs is enabled Default: False. Example: False.
        cri_enabled (bool | Unset): whether the CRI service is enabled Default: False. Example: False.
        containerd_commit (Commit | Unset): Source revision an external tool was built from, and the one expected.
        runc_commit (Commit | Unset): Source revision an external tool was built from, and the one expected.
        security_options (list[str] | Unset): security features the host offers, e.g. `name=seccomp,profile=default`
            Example: ['name=seccomp', 'profile=default'].
        listen_addresses (list[str] | Unset): addresses the daemon listens on Example: ['unix:///var/run/pouchd.sock',
            'tcp://127.0.0.1:4243'].
    """

    id: str | Unset = UNSET
    containers: int | Unset = UNSET
    containers_running: int | Unset = UNSET
    containers_paused: int | Unset = UNSET
    containers_stopped: int | Unset = UNSET
    images: int | Unset = UNSET
    driver: str | Unset = UNSET
    driver_status: list[list[str]] | Unset = UNSET
    pouch_root_dir: str | Unset = UNSET
    docker_root_dir: str | Unset = UNSET
    debug: bool | Unset = UNSET
    logging_driver: str | Unset = UNSET
    volume_drivers: list[str] | Unset = UNSET
    cgroup_driver: SystemInfoCgroupDriver | Unset = "cgroupfs"
    kernel_version: str | Unset = UNSET
    operating_system: str | Unset = UNSET
    os_type: str | Unset = UNSET
    architecture: str | Unset = UNSET
    ncpu: int | Unset = UNSET
    mem_total: int | Unset = UNSET
    index_server_address: str | Unset = UNSET
    default_registry: str | Unset = UNSET
    registry_config: None | RegistryServiceConfigType0 | Unset = UNSET
    http_proxy: str | Unset = UNSET
    https_proxy: str | Unset = UNSET
    name: str | Unset = UNSET
    labels: list[str] | Unset = UNSET
    experimental_build: bool | Unset = UNSET
    server_version: str | Unset = UNSET
    runtimes: SystemInfoRuntimes | Unset = UNSET
    default_runtime: str | Unset = "runc"
    live_restore_enabled: bool | Unset = False
    lxcfs_enabled: bool | Unset = False
    cri_enabled: bool | Unset = False
    containerd_commit: Commit | Unset = UNSET
    runc_commit: Commit | Unset = UNSET
    security_options: list[str] | Unset = UNSET
    listen_addresses: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.registry_service_config_type_0 import RegistryServiceConfigType0

        id = self.id

        containers = self.containers

        containers_running = self.containers_running

        containers_paused = self.containers_paused

        containers_stopped = self.containers_stopped

        images = self.images

        driver = self.driver

        driver_status: list[list[str]] | Unset = UNSET
        if not isinstance(self.driver_status, Unset):
            driver_status = []
            for driver_status_item_data in self.driver_status:
                driver_status_item = driver_status_item_data

                driver_status.append(driver_status_item)

        pouch_root_dir = self.pouch_root_dir

        docker_root_dir = self.docker_root_dir

        debug = self.debug

        logging_driver = self.logging_driver

        volume_drivers: list[str] | Unset = UNSET
        if not isinstance(self.volume_drivers, Unset):
            volume_drivers = self.volume_drivers

        cgroup_driver: str | Unset = UNSET
        if not isinstance(self.cgroup_driver, Unset):
            cgroup_driver = self.cgroup_driver

        kernel_version = self.kernel_version

        operating_system = self.operating_system

        os_type = self.os_type

        architecture = self.architecture

        ncpu = self.ncpu

        mem_total = self.mem_total

        index_server_address = self.index_server_address

        default_registry = self.default_registry

        registry_config: dict[str, Any] | None | Unset
        if isinstance(self.registry_config, Unset):
            registry_config = UNSET
        elif isinstance(self.registry_config, RegistryServiceConfigType0):
            registry_config = self.registry_config.to_dict()
        else:
            registry_config = self.registry_config

        http_proxy = self.http_proxy

        https_proxy = self.https_proxy

        name = self.name

        labels: list[str] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels

        experimental_build = self.experimental_build

        server_version = self.server_version

        runtimes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.runtimes, Unset):
            runtimes = self.runtimes.to_dict()

        default_runtime = self.default_runtime

        live_restore_enabled = self.live_restore_enabled

        lxcfs_enabled = self.lxcfs_enabled

        cri_enabled = self.cri_enabled

        containerd_commit: dict[str, Any] | Unset = UNSET
        if not isinstance(self.containerd_commit, Unset):
            containerd_commit = self.containerd_commit.to_dict()

        runc_commit: dict[str, Any] | Unset = UNSET
        if not isinstance(self.runc_commit, Unset):
            runc_commit = self.runc_commit.to_dict()

        security_options: list[str] | Unset = UNSET
        if not isinstance(self.security_options, Unset):
            security_options = self.security_options

        listen_addresses: list[str] | Unset = UNSET
        if not isinstance(self.listen_addresses, Unset):
            listen_addresses = self.listen_addresses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["ID"] = id
        if containers is not UNSET:
            field_dict["Containers"] = containers
        if containers_running is not UNSET:
            field_dict["ContainersRunning"] = containers_running
        if containers_paused is not UNSET:
            field_dict["ContainersPaused"] = containers_paused
        if containers_stopped is not UNSET:
            field_dict["ContainersStopped"] = containers_stopped
        if images is not UNSET:
            field_dict["Images"] = images
        if driver is not UNSET:
            field_dict["Driver"] = driver
        if driver_status is not UNSET:
            field_dict["DriverStatus"] = driver_status
        if pouch_root_dir is not UNSET:
            field_dict["PouchRootDir"] = pouch_root_dir
        if docker_root_dir is not UNSET:
            field_dict["DockerRootDir"] = docker_root_dir
        if debug is not UNSET:
            field_dict["Debug"] = debug
        if logging_driver is not UNSET:
            field_dict["LoggingDriver"] = logging_driver
        if volume_drivers is not UNSET:
            field_dict["VolumeDrivers"] = volume_drivers
        if cgroup_driver is not UNSET:
            field_dict["CgroupDriver"] = cgroup_driver
        if kernel_version is not UNSET:
            field_dict["KernelVersion"] = kernel_version
        if operating_system is not UNSET:
            field_dict["OperatingSystem"] = operating_system
        if os_type is not UNSET:
            field_dict["OSType"] = os_type
        if architecture is not UNSET:
            field_dict["Architecture"] = architecture
        if ncpu is not UNSET:
            field_dict["NCPU"] = ncpu
        if mem_total is not UNSET:
            field_dict["MemTotal"] = mem_total
        if index_server_address is not UNSET:
            field_dict["IndexServerAddress"] = index_server_address
        if default_registry is not UNSET:
            field_dict["DefaultRegistry"] = default_registry
        if registry_config is not UNSET:
            field_dict["RegistryConfig"] = registry_config
        if http_proxy is not UNSET:
            field_dict["HttpProxy"] = http_proxy
        if https_proxy is not UNSET:
            field_dict["HttpsProxy"] = https_proxy
        if name is not UNSET:
            field_dict["Name"] = name
        if labels is not UNSET:
            field_dict["Labels"] = labels
        if experimental_build is not UNSET:
            field_dict["ExperimentalBuild"] = experimental_build
        if server_version is not UNSET:
            field_dict["ServerVersion"] = server_version
        if runtimes is not UNSET:
            field_dict["Runtimes"] = runtimes
        if default_runtime is not UNSET:
            field_dict["DefaultRuntime"] = default_runtime
        if live_restore_enabled is not UNSET:
            field_dict["LiveRestoreEnabled"] = live_restore_enabled
        if lxcfs_enabled is not UNSET:
            field_dict["LxcfsEnabled"] = lxcfs_enabled
        if cri_enabled is not UNSET:
            field_dict["CriEnabled"] = cri_enabled
        if containerd_commit is not UNSET:
            field_dict["ContainerdCommit"] = containerd_commit
        if runc_commit is not UNSET:
            field_dict["RuncCommit"] = runc_commit
        if security_options is not UNSET:
            field_dict["SecurityOptions"] = security_options
        if listen_addresses is not UNSET:
            field_dict["ListenAddresses"] = listen_addresses

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.commit import Commit
        from ..models.registry_service_config_type_0 import RegistryServiceConfigType0
        from ..models.system_info_runtimes import SystemInfoRuntimes

        d = dict(src_dict)
        id = d.pop("ID", UNSET)

        containers = d.pop("Containers", UNSET)

        containers_running = d.pop("ContainersRunning", UNSET)

        containers_paused = d.pop("ContainersPaused", UNSET)

        containers_stopped = d.pop("ContainersStopped", UNSET)

        images = d.pop("Images", UNSET)

        driver = d.pop("Driver", UNSET)

        _driver_status = d.pop("DriverStatus", UNSET)
        driver_status: list[list[str]] | Unset = UNSET
        if _driver_status is not UNSET:
            driver_status = []
            for driver_status_item_data in _driver_status:
                driver_status_item = cast(list[str], driver_status_item_data)

                driver_status.append(driver_status_item)

        pouch_root_dir = d.pop("PouchRootDir", UNSET)

        docker_root_dir = d.pop("DockerRootDir", UNSET)

        debug = d.pop("Debug", UNSET)

        logging_driver = d.pop("LoggingDriver", UNSET)

        volume_drivers = cast(list[str], d.pop("VolumeDrivers", UNSET))

        _cgroup_driver = d.pop("CgroupDriver", UNSET)
        cgroup_driver: SystemInfoCgroupDriver | Unset
        if isinstance(_cgroup_driver, Unset):
            cgroup_driver = UNSET
        else:
            cgroup_driver = check_system_info_cgroup_driver(_cgroup_driver)

        kernel_version = d.pop("KernelVersion", UNSET)

        operating_system = d.pop("OperatingSystem", UNSET)

        os_type = d.pop("OSType", UNSET)

        architecture = d.pop("Architecture", UNSET)

        ncpu = d.pop("NCPU", UNSET)

        mem_total = d.pop("MemTotal", UNSET)

        index_server_address = d.pop("IndexServerAddress", UNSET)

        default_registry = d.pop("DefaultRegistry", UNSET)

        def _parse_registry_config(
            data: object,
        ) -> None | RegistryServiceConfigType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_registry_service_config_type_0 = (
                    RegistryServiceConfigType0.from_dict(data)
                )

                return componentsschemas_registry_service_config_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RegistryServiceConfigType0 | Unset, data)

        registry_config = _parse_registry_config(d.pop("RegistryConfig", UNSET))

        http_proxy = d.pop("HttpProxy", UNSET)

        https_proxy = d.pop("HttpsProxy", UNSET)

        name = d.pop("Name", UNSET)

        labels = cast(list[str], d.pop("Labels", UNSET))

        experimental_build = d.pop("ExperimentalBuild", UNSET)

        server_version = d.pop("ServerVersion", UNSET)

        _runtimes = d.pop("Runtimes", UNSET)
        runtimes: SystemInfoRuntimes | Unset
        if isinstance(_runtimes, Unset):
            runtimes = UNSET
        else:
            runtimes = SystemInfoRuntimes.from_dict(_runtimes)

        default_runtime = d.pop("DefaultRuntime", UNSET)

        live_restore_enabled = d.pop("LiveRestoreEnabled", UNSET)

        lxcfs_enabled = d.pop("LxcfsEnabled", UNSET)

        cri_enabled = d.pop("CriEnabled", UNSET)

        _containerd_commit = d.pop("ContainerdCommit", UNSET)
        containerd_commit: Commit | Unset
        if isinstance(_containerd_commit, Unset):
            containerd_commit = UNSET
        else:
            containerd_commit = Commit.from_dict(_containerd_commit)

        _runc_commit = d.pop("RuncCommit", UNSET)
        runc_commit: Commit | Unset
        if isinstance(_runc_commit, Unset):
            runc_commit = UNSET
        else:
            runc_commit = Commit.from_dict(_runc_commit)

        security_options = cast(list[str], d.pop("SecurityOptions", UNSET))

        listen_addresses = cast(list[str], d.pop("ListenAddresses", UNSET))

        system_info = cls(
            id=id,
            containers=containers,
            containers_running=containers_running,
            containers_paused=containers_paused,
            containers_stopped=containers_stopped,
            images=images,
            driver=driver,
            driver_status=driver_status,
            pouch_root_dir=pouch_root_dir,
            docker_root_dir=docker_root_dir,
            debug=debug,
            logging_driver=logging_driver,
            volume_drivers=volume_drivers,
            cgroup_driver=cgroup_driver,
            kernel_version=kernel_version,
            operating_system=operating_system,
            os_type=os_type,
            architecture=architecture,
            ncpu=ncpu,
            mem_total=mem_total,
            index_server_address=index_server_address,
            default_registry=default_registry,
            registry_config=registry_config,
            http_proxy=http_proxy,
            https_proxy=https_proxy,
            name=name,
            labels=labels,
            experimental_build=experimental_build,
            server_version=server_version,
            runtimes=runtimes,
            default_runtime=default_runtime,
            live_restore_enabled=live_restore_enabled,
            lxcfs_enabled=lxcfs_enabled,
            cri_enabled=cri_enabled,
            containerd_commit=containerd_commit,
            runc_commit=runc_commit,
            security_options=security_options,
            listen_addresses=listen_addresses,
        )

        system_info.additional_properties = d
        return system_info

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
