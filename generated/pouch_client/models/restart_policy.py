from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="RestartPolicy")


@_dataclass(slots=True)
class RestartPolicy:
    """When a container is started again after it exits by itself.

    Attributes:
        name (str | Unset): `no`, `always`, `on-failure` or `unless-stopped`
        maximum_retry_count (int | Unset): the most restarts, for `on-failure`
    """

    name: str | Unset = UNSET
    maximum_retry_count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        maximum_retry_count = self.maximum_retry_count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["Name"] = name
        if maximum_retry_count is not UNSET:
            field_dict["MaximumRetryCount"] = maximum_retry_count

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("Name", UNSET)

        maximum_retry_count = d.pop("MaximumRetryCount", UNSET)

        restart_policy = cls(
            name=name,
            maximum_retry_count=maximum_retry_count,
        )

        restart_policy.additional_properties = d
        return restart_policy

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
