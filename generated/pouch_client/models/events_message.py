from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..models.event_type import EventType, check_event_type
from ..models.events_message_scope import EventsMessageScope, check_events_message_scope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.events_actor import EventsActor


T = TypeVar("T", bound="EventsMessage")


@_dataclass(slots=True)
class EventsMessage:
    """One event: which kind of object (`type`) did what (`action`), which object (`id`,
    `actor`), and when.

    `Type`, `Action`, `Actor` and `scope` are docker's names for the same facts, sent beside
    pouch's lowercase ones with the same values: Go clients (pouch's CLI, the Docker CLI) match
    keys case-insensitively and read the same event either way; clients that index by name
    (docker-py) find docker's.

        Attributes:
            status (str | Unset):
            id (str | Unset):
            from_ (str | Unset):
            type_ (EventType | Unset): The kind of object an event is about.
            action (str | Unset):
            actor (EventsActor | Unset): The object an event is about, with attributes describing it.
            time (int | Unset):
            time_nano (int | Unset):
            Type (EventType | Unset): The kind of object an event is about.
            Action (str | Unset): what happened (the same as `action`) Example: update.
            Actor (EventsActor | Unset): The object an event is about, with attributes describing it.
            scope (EventsMessageScope | Unset): where the event happened; always `local` (this daemon) Example: local.
    """

    status: str | Unset = UNSET
    id: str | Unset = UNSET
    from_: str | Unset = UNSET
    type_: EventType | Unset = UNSET
    action: str | Unset = UNSET
    actor: EventsActor | Unset = UNSET
    time: int | Unset = UNSET
    time_nano: int | Unset = UNSET
    Type: EventType | Unset = UNSET
    Action: str | Unset = UNSET
    Actor: EventsActor | Unset = UNSET
    scope: EventsMessageScope | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        id = self.id

        from_ = self.from_

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_

        action = self.action

        actor: dict[str, Any] | Unset = UNSET
        if not isinstance(self.actor, Unset):
            actor = self.actor.to_dict()

        time = self.time

        time_nano = self.time_nano

        Type: str | Unset = UNSET
        if not isinstance(self.Type, Unset):
            Type = self.Type

        Action = self.Action

        Actor: dict[str, Any] | Unset = UNSET
        if not isinstance(self.Actor, Unset):
            Actor = self.Actor.to_dict()

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if id is not UNSET:
            field_dict["id"] = id
        if from_ is not UNSET:
            field_dict["from"] = from_
        if type_ is not UNSET:
            field_dict["type"] = type_
        if action is not UNSET:
            field_dict["action"] = action
        if actor is not UNSET:
            field_dict["actor"] = actor
        if time is not UNSET:
            field_dict["time"] = time
        if time_nano is not UNSET:
            field_dict["timeNano"] = time_nano
        if Type is not UNSET:
            field_dict["Type"] = Type
        if Action is not UNSET:
            field_dict["Action"] = Action
        if Actor is not UNSET:
            field_dict["Actor"] = Actor
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.events_actor import EventsActor

        d = dict(src_dict)
        status = d.pop("status", UNSET)

        id = d.pop("id", UNSET)

        from_ = d.pop("from", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: EventType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = check_event_type(_type_)

        action = d.pop("action", UNSET)

        _actor = d.pop("actor", UNSET)
        actor: EventsActor | Unset
        if isinstance(_actor, Unset):
            actor = UNSET
        else:
            actor = EventsActor.from_dict(_actor)

        time = d.pop("time", UNSET)

        time_nano = d.pop("timeNano", UNSET)

        _Type = d.pop("Type", UNSET)
        Type: EventType | Unset
        if isinstance(_Type, Unset):
            Type = UNSET
        else:
            Type = check_event_type(_Type)

        Action = d.pop("Action", UNSET)

        _Actor = d.pop("Actor", UNSET)
        Actor: EventsActor | Unset
        if isinstance(_Actor, Unset):
            Actor = UNSET
        else:
            Actor = EventsActor.from_dict(_Actor)

        _scope = d.pop("scope", UNSET)
        scope: EventsMessageScope | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = check_events_message_scope(_scope)

        events_message = cls(
            status=status,
            id=id,
            from_=from_,
            type_=type_,
            action=action,
            actor=actor,
            time=time,
            time_nano=time_nano,
            Type=Type,
            Action=Action,
            Actor=Actor,
            scope=scope,
        )

        events_message.additional_properties = d
        return events_message

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
