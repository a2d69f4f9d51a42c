from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

T = TypeVar("T", bound="ProcessConfig")


@_dataclass(slots=True)
class ProcessConfig:
    """The command of an exec.

    Attributes:
        privileged (bool): whether it runs privileged
        user (str): the user it runs as
        tty (bool): whether it has a terminal
        entrypoint (str): the program
        arguments (list[str]): its arguments
    """

    privileged: bool
    user: str
    tty: bool
    entrypoint: str
    arguments: list[str]
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        privileged = self.privileged

        user = self.user

        tty = self.tty

        entrypoint = self.entrypoint

        arguments = self.arguments

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "privileged": privileged,
                "user": user,
                "tty": tty,
                "entrypoint": entrypoint,
                "arguments": arguments,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        privileged = d.pop("privileged")

        user = d.pop("user")

        tty = d.pop("tty")

        entrypoint = d.pop("entrypoint")

        arguments = cast(list[str], d.pop("arguments"))

        process_config = cls(
            privileged=privileged,
            user=user,
            tty=tty,
            entrypoint=entrypoint,
            arguments=arguments,
        )

        process_config.additional_properties = d
        return process_config

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
