from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

if TYPE_CHECKING:
    from ..models.endpoint_settings import EndpointSettings


T = TypeVar("T", bound="NetworkSettingsNetworks")


@_dataclass(slots=True)
class NetworkSettingsNetworks:
    """the container's endpoint on each network, by network name"""

    additional_properties: dict[str, EndpointSettings] = _field(
        init=False, default_factory=dict
    )

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.endpoint_settings import EndpointSettings

        d = dict(src_dict)
        network_settings_networks = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = EndpointSettings.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        network_settings_networks.additional_properties = additional_properties
        return network_settings_networks

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> EndpointSettings:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: EndpointSettings) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
