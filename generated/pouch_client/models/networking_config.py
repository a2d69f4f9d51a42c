from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="NetworkingConfig")


@_dataclass(slots=True)
class NetworkingConfig:
    """The networks a container is connected to when made.

    Attributes:
        endpoints_config (Any | Unset): settings of each network, by network name
    """

    endpoints_config: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        endpoints_config = self.endpoints_config

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if endpoints_config is not UNSET:
            field_dict["EndpointsConfig"] = endpoints_config

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        endpoints_config = d.pop("EndpointsConfig", UNSET)

        networking_config = cls(
            endpoints_config=endpoints_config,
        )

        networking_config.additional_properties = d
        return networking_config

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
