from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="NetworkStats")


@_dataclass(slots=True)
class NetworkStats:
    """Traffic on one network interface.

    Attributes:
        rx_bytes (int | Unset): bytes received
        rx_packets (int | Unset): packets received
        rx_errors (int | Unset): receive errors
        rx_dropped (int | Unset): incoming packets dropped
        tx_bytes (int | Unset): bytes sent
        tx_packets (int | Unset): packets sent
        tx_errors (int | Unset): send errors
        tx_dropped (int | Unset): outgoing packets dropped
        endpoint_id (str | Unset): the endpoint
        instance_id (str | Unset): the instance
    """

    rx_bytes: int | Unset = UNSET
    rx_packets: int | Unset = UNSET
    rx_errors: int | Unset = UNSET
    rx_dropped: int | Unset = UNSET
    tx_bytes: int | Unset = UNSET
    tx_packets: int | Unset = UNSET
    tx_errors: int | Unset = UNSET
    tx_dropped: int | Unset = UNSET
    endpoint_id: str | Unset = UNSET
    instance_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rx_bytes = self.rx_bytes

        rx_packets = self.rx_packets

        rx_errors = self.rx_errors

        rx_dropped = self.rx_dropped

        tx_bytes = self.tx_bytes

        tx_packets = self.tx_packets

        tx_errors = self.tx_errors

        tx_dropped = self.tx_dropped

        endpoint_id = self.endpoint_id

        instance_id = self.instance_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if rx_bytes is not UNSET:
            field_dict["rx_bytes"] = rx_bytes
        if rx_packets is not UNSET:
            field_dict["rx_packets"] = rx_packets
        if rx_errors is not UNSET:
            field_dict["rx_errors"] = rx_errors
        if rx_dropped is not UNSET:
            field_dict["rx_dropped"] = rx_dropped
        if tx_bytes is not UNSET:
            field_dict["tx_bytes"] = tx_bytes
        if tx_packets is not UNSET:
            field_dict["tx_packets"] = tx_packets
        if tx_errors is not UNSET:
            field_dict["tx_errors"] = tx_errors
        if tx_dropped is not UNSET:
            field_dict["tx_dropped"] = tx_dropped
        if endpoint_id is not UNSET:
            field_dict["endpoint_id"] = endpoint_id
        if instance_id is not UNSET:
            field_dict["instance_id"] = instance_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rx_bytes = d.pop("rx_bytes", UNSET)

        rx_packets = d.pop("rx_packets", UNSET)

        rx_errors = d.pop("rx_errors", UNSET)

        rx_dropped = d.pop("rx_dropped", UNSET)

        tx_bytes = d.pop("tx_bytes", UNSET)

        tx_packets = d.pop("tx_packets", UNSET)

        tx_errors = d.pop("tx_errors", UNSET)

        tx_dropped = d.pop("tx_dropped", UNSET)

        endpoint_id = d.pop("endpoint_id", UNSET)

        instance_id = d.pop("instance_id", UNSET)

        network_stats = cls(
            rx_bytes=rx_bytes,
            rx_packets=rx_packets,
            rx_errors=rx_errors,
            rx_dropped=rx_dropped,
            tx_bytes=tx_bytes,
            tx_packets=tx_packets,
            tx_errors=tx_errors,
            tx_dropped=tx_dropped,
            endpoint_id=endpoint_id,
            instance_id=instance_id,
        )

        network_stats.additional_properties = d
        return network_stats

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
