from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.blkio_stats import BlkioStats
    from ..models.container_stats_networks import ContainerStatsNetworks
    from ..models.cpu_stats import CPUStats
    from ..models.memory_stats import MemoryStats
    from ..models.pids_stats import PidsStats


T = TypeVar("T", bound="ContainerStats")


@_dataclass(slots=True)
class ContainerStats:
    """One sample of a container's resource usage.

    Attributes:
        read (datetime.datetime | Unset): when the sample was taken
        id (str | Unset): the container's ID
        name (str | Unset): the container's name
        pids_stats (PidsStats | Unset): A container's process counts.
        networks (ContainerStatsNetworks | Unset): network usage, by interface
        memory_stats (MemoryStats | Unset): A container's memory usage.
        blkio_stats (BlkioStats | Unset): A container's block IO, per device and operation, from the cgroup's recursive
            counters.
        cpu_stats (CPUStats | Unset): A container's CPU usage.
        precpu_stats (CPUStats | Unset): A container's CPU usage.
    """

    read: datetime.datetime | Unset = UNSET
    id: str | Unset = UNSET
    name: str | Unset = UNSET
    pids_stats: PidsStats | Unset = UNSET
    networks: ContainerStatsNetworks | Unset = UNSET
    memory_stats: MemoryStats | Unset = UNSET
    blkio_stats: BlkioStats | Unset = UNSET
    cpu_stats: CPUStats | Unset = UNSET
    precpu_stats: CPUStats | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        read: str | Unset = UNSET
        if not isinstance(self.read, Unset):
            read = self.read.isoformat()

        id = self.id

        name = self.name

        pids_stats: dict[str, Any] | Unset = UNSET
        if not isinstance(self.pids_stats, Unset):
            pids_stats = self.pids_stats.to_dict()

        networks: dict[str, Any] | Unset = UNSET
        if not isinstance(self.networks, Unset):
            networks = self.networks.to_dict()

        memory_stats: dict[str, Any] | Unset = UNSET
        if not isinstance(self.memory_stats, Unset):
            memory_stats = self.memory_stats.to_dict()

        blkio_stats: dict[str, Any] | Unset = UNSET
        if not isinstance(self.blkio_stats, Unset):
            blkio_stats = self.blkio_stats.to_dict()

        cpu_stats: dict[str, Any] | Unset = UNSET
        if not isinstance(self.cpu_stats, Unset):
            cpu_stats = self.cpu_stats.to_dict()

        precpu_stats: dict[str, Any] | Unset = UNSET
        if not isinstance(self.precpu_stats, Unset):
            precpu_stats = self.precpu_stats.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if read is not UNSET:
            field_dict["read"] = read
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name
        if pids_stats is not UNSET:
            field_dict["pids_stats"] = pids_stats
        if networks is not UNSET:
            field_dict["networks"] = networks
        if memory_stats is not UNSET:
            field_dict["memory_stats"] = memory_stats
        if blkio_stats is not UNSET:
            field_dict["blkio_stats"] = blkio_stats
        if cpu_stats is not UNSET:
            field_dict["cpu_stats"] = cpu_stats
        if precpu_stats is not UNSET:
            field_dict["precpu_stats"] = precpu_stats

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.blkio_stats import BlkioStats
        from ..models.container_stats_networks import ContainerStatsNetworks
        from ..models.cpu_stats import CPUStats
        from ..models.memory_stats import MemoryStats
        from ..models.pids_stats import PidsStats

        d = dict(src_dict)
        _read = d.pop("read", UNSET)
        read: datetime.datetime | Unset
        if isinstance(_read, Unset):
            read = UNSET
        else:
            read = datetime.datetime.fromisoformat(_read)

        id = d.pop("id", UNSET)

        name = d.pop("name", UNSET)

        _pids_stats = d.pop("pids_stats", UNSET)
        pids_stats: PidsStats | Unset
        if isinstance(_pids_stats, Unset):
            pids_stats = UNSET
        else:
            pids_stats = PidsStats.from_dict(_pids_stats)

        _networks = d.pop("networks", UNSET)
        networks: ContainerStatsNetworks | Unset
        if isinstance(_networks, Unset):
            networks = UNSET
        else:
            networks = ContainerStatsNetworks.from_dict(_networks)

        _memory_stats = d.pop("memory_stats", UNSET)
        memory_stats: MemoryStats | Unset
        if isinstance(_memory_stats, Unset):
            memory_stats = UNSET
        else:
            memory_stats = MemoryStats.from_dict(_memory_stats)

        _blkio_stats = d.pop("blkio_stats", UNSET)
        blkio_stats: BlkioStats | Unset
        if isinstance(_blkio_stats, Unset):
            blkio_stats = UNSET
        else:
            blkio_stats = BlkioStats.from_dict(_blkio_stats)

        _cpu_stats = d.pop("cpu_stats", UNSET)
        cpu_stats: CPUStats | Unset
        if isinstance(_cpu_stats, Unset):
            cpu_stats = UNSET
        else:
            cpu_stats = CPUStats.from_dict(_cpu_stats)

        _precpu_stats = d.pop("precpu_stats", UNSET)
        precpu_stats: CPUStats | Unset
        if isinstance(_precpu_stats, Unset):
            precpu_stats = UNSET
        else:
            precpu_stats = CPUStats.from_dict(_precpu_stats)

        container_stats = cls(
            read=read,
            id=id,
            name=name,
            pids_stats=pids_stats,
            networks=networks,
            memory_stats=memory_stats,
            blkio_stats=blkio_stats,
            cpu_stats=cpu_stats,
            precpu_stats=precpu_stats,
        )

        container_stats.additional_properties = d
        return container_stats

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
