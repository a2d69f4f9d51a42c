from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="CPUUsage")


@_dataclass(slots=True)
class CPUUsage:
    """CPU time a container used since it started.

    Attributes:
        total_usage (int | Unset): in all, nanoseconds
        percpu_usage (list[int] | Unset): per CPU, nanoseconds
        usage_in_kernelmode (int | Unset): in kernel mode, nanoseconds
        usage_in_usermode (int | Unset): in user mode, nanoseconds
    """

    total_usage: int | Unset = UNSET
    percpu_usage: list[int] | Unset = UNSET
    usage_in_kernelmode: int | Unset = UNSET
    usage_in_usermode: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_usage = self.total_usage

        percpu_usage: list[int] | Unset = UNSET
        if not isinstance(self.percpu_usage, Unset):
            percpu_usage = self.percpu_usage

        usage_in_kernelmode = self.usage_in_kernelmode

        usage_in_usermode = self.usage_in_usermode

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if total_usage is not UNSET:
            field_dict["total_usage"] = total_usage
        if percpu_usage is not UNSET:
            field_dict["percpu_usage"] = percpu_usage
        if usage_in_kernelmode is not UNSET:
            field_dict["usage_in_kernelmode"] = usage_in_kernelmode
        if usage_in_usermode is not UNSET:
            field_dict["usage_in_usermode"] = usage_in_usermode

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        total_usage = d.pop("total_usage", UNSET)

        percpu_usage = cast(list[int], d.pop("percpu_usage", UNSET))

        usage_in_kernelmode = d.pop("usage_in_kernelmode", UNSET)

        usage_in_usermode = d.pop("usage_in_usermode", UNSET)

        cpu_usage = cls(
            total_usage=total_usage,
            percpu_usage=percpu_usage,
            usage_in_kernelmode=usage_in_kernelmode,
            usage_in_usermode=usage_in_usermode,
        )

        cpu_usage.additional_properties = d
        return cpu_usage

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
