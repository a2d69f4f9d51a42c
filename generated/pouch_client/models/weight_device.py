from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="WeightDevice")


@_dataclass(slots=True)
class WeightDevice:
    """A block IO weight for one device.

    Attributes:
        path (str | Unset): the device's path
        weight (int | Unset): the weight
    """

    path: str | Unset = UNSET
    weight: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        path = self.path

        weight = self.weight

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if path is not UNSET:
            field_dict["Path"] = path
        if weight is not UNSET:
            field_dict["Weight"] = weight

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        path = d.pop("Path", UNSET)

        weight = d.pop("Weight", UNSET)

        weight_device = cls(
            path=path,
            weight=weight,
        )

        weight_device.additional_properties = d
        return weight_device

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
