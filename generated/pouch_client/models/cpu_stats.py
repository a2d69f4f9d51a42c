from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cpu_usage import CPUUsage
    from ..models.throttling_data import ThrottlingData


T = TypeVar("T", bound="CPUStats")


@_dataclass(slots=True)
class CPUStats:
    """A container's CPU usage.

    Attributes:
        cpu_usage (CPUUsage | Unset): CPU time a container used since it started.
        syetem_cpu_usage (int | Unset): the host's CPU time (pouch's spelling)
        system_cpu_usage (int | Unset): the host's CPU time, under Docker's name, which its clients read (an addition to
            pouch's contract)
        online_cpus (int | Unset): CPUs online
        throttling_data (ThrottlingData | Unset): How much a container's CPU use was throttled.
    """

    cpu_usage: CPUUsage | Unset = UNSET
    syetem_cpu_usage: int | Unset = UNSET
    system_cpu_usage: int | Unset = UNSET
    online_cpus: int | Unset = UNSET
    throttling_data: ThrottlingData | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cpu_usage: dict[str, Any] | Unset = UNSET
        if not isinstance(self.cpu_usage, Unset):
            cpu_usage = self.cpu_usage.to_dict()

        syetem_cpu_usage = self.syetem_cpu_usage

        system_cpu_usage = self.system_cpu_usage

        online_cpus = self.online_cpus

        throttling_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.throttling_data, Unset):
            throttling_data = self.throttling_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if cpu_usage is not UNSET:
            field_dict["cpu_usage"] = cpu_usage
        if syetem_cpu_usage is not UNSET:
            field_dict["syetem_cpu_usage"] = syetem_cpu_usage
        if system_cpu_usage is not UNSET:
            field_dict["system_cpu_usage"] = system_cpu_usage
        if online_cpus is not UNSET:
            field_dict["online_cpus"] = online_cpus
        if throttling_data is not UNSET:
            field_dict["throttling_data"] = throttling_data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.cpu_usage import CPUUsage
        from ..models.throttling_data import ThrottlingData

        d = dict(src_dict)
        _cpu_usage = d.pop("cpu_usage", UNSET)
        cpu_usage: CPUUsage | Unset
        if isinstance(_cpu_usage, Unset):
            cpu_usage = UNSET
        else:
            cpu_usage = CPUUsage.from_dict(_cpu_usage)

        syetem_cpu_usage = d.pop("syetem_cpu_usage", UNSET)

        system_cpu_usage = d.pop("system_cpu_usage", UNSET)

        online_cpus = d.pop("online_cpus", UNSET)

        _throttling_data = d.pop("throttling_data", UNSET)
        throttling_data: ThrottlingData | Unset
        if isinstance(_throttling_data, Unset):
            throttling_data = UNSET
        else:
            throttling_data = ThrottlingData.from_dict(_throttling_data)

        cpu_stats = cls(
            cpu_usage=cpu_usage,
            syetem_cpu_usage=syetem_cpu_usage,
            system_cpu_usage=system_cpu_usage,
            online_cpus=online_cpus,
            throttling_data=throttling_data,
        )

        cpu_stats.additional_properties = d
        return cpu_stats

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
