from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="Runtime")


@_dataclass(slots=True)
class Runtime:
    """An OCI runtime the daemon can start containers with.

    Attributes:
        type_ (str | Unset): runtime type as containerd names it Example: io.containerd.runtime.v1.linux.
        options (Any | Unset): runtime-specific options, of any shape
        path (str | Unset): the runtime's executable, a name looked up in PATH or a path Example: /usr/local/bin/runc.
        runtime_args (list[str] | None | Unset): arguments given to the runtime (deprecated; use options)
    """

    type_: str | Unset = UNSET
    options: Any | Unset = UNSET
    path: str | Unset = UNSET
    runtime_args: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        options = self.options

        path = self.path

        runtime_args: list[str] | None | Unset
        if isinstance(self.runtime_args, Unset):
            runtime_args = UNSET
        elif isinstance(self.runtime_args, list):
            runtime_args = self.runtime_args

        else:
            runtime_args = self.runtime_args

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if options is not UNSET:
            field_dict["options"] = options
        if path is not UNSET:
            field_dict["path"] = path
        if runtime_args is not UNSET:
            field_dict["runtimeArgs"] = runtime_args

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        options = d.pop("options", UNSET)

        path = d.pop("path", UNSET)

        def _parse_runtime_args(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                runtime_args_type_0 = cast(list[str], data)

                return runtime_args_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        runtime_args = _parse_runtime_args(d.pop("runtimeArgs", UNSET))

        runtime = cls(
            type_=type_,
            options=options,
            path=path,
            runtime_args=runtime_args,
        )

        runtime.additional_properties = d
        return runtime

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
