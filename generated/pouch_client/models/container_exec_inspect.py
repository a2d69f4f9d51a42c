from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar

if TYPE_CHECKING:
    from ..models.process_config import ProcessConfig


T = TypeVar("T", bound="ContainerExecInspect")


@_dataclass(slots=True)
class ContainerExecInspect:
    """An exec: its command, state and exit code.

    Attributes:
        id (str): the exec's ID
        running (bool): whether the command runs
        exit_code (int): the command's exit code (0 while it runs; 126 when it could not start)
        process_config (ProcessConfig): The command of an exec.
        open_stdin (bool): whether standard input is attached
        open_stderr (bool): whether standard error is attached
        open_stdout (bool): whether standard output is attached
        can_remove (bool): whether the exec can be removed
        container_id (str): the container it runs in
        detach_keys (str): its detach key sequence
    """

    id: str
    running: bool
    exit_code: int
    process_config: ProcessConfig
    open_stdin: bool
    open_stderr: bool
    open_stdout: bool
    can_remove: bool
    container_id: str
    detach_keys: str
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        running = self.running

        exit_code = self.exit_code

        process_config = self.process_config.to_dict()

        open_stdin = self.open_stdin

        open_stderr = self.open_stderr

        open_stdout = self.open_stdout

        can_remove = self.can_remove

        container_id = self.container_id

        detach_keys = self.detach_keys

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ID": id,
                "Running": running,
                "ExitCode": exit_code,
                "ProcessConfig": process_config,
                "OpenStdin": open_stdin,
                "OpenStderr": open_stderr,
                "OpenStdout": open_stdout,
                "CanRemove": can_remove,
                "ContainerID": container_id,
                "DetachKeys": detach_keys,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.process_config import ProcessConfig

        d = dict(src_dict)
        id = d.pop("ID")

        running = d.pop("Running")

        exit_code = d.pop("ExitCode")

        process_config = ProcessConfig.from_dict(d.pop("ProcessConfig"))

        open_stdin = d.pop("OpenStdin")

        open_stderr = d.pop("OpenStderr")

        open_stdout = d.pop("OpenStdout")

        can_remove = d.pop("CanRemove")

        container_id = d.pop("ContainerID")

        detach_keys = d.pop("DetachKeys")

        container_exec_inspect = cls(
            id=id,
            running=running,
            exit_code=exit_code,
            process_config=process_config,
            open_stdin=open_stdin,
            open_stderr=open_stderr,
            open_stdout=open_stdout,
            can_remove=can_remove,
            container_id=container_id,
            detach_keys=detach_keys,
        )

        container_exec_inspect.additional_properties = d
        return container_exec_inspect

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
