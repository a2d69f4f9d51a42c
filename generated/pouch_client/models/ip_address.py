from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="IPAddress")


@_dataclass(slots=True)
class IPAddress:
    """An IP address and its prefix length.

    Attributes:
        addr (str | Unset): the address
        prefix_len (int | Unset): the prefix length
    """

    addr: str | Unset = UNSET
    prefix_len: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        addr = self.addr

        prefix_len = self.prefix_len

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if addr is not UNSET:
            field_dict["Addr"] = addr
        if prefix_len is not UNSET:
            field_dict["PrefixLen"] = prefix_len

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        addr = d.pop("Addr", UNSET)

        prefix_len = d.pop("PrefixLen", UNSET)

        ip_address = cls(
            addr=addr,
            prefix_len=prefix_len,
        )

        ip_address.additional_properties = d
        return ip_address

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
