from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="SearchResultItem")


@_dataclass(slots=True)
class SearchResultItem:
    """A repository found by a search.

    Attributes:
        description (str | Unset): what the repository says of itself Example: Busybox base image..
        is_official (bool | Unset): whether it is an official repository Example: True.
        is_automated (bool | Unset): whether it is built automatically Example: False.
        name (str | Unset): the repository's name Example: busybox.
        star_count (int | Unset): how many stars it has Example: 3000.
    """

    description: str | Unset = UNSET
    is_official: bool | Unset = UNSET
    is_automated: bool | Unset = UNSET
    name: str | Unset = UNSET
    star_count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        is_official = self.is_official

        is_automated = self.is_automated

        name = self.name

        star_count = self.star_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if is_official is not UNSET:
            field_dict["is_official"] = is_official
        if is_automated is not UNSET:
            field_dict["is_automated"] = is_automated
        if name is not UNSET:
            field_dict["name"] = name
        if star_count is not UNSET:
            field_dict["star_count"] = star_count

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        description = d.pop("description", UNSET)

        is_official = d.pop("is_official", UNSET)

        is_automated = d.pop("is_automated", UNSET)

        name = d.pop("name", UNSET)

        star_count = d.pop("star_count", UNSET)

        search_result_item = cls(
            description=description,
            is_official=is_official,
            is_automated=is_automated,
            name=name,
            star_count=star_count,
        )

        search_result_item.additional_properties = d
        return search_result_item

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
