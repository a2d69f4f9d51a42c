from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="EndpointIPAMConfig")


@_dataclass(slots=True)
class EndpointIPAMConfig:
    """Addresses asked for an endpoint.

    Attributes:
        i_pv_4_address (str | Unset): the IPv4 address
        i_pv_6_address (str | Unset): the IPv6 address
        link_local_i_ps (list[str] | Unset): link-local addresses
    """

    i_pv_4_address: str | Unset = UNSET
    i_pv_6_address: str | Unset = UNSET
    link_local_i_ps: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        i_pv_4_address = self.i_pv_4_address

        i_pv_6_address = self.i_pv_6_address

        link_local_i_ps: list[str] | Unset = UNSET
        if not isinstance(self.link_local_i_ps, Unset):
            link_local_i_ps = self.link_local_i_ps

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if i_pv_4_address is not UNSET:
            field_dict["IPv4Address"] = i_pv_4_address
        if i_pv_6_address is not UNSET:
            field_dict["IPv6Address"] = i_pv_6_address
        if link_local_i_ps is not UNSET:
            field_dict["LinkLocalIPs"] = link_local_i_ps

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        i_pv_4_address = d.pop("IPv4Address", UNSET)

        i_pv_6_address = d.pop("IPv6Address", UNSET)

        link_local_i_ps = cast(list[str], d.pop("LinkLocalIPs", UNSET))

        endpoint_ipam_config = cls(
            i_pv_4_address=i_pv_4_address,
            i_pv_6_address=i_pv_6_address,
            link_local_i_ps=link_local_i_ps,
        )

        endpoint_ipam_config.additional_properties = d
        return endpoint_ipam_config

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
