from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="PortBindingType0")


@_dataclass(slots=True)
class PortBindingType0:
    """A host address and port bound to a container's port.

    Attributes:
        host_ip (str | Unset): the host address (empty: all) Example: 127.0.0.1.
        host_port (str | Unset): the host port (empty: any free one) Example: 4443.
    """

    host_ip: str | Unset = UNSET
    host_port: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        host_ip = self.host_ip

        host_port = self.host_port

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if host_ip is not UNSET:
            field_dict["HostIp"] = host_ip
        if host_port is not UNSET:
            field_dict["HostPort"] = host_port

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        host_ip = d.pop("HostIp", UNSET)

        host_port = d.pop("HostPort", UNSET)

        port_binding_type_0 = cls(
            host_ip=host_ip,
            host_port=host_port,
        )

        port_binding_type_0.additional_properties = d
        return port_binding_type_0

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
