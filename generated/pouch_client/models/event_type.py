from typing import Literal

EventType = Literal["container", "daemon", "image", "network", "plugin", "volume"]

EVENT_TYPE_VALUES: set[EventType] = {
    "container",
    "daemon",
    "image",
    "network",
    "plugin",
    "volume",
}


def check_event_type(value: str) -> EventType:
    if value in EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EVENT_TYPE_VALUES!r}"
    )
