from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="BlkioStatEntry")


@_dataclass(slots=True)
class BlkioStatEntry:
    """One block IO counter.

    Attributes:
        major (int | Unset): the device's major number
        minor (int | Unset): its minor number
        op (str | Unset): the operation, e.g. `Read`
        value (int | Unset): the count
    """

    major: int | Unset = UNSET
    minor: int | Unset = UNSET
    op: str | Unset = UNSET
    value: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        major = self.major

        minor = self.minor

        op = self.op

        value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if major is not UNSET:
            field_dict["major"] = major
        if minor is not UNSET:
            field_dict["minor"] = minor
        if op is not UNSET:
            field_dict["op"] = op
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        major = d.pop("major", UNSET)

        minor = d.pop("minor", UNSET)

        op = d.pop("op", UNSET)

        value = d.pop("value", UNSET)

        blkio_stat_entry = cls(
            major=major,
            minor=minor,
            op=op,
            value=value,
        )

        blkio_stat_entry.additional_properties = d
        return blkio_stat_entry

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
