from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="NvidiaConfig")


@_dataclass(slots=True)
class NvidiaConfig:
    """NVIDIA GPUs and driver features made available to a container.

    Attributes:
        nvidia_visible_devices (str | Unset): GPUs visible: indexes or UUIDs separated by commas, `all` or `none`
        nvidia_driver_capabilities (str | Unset): driver features mounted: `compute`, `video`, `graphics`, `utility`...
            separated by commas, or `all`
    """

    nvidia_visible_devices: str | Unset = UNSET
    nvidia_driver_capabilities: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        nvidia_visible_devices = self.nvidia_visible_devices

        nvidia_driver_capabilities = self.nvidia_driver_capabilities

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if nvidia_visible_devices is not UNSET:
            field_dict["NvidiaVisibleDevices"] = nvidia_visible_devices
        if nvidia_driver_capabilities is not UNSET:
            field_dict["NvidiaDriverCapabilities"] = nvidia_driver_capabilities

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        nvidia_visible_devices = d.pop("NvidiaVisibleDevices", UNSET)

        nvidia_driver_capabilities = d.pop("NvidiaDriverCapabilities", UNSET)

        nvidia_config = cls(
            nvidia_visible_devices=nvidia_visible_devices,
            nvidia_driver_capabilities=nvidia_driver_capabilities,
        )

        nvidia_config.additional_properties = d
        return nvidia_config

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
