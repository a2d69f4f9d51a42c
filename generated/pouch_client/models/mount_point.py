from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..types import UNSET, Unset

T = TypeVar("T", bound="MountPoint")


@_dataclass(slots=True)
class MountPoint:
    """One mount of a container.

    Attributes:
        type_ (str | Unset): the kind: `bind`, `volume`...
        id (str | Unset): the volume's ID
        name (str | Unset): the volume's name
        source (str | Unset): the host path
        destination (str | Unset): the path in the container
        driver (str | Unset): the volume driver
        mode (str | Unset): options, e.g. `ro`
        rw (bool | Unset): whether it is writable
        copy_data (bool | Unset): whether the image's files are copied in
        named (bool | Unset): whether the volume has a name
        replace (str | Unset): what the mount replaces
        propagation (str | Unset): mount propagation
    """

    type_: str | Unset = UNSET
    id: str | Unset = UNSET
    name: str | Unset = UNSET
    source: str | Unset = UNSET
    destination: str | Unset = UNSET
    driver: str | Unset = UNSET
    mode: str | Unset = UNSET
    rw: bool | Unset = UNSET
    copy_data: bool | Unset = UNSET
    named: bool | Unset = UNSET
    replace: str | Unset = UNSET
    propagation: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        id = self.id

        name = self.name

        source = self.source

        destination = self.destination

        driver = self.driver

        mode = self.mode

        rw = self.rw

        copy_data = self.copy_data

        named = self.named

        replace = self.replace

        propagation = self.propagation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["Type"] = type_
        if id is not UNSET:
            field_dict["ID"] = id
        if name is not UNSET:
            field_dict["Name"] = name
        if source is not UNSET:
            field_dict["Source"] = source
        if destination is not UNSET:
            field_dict["Destination"] = destination
        if driver is not UNSET:
            field_dict["Driver"] = driver
        if mode is not UNSET:
            field_dict["Mode"] = mode
        if rw is not UNSET:
            field_dict["RW"] = rw
        if copy_data is not UNSET:
            field_dict["CopyData"] = copy_data
        if named is not UNSET:
            field_dict["Named"] = named
        if replace is not UNSET:
            field_dict["Replace"] = replace
        if propagation is not UNSET:
            field_dict["Propagation"] = propagation

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("Type", UNSET)

        id = d.pop("ID", UNSET)

        name = d.pop("Name", UNSET)

        source = d.pop("Source", UNSET)

        destination = d.pop("Destination", UNSET)

        driver = d.pop("Driver", UNSET)

        mode = d.pop("Mode", UNSET)

        rw = d.pop("RW", UNSET)

        copy_data = d.pop("CopyData", UNSET)

        named = d.pop("Named", UNSET)

        replace = d.pop("Replace", UNSET)

        propagation = d.pop("Propagation", UNSET)

        mount_point = cls(
            type_=type_,
            id=id,
            name=name,
            source=source,
            destination=destination,
            driver=driver,
            mode=mode,
            rw=rw,
            copy_data=copy_data,
            named=named,
            replace=replace,
            propagation=propagation,
        )

        mount_point.additional_properties = d
        return mount_point

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
