from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecStartConfig")


@_dataclass(slots=True)
class ExecStartConfig:
    """How an exec is started.

    Attributes:
        detach (bool | Unset): start it in the background: no stream, the answer is at once
        tty (bool | Unset): whether the command has a terminal (its output is then not framed)
    """

    detach: bool | Unset = UNSET
    tty: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detach = self.detach

        tty = self.tty

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if detach is not UNSET:
            field_dict["Detach"] = detach
        if tty is not UNSET:
            field_dict["Tty"] = tty

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        detach = d.pop("Detach", UNSET)

        tty = d.pop("Tty", UNSET)

        exec_start_config = cls(
            detach=detach,
            tty=tty,
        )

        exec_start_config.additional_properties = d
        return exec_start_config

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
