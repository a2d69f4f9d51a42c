from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

if TYPE_CHECKING:
    from ..models.graph_driver_data_data import GraphDriverDataData


T = TypeVar("T", bound="GraphDriverData")


@_dataclass(slots=True)
class GraphDriverData:
    """A container's storage, under Docker's name (the same as `SnapshotterData`).

    Attributes:
        name (str): the driver
        data (GraphDriverDataData): its directories
    """

    name: str
    data: GraphDriverDataData
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
        from ..models.graph_driver_data_data import GraphDriverDataData

        d = dict(src_dict)
        name = d.pop("Name")

        data = GraphDriverDataData.from_dict(d.pop("Data"))

        graph_driver_data = cls(
            name=name,
            data=data,
        )

        graph_driver_data.additional_properties = d
        return graph_driver_data

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
