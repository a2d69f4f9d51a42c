from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecCreateResp")


@_dataclass(slots=True)
class ExecCreateResp:
    """What an exec's creation answers.

    Attributes:
        id (str | Unset): the exec's ID
    """

    id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("Id", UNSET)

        exec_create_resp = cls(
            id=id,
        )

        exec_create_resp.additional_properties = d
        return exec_create_resp

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
