from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="Ulimit")


@_dataclass(slots=True)
class Ulimit:
    """One resource limit.

    Attributes:
        name (str | Unset): the resource, e.g. `nofile`
        soft (int | Unset): the soft limit
        hard (int | Unset): the hard limit
    """

    name: str | Unset = UNSET
    soft: int | Unset = UNSET
    hard: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        soft = self.soft

        hard = self.hard

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["Name"] = name
        if soft is not UNSET:
            field_dict["Soft"] = soft
        if hard is not UNSET:
            field_dict["Hard"] = hard

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("Name", UNSET)

        soft = d.pop("Soft", UNSET)

        hard = d.pop("Hard", UNSET)

        ulimit = cls(
            name=name,
            soft=soft,
            hard=hard,
        )

        ulimit.additional_properties = d
        return ulimit

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
