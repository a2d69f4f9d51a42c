from typing import Literal

Status = Literal[
    "created",
    "dead",
    "exited",
    "paused",
    "removing",
    "restarting",
    "running",
    "stopped",
]

STATUS_VALUES: set[Status] = {
    "created",
    "dead",
    "exited",
    "paused",
    "removing",
    "restarting",
    "running",
    "stopped",
}


def check_status(value: str) -> Status:
    if value in STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {STATUS_VALUES!r}")
