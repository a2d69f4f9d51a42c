from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="SystemVersion")


@_dataclass(slots=True)
class SystemVersion:
    """Version facts of the daemon and the host it runs on.

    Attributes:
        version (str | Unset): release of the daemon Example: 1.0.0.
        api_version (str | Unset): highest API version the daemon serves Example: 1.24.
        min_api_version (str | Unset): lowest API version the daemon serves (an addition to pouch's contract, as docker
            has it) Example: 1.24.
        git_commit (str | Unset): source revision the daemon was built from (may be empty)
        go_version (str | Unset): language runtime the daemon runs on Example: python3.11.7.
        os (str | Unset): operating system family, in Go's naming Example: linux.
        arch (str | Unset): hardware architecture, in Go's naming Example: amd64.
        kernel_version (str | Unset): kernel release (`uname -r`) Example: 6.1.0-18-amd64.
        build_time (str | Unset): when the daemon was built (may be empty) Example: 2026-11-28T12:00:00.000000000+00:00.
    """

    version: str | Unset = UNSET
    api_version: str | Unset = UNSET
    min_api_version: str | Unset = UNSET
    git_commit: str | Unset = UNSET
    go_version: str | Unset = UNSET
    os: str | Unset = UNSET
    arch: str | Unset = UNSET
    kernel_version: str | Unset = UNSET
    build_time: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        api_version = self.api_version

        min_api_version = self.min_api_version

        git_commit = self.git_commit

        go_version = self.go_version

        os = self.os

        arch = self.arch

        kernel_version = self.kernel_version

        build_time = self.build_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if version is not UNSET:
            field_dict["Version"] = version
        if api_version is not UNSET:
            field_dict["ApiVersion"] = api_version
        if min_api_version is not UNSET:
            field_dict["MinAPIVersion"] = min_api_version
        if git_commit is not UNSET:
            field_dict["GitCommit"] = git_commit
        if go_version is not UNSET:
            field_dict["GoVersion"] = go_version
        if os is not UNSET:
            field_dict["Os"] = os
        if arch is not UNSET:
            field_dict["Arch"] = arch
        if kernel_version is not UNSET:
            field_dict["KernelVersion"] = kernel_version
        if build_time is not UNSET:
            field_dict["BuildTime"] = build_time

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        version = d.pop("Version", UNSET)

        api_version = d.pop("ApiVersion", UNSET)

        min_api_version = d.pop("MinAPIVersion", UNSET)

        git_commit = d.pop("GitCommit", UNSET)

        go_version = d.pop("GoVersion", UNSET)

        os = d.pop("Os", UNSET)

        arch = d.pop("Arch", UNSET)

        kernel_version = d.pop("KernelVersion", UNSET)

        build_time = d.pop("BuildTime", UNSET)

        system_version = cls(
            version=version,
            api_version=api_version,
            min_api_version=min_api_version,
            git_commit=git_commit,
            go_version=go_version,
            os=os,
            arch=arch,
            kernel_version=kernel_version,
            build_time=build_time,
        )

        system_version.additional_properties = d
        return system_version

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
