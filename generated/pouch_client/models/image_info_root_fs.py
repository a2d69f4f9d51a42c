from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageInfoRootFS")


@_dataclass(slots=True)
class ImageInfoRootFS:
    """the image's root filesystem, as the layers it is made of

    Attributes:
        type_ (str): how the layers make the filesystem; `layers` Example: layers.
        layers (list[str] | Unset): the digest of each layer, uncompressed (its diff ID), the lowest first Example:
            ['sha256:3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f'].
        base_layer (str | Unset): the digest of a base layer (not set by this daemon)
    """

    type_: str
    layers: list[str] | Unset = UNSET
    base_layer: str | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        layers: list[str] | Unset = UNSET
        if not isinstance(self.layers, Unset):
            layers = self.layers

        base_layer = self.base_layer

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Type": type_,
            }
        )
        if layers is not UNSET:
            field_dict["Layers"] = layers
        if base_layer is not UNSET:
            field_dict["BaseLayer"] = base_layer

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = d.pop("Type")

        layers = cast(list[str], d.pop("Layers", UNSET))

        base_layer = d.pop("BaseLayer", UNSET)

        image_info_root_fs = cls(
            type_=type_,
            layers=layers,
            base_layer=base_layer,
        )

        image_info_root_fs.additional_properties = d
        return image_info_root_fs

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
