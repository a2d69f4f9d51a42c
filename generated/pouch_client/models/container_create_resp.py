from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContainerCreateResp")


@_dataclass(slots=True)
class ContainerCreateResp:
    """What a create answers: the new container's ID and name, and warnings.

    Attributes:
        id (str): the new container's ID, 64 hexadecimal digits
        warnings (list[str]): warnings about the configuration (an empty list when there are none)
        name (str | Unset): the container's name (the one asked for, or one made from the ID)
    """

    id: str
    warnings: list[str]
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        warnings = self.warnings

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Id": id,
                "Warnings": warnings,
            }
        )
        if name is not UNSET:
            field_dict["Name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("Id")

        warnings = cast(list[str], d.pop("Warnings"))

        name = d.pop("Name", UNSET)

        container_create_resp = cls(
            id=id,
            warnings=warnings,
            name=name,
        )

        container_create_resp.additional_properties = d
        return container_create_resp

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
