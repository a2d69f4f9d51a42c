from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

if TYPE_CHECKING:
    from ..models.snapshotter_data_data import SnapshotterDataData


T = TypeVar("T", bound="SnapshotterData")


@_dataclass(slots=True)
class SnapshotterData:
    """The snapshot a container's root filesystem is.

    Attributes:
        name (str): the snapshotter
        data (SnapshotterDataData): its directories (`UpperDir`, `LowerDir`, `WorkDir`, `MergedDir`)
    """

    name: str
    data: SnapshotterDataData
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Name": name,
                "Data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.snapshotter_data_data import SnapshotterDataData

        d = dict(src_dict)
        name = d.pop("Name")

        data = SnapshotterDataData.from_dict(d.pop("Data"))

        snapshotter_data = cls(
            name=name,
            data=data,
        )

        snapshotter_data.additional_properties = d
        return snapshotter_data

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
