from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.container_labels import ContainerLabels
    from ..models.container_network_settings import ContainerNetworkSettings
    from ..models.host_config import HostConfig
    from ..models.mount_point import MountPoint


T = TypeVar("T", bound="Container")


@_dataclass(slots=True)
class Container:
    """A container as listed: its names, image, command, state and configuration in brief.

    Attributes:
        id (str | Unset): the container's ID
        names (list[str] | Unset): the container's names (stored without a leading `/`) Example: ['container_1',
            'container_2'].
        image (str | Unset): the image as the configuration names it
        image_id (str | Unset): the image's ID
        command (str | Unset): the command, its arguments joined by spaces
        created (int | Unset): when the container was made, in seconds since the Unix epoch
        size_rw (int | Unset): size of the files the container changed, in bytes
        size_root_fs (int | Unset): size of the container's root filesystem, in bytes
        labels (ContainerLabels | Unset): the container's labels
        state (str | Unset): the container's status
        status (str | Unset): the status in words, e.g. `Up 5 seconds` or `Exited (0) 2 minutes`
        host_config (HostConfig | Unset): The part of a container's configuration that depends on the host: mounts,
            networking, namespaces, privileges, runtime, and (from `Resources`) cgroup limits.
        mounts (list[MountPoint] | Unset): the container's mounts
        network_settings (ContainerNetworkSettings | Unset): the networks the container is on
    """

    id: str | Unset = UNSET
    names: list[str] | Unset = UNSET
    image: str | Unset = UNSET
    image_id: str | Unset = UNSET
    command: str | Unset = UNSET
    created: int | Unset = UNSET
    size_rw: int | Unset = UNSET
    size_root_fs: int | Unset = UNSET
    labels: ContainerLabels | Unset = UNSET
    state: str | Unset = UNSET
    status: str | Unset = UNSET
    host_config: HostConfig | Unset = UNSET
    mounts: list[MountPoint] | Unset = UNSET
    network_settings: ContainerNetworkSettings | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        names: list[str] | Unset = UNSET
        if not isinstance(self.names, Unset):
            names = self.names

        image = self.image

        image_id = self.image_id

        command = self.command

        created = self.created

        size_rw = self.size_rw

        size_root_fs = self.size_root_fs

        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        state = self.state

        status = self.status

        host_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.host_config, Unset):
            host_config = self.host_config.to_dict()

        mounts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.mounts, Unset):
            mounts = []
            for mounts_item_data in self.mounts:
                mounts_item = mounts_item_data.to_dict()
                mounts.append(mounts_item)

        network_settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.network_settings, Unset):
            network_settings = self.network_settings.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id
        if names is not UNSET:
            field_dict["Names"] = names
        if image is not UNSET:
            field_dict["Image"] = image
        if image_id is not UNSET:
            field_dict["ImageID"] = image_id
        if command is not UNSET:
            field_dict["Command"] = command
        if created is not UNSET:
            field_dict["Created"] = created
        if size_rw is not UNSET:
            field_dict["SizeRw"] = size_rw
        if size_root_fs is not UNSET:
            field_dict["SizeRootFs"] = size_root_fs
        if labels is not UNSET:
            field_dict["Labels"] = labels
        if state is not UNSET:
            field_dict["State"] = state
        if status is not UNSET:
            field_dict["Status"] = status
        if host_config is not UNSET:
            field_dict["HostConfig"] = host_config
        if mounts is not UNSET:
            field_dict["Mounts"] = mounts
        if network_settings is not UNSET:
            field_dict["NetworkSettings"] = network_settings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.container_labels import ContainerLabels
        from ..models.container_network_settings import ContainerNetworkSettings
        from ..models.host_config import HostConfig
        from ..models.mount_point import MountPoint

        d = dict(src_dict)
        id = d.pop("Id", UNSET)

        names = cast(list[str], d.pop("Names", UNSET))

        image = d.pop("Image", UNSET)

        image_id = d.pop("ImageID", UNSET)

        command = d.pop("Command", UNSET)

        created = d.pop("Created", UNSET)

        size_rw = d.pop("SizeRw", UNSET)

        size_root_fs = d.pop("SizeRootFs", UNSET)

        _labels = d.pop("Labels", UNSET)
        labels: ContainerLabels | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = ContainerLabels.from_dict(_labels)

        state = d.pop("State", UNSET)

        status = d.pop("Status", UNSET)

        _host_config = d.pop("HostConfig", UNSET)
        host_config: HostConfig | Unset
        if isinstance(_host_config, Unset):
            host_config = UNSET
        else:
            host_config = HostConfig.from_dict(_host_config)

        _mounts = d.pop("Mounts", UNSET)
        mounts: list[MountPoint] | Unset = UNSET
        if _mounts is not UNSET:
            mounts = []
            for mounts_item_data in _mounts:
                mounts_item = MountPoint.from_dict(mounts_item_data)

                mounts.append(mounts_item)

        _network_settings = d.pop("NetworkSettings", UNSET)
        network_settings: ContainerNetworkSettings | Unset
        if isinstance(_network_settings, Unset):
            network_settings = UNSET
        else:
            network_settings = ContainerNetworkSettings.from_dict(_network_settings)

        container = cls(
            id=id,
            names=names,
            image=image,
            image_id=image_id,
            command=command,
            created=created,
            size_rw=size_rw,
            size_root_fs=size_root_fs,
            labels=labels,
            state=state,
            status=status,
            host_config=host_config,
            mounts=mounts,
            network_settings=network_settings,
        )

        container.additional_properties = d
        return container

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
