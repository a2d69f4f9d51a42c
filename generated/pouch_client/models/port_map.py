from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

if TYPE_CHECKING:
    from ..models.port_binding_type_0 import PortBindingType0


T = TypeVar("T", bound="PortMap")


@_dataclass(slots=True)
class PortMap:
    """Host bindings of a container's ports, by `<port>/<protocol>` (`80/tcp`)."""

    additional_properties: dict[str, list[None | PortBindingType0]] = _field(
        init=False, default_factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        from ..models.port_binding_type_0 import PortBindingType0

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = []
            for additional_property_item_data in prop:
                additional_property_item: dict[str, Any] | None
                if isinstance(additional_property_item_data, PortBindingType0):
                    additional_property_item = additional_property_item_data.to_dict()
                else:
                    additional_property_item = additional_property_item_data
                field_dict[prop_name].append(additional_property_item)

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.port_binding_type_0 import PortBindingType0

        d = dict(src_dict)
        port_map = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = []
            _additional_property = prop_dict
            for additional_property_item_data in _additional_property:

                def _parse_additional_property_item(
                    data: object,
                ) -> None | PortBindingType0:
                    if data is None:
                        return data
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_port_binding_type_0 = (
                            PortBindingType0.from_dict(data)
                        )

                        return componentsschemas_port_binding_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    return cast(None | PortBindingType0, data)

                additional_property_item = _parse_additional_property_item(
                    additional_property_item_data
                )

                additional_property.append(additional_property_item)

            additional_properties[prop_name] = additional_property

        port_map.additional_properties = additional_properties
        return port_map

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> list[None | PortBindingType0]:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: list[None | PortBindingType0]) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
