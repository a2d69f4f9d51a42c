from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.events_actor_attributes import EventsActorAttributes


T = TypeVar("T", bound="EventsActor")


@_dataclass(slots=True)
class EventsActor:
    """The object an event is about, with attributes describing it.

    Attributes:
        id (str | Unset):
        attributes (EventsActorAttributes | Unset):
    """

    id: str | Unset = UNSET
    attributes: EventsActorAttributes | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["ID"] = id
        if attributes is not UNSET:
            field_dict["Attributes"] = attributes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.events_actor_attributes import EventsActorAttributes

        d = dict(src_dict)
        id = d.pop("ID", UNSET)

        _attributes = d.pop("Attributes", UNSET)
        attributes: EventsActorAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = EventsActorAttributes.from_dict(_attributes)

        events_actor = cls(
            id=id,
            attributes=attributes,
        )

        events_actor.additional_properties = d
        return events_actor

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
