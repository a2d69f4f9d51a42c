from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="IndexInfoType0")


@_dataclass(slots=True)
class IndexInfoType0:
    """Settings of one registry.

    Attributes:
        name (str | Unset): registry name
        mirrors (list[str] | Unset): mirrors of this registry, as URLs
        secure (bool | Unset): false when the registry is reached without TLS verification
        official (bool | Unset): whether this is the official registry
    """

    name: str | Unset = UNSET
    mirrors: list[str] | Unset = UNSET
    secure: bool | Unset = UNSET
    official: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        mirrors: list[str] | Unset = UNSET
        if not isinstance(self.mirrors, Unset):
            mirrors = self.mirrors

        secure = self.secure

        official = self.official

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["Name"] = name
        if mirrors is not UNSET:
            field_dict["Mirrors"] = mirrors
        if secure is not UNSET:
            field_dict["Secure"] = secure
        if official is not UNSET:
            field_dict["Official"] = official

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("Name", UNSET)

        mirrors = cast(list[str], d.pop("Mirrors", UNSET))

        secure = d.pop("Secure", UNSET)

        official = d.pop("Official", UNSET)

        index_info_type_0 = cls(
            name=name,
            mirrors=mirrors,
            secure=secure,
            official=official,
        )

        index_info_type_0.additional_properties = d
        return index_info_type_0

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
