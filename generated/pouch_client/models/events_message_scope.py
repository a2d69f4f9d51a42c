from typing import Literal

EventsMessageScope = Literal["local"]

EVENTS_MESSAGE_SCOPE_VALUES: set[EventsMessageScope] = {
    "local",
}


def check_events_message_scope(value: str) -> EventsMessageScope:
    if value in EVENTS_MESSAGE_SCOPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EVENTS_MESSAGE_SCOPE_VALUES!r}"
    )
