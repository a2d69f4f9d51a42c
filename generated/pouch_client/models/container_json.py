from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.container_config import ContainerConfig
    from ..models.container_state import ContainerState
    from ..models.graph_driver_data import GraphDriverData
    from ..models.host_config import HostConfig
    from ..models.mount_point import MountPoint
    from ..models.network_settings import NetworkSettings
    from ..models.snapshotter_data import SnapshotterData


T = TypeVar("T", bound="ContainerJSON")


@_dataclass(slots=True)
class ContainerJSON:
    """Everything known about a container: its configuration, state, storage, mounts and network.

    Attributes:
        id (str | Unset): the container's ID
        created (str | Unset): when it was made, RFC 3339 with nanoseconds
        path (str | Unset): the program (not set by pouch)
        args (list[str] | None | Unset): the program's arguments (`null`, as pouch sends it)
        state (ContainerState | Unset): A container's state. The flags follow from `Status`: a paused container is
            `Running` and `Paused`.
        image (str | Unset): the image's ID
        resolv_conf_path (str | Unset): the container's resolv.conf on the host
        hostname_path (str | Unset): its hostname file on the host
        hosts_path (str | Unset): its hosts file on the host
        log_path (str | Unset): its log file on the host
        name (str | Unset): its name (without a leading `/`)
        restart_count (int | Unset): how many times it was restarted
        driver (str | Unset): the storage driver
        mount_label (str | Unset): the SELinux label of its mounts
        process_label (str | Unset): the SELinux label of its process
        app_armor_profile (str | Unset): its AppArmor profile
        exec_i_ds (list[str] | None | Unset): the IDs of its execs (`null` when it has none)
        host_config (HostConfig | Unset): The part of a container's configuration that depends on the host: mounts,
            networking, namespaces, privileges, runtime, and (from `Resources`) cgroup limits.
        size_rw (int | None | Unset): size of the files it changed, in bytes
        size_root_fs (int | None | Unset): size of its root filesystem, in bytes
        config (ContainerConfig | Unset): The configuration of a container that does not depend on the host it runs on.
            In an image, the part its configuration sets (user, environment, entry point, command, working directory,
            labels, stop signal, volumes); a list the image leaves unset (`Cmd`, `Entrypoint`, `Env`, `OnBuild`, `Shell`) is
            `null`, as in pouch's answers.
        snapshotter (SnapshotterData | Unset): The snapshot a container's root filesystem is.
        graph_driver (GraphDriverData | Unset): A container's storage, under Docker's name (the same as
            `SnapshotterData`).
        mounts (list[MountPoint] | Unset): its mounts (never `null`)
        network_settings (NetworkSettings | Unset): A container's network: its sandbox, ports and endpoints.
        host_root_path (str | Unset): its root filesystem on the host
    """

    id: str | Unset = UNSET
    created: str | Unset = UNSET
    path: str | Unset = UNSET
    args: list[str] | None | Unset = UNSET
    state: ContainerState | Unset = UNSET
    image: str | Unset = UNSET
    resolv_conf_path: str | Unset = UNSET
    hostname_path: str | Unset = UNSET
    hosts_path: str | Unset = UNSET
    log_path: str | Unset = UNSET
    name: str | Unset = UNSET
    restart_count: int | Unset = UNSET
    driver: str | Unset = UNSET
    mount_label: str | Unset = UNSET
    process_label: str | Unset = UNSET
    app_armor_profile: str | Unset = UNSET
    exec_i_ds: list[str] | None | Unset = UNSET
    host_config: HostConfig | Unset = UNSET
    size_rw: int | None | Unset = UNSET
    size_root_fs: int | None | Unset = UNSET
    config: ContainerConfig | Unset = UNSET
    snapshotter: SnapshotterData | Unset = UNSET
    graph_driver: GraphDriverData | Unset = UNSET
    mounts: list[MountPoint] | Unset = UNSET
    network_settings: NetworkSettings | Unset = UNSET
    host_root_path: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created = self.created

        path = self.path

        args: list[str] | None | Unset
        if isinstance(self.args, Unset):
            args = UNSET
        elif isinstance(self.args, list):
            args = self.args

        else:
            args = self.args

        state: dict[str, Any] | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.to_dict()

        image = self.image

        resolv_conf_path = self.resolv_conf_path

        hostname_path = self.hostname_path

        hosts_path = self.hosts_path

        log_path = self.log_path

        name = self.name

        restart_count = self.restart_count

        driver = self.driver

        mount_label = self.mount_label

        process_label = self.process_label

        app_armor_profile = self.app_armor_profile

        exec_i_ds: list[str] | None | Unset
        if isinstance(self.exec_i_ds, Unset):
            exec_i_ds = UNSET
        elif isinstance(self.exec_i_ds, list):
            exec_i_ds = self.exec_i_ds

        else:
            exec_i_ds = self.exec_i_ds

        host_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.host_config, Unset):
            host_config = self.host_config.to_dict()

        size_rw: int | None | Unset
        if isinstance(self.size_rw, Unset):
            size_rw = UNSET
        else:
            size_rw = self.size_rw

        size_root_fs: int | None | Unset
        if isinstance(self.size_root_fs, Unset):
            size_root_fs = UNSET
        else:
            size_root_fs = self.size_root_fs

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        snapshotter: dict[str, Any] | Unset = UNSET
        if not isinstance(self.snapshotter, Unset):
            snapshotter = self.snapshotter.to_dict()

        graph_driver: dict[str, Any] | Unset = UNSET
        if not isinstance(self.graph_driver, Unset):
            graph_driver = self.graph_driver.to_dict()

        mounts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.mounts, Unset):
            mounts = []
            for mounts_item_data in self.mounts:
                mounts_item = mounts_item_data.to_dict()
                mounts.append(mounts_item)

        network_settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.network_settings, Unset):
            network_settings = self.network_settings.to_dict()

        host_root_path = self.host_root_path

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id
        if created is not UNSET:
            field_dict["Created"] = created
        if path is not UNSET:
            field_dict["Path"] = path
        if args is not UNSET:
            field_dict["Args"] = args
        if state is not UNSET:
            field_dict["State"] = state
        if image is not UNSET:
            field_dict["Image"] = image
        if resolv_conf_path is not UNSET:
            field_dict["ResolvConfPath"] = resolv_conf_path
        if hostname_path is not UNSET:
            field_dict["HostnamePath"] = hostname_path
        if hosts_path is not UNSET:
            field_dict["HostsPath"] = hosts_path
        if log_path is not UNSET:
            field_dict["LogPath"] = log_path
        if name is not UNSET:
            field_dict["Name"] = name
        if restart_count is not UNSET:
            field_dict["RestartCount"] = restart_count
        if driver is not UNSET:
            field_dict["Driver"] = driver
        if mount_label is not UNSET:
            field_dict["MountLabel"] = mount_label
        if process_label is not UNSET:
            field_dict["ProcessLabel"] = process_label
        if app_armor_profile is not UNSET:
            field_dict["AppArmorProfile"] = app_armor_profile
        if exec_i_ds is not UNSET:
            field_dict["ExecIDs"] = exec_i_ds
        if host_config is not UNSET:
            field_dict["HostConfig"] = host_config
        if size_rw is not UNSET:
            field_dict["SizeRw"] = size_rw
        if size_root_fs is not UNSET:
            field_dict["SizeRootFs"] = size_root_fs
        if config is not UNSET:
            field_dict["Config"] = config
        if snapshotter is not UNSET:
            field_dict["Snapshotter"] = snapshotter
        if graph_driver is not UNSET:
            field_dict["GraphDriver"] = graph_driver
        if mounts is not UNSET:
            field_dict["Mounts"] = mounts
        if network_settings is not UNSET:
            field_dict["NetworkSettings"] = network_settings
        if host_root_path is not UNSET:
            field_dict["HostRootPath"] = host_root_path

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.container_config import ContainerConfig
        from ..models.container_state import ContainerState
        from ..models.graph_driver_data import GraphDriverData
        from ..models.host_config import HostConfig
        from ..models.mount_point import MountPoint
        from ..models.network_settings import NetworkSettings
        from ..models.snapshotter_data import SnapshotterData

        d = dict(src_dict)
        id = d.pop("Id", UNSET)

        created = d.pop("Created", UNSET)

        path = d.pop("Path", UNSET)

        def _parse_args(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                args_type_0 = cast(list[str], data)

                return args_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        args = _parse_args(d.pop("Args", UNSET))

        _state = d.pop("State", UNSET)
        state: ContainerState | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = ContainerState.from_dict(_state)

        image = d.pop("Image", UNSET)

        resolv_conf_path = d.pop("ResolvConfPath", UNSET)

        hostname_path = d.pop("HostnamePath", UNSET)

        hosts_path = d.pop("HostsPath", UNSET)

        log_path = d.pop("LogPath", UNSET)

        name = d.pop("Name", UNSET)

        restart_count = d.pop("RestartCount", UNSET)

        driver = d.pop("Driver", UNSET)

        mount_label = d.pop("MountLabel", UNSET)

        process_label = d.pop("ProcessLabel", UNSET)

        app_armor_profile = d.pop("AppArmorProfile", UNSET)

        def _parse_exec_i_ds(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                exec_i_ds_type_0 = cast(list[str], data)

                return exec_i_ds_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        exec_i_ds = _parse_exec_i_ds(d.pop("ExecIDs", UNSET))

        _host_config = d.pop("HostConfig", UNSET)
        host_config: HostConfig | Unset
        if isinstance(_host_config, Unset):
            host_config = UNSET
        else:
            host_config = HostConfig.from_dict(_host_config)

        def _parse_size_rw(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size_rw = _parse_size_rw(d.pop("SizeRw", UNSET))

        def _parse_size_root_fs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        size_root_fs = _parse_size_root_fs(d.pop("SizeRootFs", UNSET))

        _config = d.pop("Config", UNSET)
        config: ContainerConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = ContainerConfig.from_dict(_config)

        _snapshotter = d.pop("Snapshotter", UNSET)
        snapshotter: SnapshotterData | Unset
        if isinstance(_snapshotter, Unset):
            snapshotter = UNSET
        else:
            snapshotter = SnapshotterData.from_dict(_snapshotter)

        _graph_driver = d.pop("GraphDriver", UNSET)
        graph_driver: GraphDriverData | Unset
        if isinstance(_graph_driver, Unset):
            graph_driver = UNSET
        else:
            graph_driver = GraphDriverData.from_dict(_graph_driver)

        _mounts = d.pop("Mounts", UNSET)
        mounts: list[MountPoint] | Unset = UNSET
        if _mounts is not UNSET:
            mounts = []
            for mounts_item_data in _mounts:
                mounts_item = MountPoint.from_dict(mounts_item_data)

                mounts.append(mounts_item)

        _network_settings = d.pop("NetworkSettings", UNSET)
        network_settings: NetworkSettings | Unset
        if isinstance(_network_settings, Unset):
            network_settings = UNSET
        else:
            network_settings = NetworkSettings.from_dict(_network_settings)

        host_root_path = d.pop("HostRootPath", UNSET)

        container_json = cls(
            id=id,
            created=created,
            path=path,
            args=args,
            state=state,
            image=image,
            resolv_conf_path=resolv_conf_path,
            hostname_path=hostname_path,
            hosts_path=hosts_path,
            log_path=log_path,
            name=name,
            restart_count=restart_count,
            driver=driver,
            mount_label=mount_label,
            process_label=process_label,
            app_armor_profile=app_armor_profile,
            exec_i_ds=exec_i_ds,
            host_config=host_config,
            size_rw=size_rw,
            size_root_fs=size_root_fs,
            config=config,
            snapshotter=snapshotter,
            graph_driver=graph_driver,
            mounts=mounts,
            network_settings=network_settings,
            host_root_path=host_root_path,
        )

        container_json.additional_properties = d
        return container_json

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
