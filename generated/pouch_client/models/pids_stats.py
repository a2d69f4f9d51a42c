from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="PidsStats")


@_dataclass(slots=True)
class PidsStats:
    """A container's process counts.

    Attributes:
        current (int | Unset): processes now
        limit (int | Unset): the most it may have (0: no limit)
    """

    current: int | Unset = UNSET
    limit: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        current = self.current

        limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if current is not UNSET:
            field_dict["current"] = current
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        current = d.pop("current", UNSET)

        limit = d.pop("limit", UNSET)

        pids_stats = cls(
            current=current,
            limit=limit,
        )

        pids_stats.additional_properties = d
        return pids_stats

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
