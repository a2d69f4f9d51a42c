from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

T = TypeVar("T", bound="HistoryResultItem")


@_dataclass(slots=True)
class HistoryResultItem:
    """One step of an image's build.

    Attributes:
        id (str): the image's ID on the newest step, `<missing>` on the others Example:
            sha256:6d5fcfe5ff170471fcc3c8b47631d6d71202a1fd44cf3c147e50c8de21cf0648.
        created (int): when the step was taken, in nanoseconds since the Unix epoch Example: 1704067200000000000.
        created_by (str): the instruction of the step Example: /bin/sh -c #(nop)  CMD ["sh"].
        author (str): who made the step
        comment (str): a note on the step
        empty_layer (bool): true when the step made no layer Example: True.
        size (int): the size of the step's layer, compressed, in bytes (0 when it made none) Example: 0.
    """

    id: str
    created: int
    created_by: str
    author: str
    comment: str
    empty_layer: bool
    size: int
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        created = self.created

        created_by = self.created_by

        author = self.author

        comment = self.comment

        empty_layer = self.empty_layer

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ID": id,
                "Created": created,
                "CreatedBy": created_by,
                "Author": author,
                "Comment": comment,
                "EmptyLayer": empty_layer,
                "Size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("ID")

        created = d.pop("Created")

        created_by = d.pop("CreatedBy")

        author = d.pop("Author")

        comment = d.pop("Comment")

        empty_layer = d.pop("EmptyLayer")

        size = d.pop("Size")

        history_result_item = cls(
            id=id,
            created=created,
            created_by=created_by,
            author=author,
            comment=comment,
            empty_layer=empty_layer,
            size=size,
        )

        history_result_item.additional_properties = d
        return history_result_item

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
