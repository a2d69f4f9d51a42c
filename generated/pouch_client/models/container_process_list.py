from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContainerProcessList")


@_dataclass(slots=True)
class ContainerProcessList:
    """The processes of a container, as `ps` shows them.

    Attributes:
        titles (list[str] | Unset): the column titles
        processes (list[list[str]] | Unset): one row of column values a process
    """

    titles: list[str] | Unset = UNSET
    processes: list[list[str]] | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        titles: list[str] | Unset = UNSET
        if not isinstance(self.titles, Unset):
            titles = self.titles

        processes: list[list[str]] | Unset = UNSET
        if not isinstance(self.processes, Unset):
            processes = []
            for processes_item_data in self.processes:
                processes_item = processes_item_data

                processes.append(processes_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if titles is not UNSET:
            field_dict["Titles"] = titles
        if processes is not UNSET:
            field_dict["Processes"] = processes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        titles = cast(list[str], d.pop("Titles", UNSET))

        _processes = d.pop("Processes", UNSET)
        processes: list[list[str]] | Unset = UNSET
        if _processes is not UNSET:
            processes = []
            for processes_item_data in _processes:
                processes_item = cast(list[str], processes_item_data)

                processes.append(processes_item)

        container_process_list = cls(
            titles=titles,
            processes=processes,
        )

        container_process_list.additional_properties = d
        return container_process_list

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
