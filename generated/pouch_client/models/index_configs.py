from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

if TYPE_CHECKING:
    from ..models.index_info_type_0 import IndexInfoType0


T = TypeVar("T", bound="IndexConfigs")


@_dataclass(slots=True)
class IndexConfigs:
    """Per-registry settings, keyed by registry name."""

    additional_properties: dict[str, IndexInfoType0 | None] = _field(
        init=False, default_factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        from ..models.index_info_type_0 import IndexInfoType0

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, IndexInfoType0):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.index_info_type_0 import IndexInfoType0

        d = dict(src_dict)
        index_configs = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(data: object) -> IndexInfoType0 | None:
                if data is None:
                    return data
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_index_info_type_0 = IndexInfoType0.from_dict(data)

                    return componentsschemas_index_info_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(IndexInfoType0 | None, data)

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        index_configs.additional_properties = additional_properties
        return index_configs

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> IndexInfoType0 | None:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: IndexInfoType0 | None) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
