from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar

from ..models.status import Status, check_status
from ..types import UNSET, Unset

T = TypeVar("T", bound="ContainerState")


@_dataclass(slots=True)
class ContainerState:
    """A container's state. The flags follow from `Status`: a paused container is `Running` and `Paused`.

    Attributes:
        status (Status): A container's status (`restarting` and `removing` are never set: a restart and a removal pass
            through the others).
        running (bool): whether its process runs (also when paused)
        paused (bool): whether it is paused
        restarting (bool): whether it is restarting
        oom_killed (bool): whether the OOM killer ended it
        dead (bool): whether it is dead
        pid (int): its process's ID on the host (0 when not running)
        exit_code (int): the exit code of its last run
        error (str): what went wrong, if something did
        started_at (str): when it last started (`0001-01-01T00:00:00Z` if never)
        finished_at (str): when it last stopped (`0001-01-01T00:00:00Z` if never)
        exited (bool | Unset): whether it exited by itself rather than by being stopped (a restart policy applies only
            then)
    """

    status: Status
    running: bool
    paused: bool
    restarting: bool
    oom_killed: bool
    dead: bool
    pid: int
    exit_code: int
    error: str
    started_at: str
    finished_at: str
    exited: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        running = self.running

        paused = self.paused

        restarting = self.restarting

        oom_killed = self.oom_killed

        dead = self.dead

        pid = self.pid

        exit_code = self.exit_code

        error = self.error

        started_at = self.started_at

        finished_at = self.finished_at

        exited = self.exited

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Status": status,
                "Running": running,
                "Paused": paused,
                "Restarting": restarting,
                "OOMKilled": oom_killed,
                "Dead": dead,
                "Pid": pid,
                "ExitCode": exit_code,
                "Error": error,
                "StartedAt": started_at,
                "FinishedAt": finished_at,
            }
        )
        if exited is not UNSET:
            field_dict["Exited"] = exited

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = check_status(d.pop("Status"))

        running = d.pop("Running")

        paused = d.pop("Paused")

        restarting = d.pop("Restarting")

        oom_killed = d.pop("OOMKilled")

        dead = d.pop("Dead")

        pid = d.pop("Pid")

        exit_code = d.pop("ExitCode")

        error = d.pop("Error")

        started_at = d.pop("StartedAt")

        finished_at = d.pop("FinishedAt")

        exited = d.pop("Exited", UNSET)

        container_state = cls(
            status=status,
            running=running,
            paused=paused,
            restarting=restarting,
            oom_killed=oom_killed,
            dead=dead,
            pid=pid,
            exit_code=exit_code,
            error=error,
            started_at=started_at,
            finished_at=finished_at,
            exited=exited,
        )

        container_state.additional_properties = d
        return container_state

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
