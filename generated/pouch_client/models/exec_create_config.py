from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Self, TypeVar, cast

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExecCreateConfig")


@_dataclass(slots=True)
class ExecCreateConfig:
    """A command to run in a running container, and how its streams are attached.

    Attributes:
        cmd (list[str]): the command and its arguments
        user (str | Unset): the user the command runs as (default: the container's)
        privileged (bool | Unset): run the command with every privilege
        tty (bool | Unset): give the command a terminal
        attach_stdin (bool | Unset): attach to the command's standard input
        attach_stderr (bool | Unset): attach to its standard error
        attach_stdout (bool | Unset): attach to its standard output
        detach (bool | Unset): run the command in the background
        detach_keys (str | Unset): the key sequence that detaches from the command
        env (list[str] | None | Unset): environment variables added, `NAME=value` (the container's, with these on top)
        working_dir (str | Unset): the directory the command runs in (default the container's)
        console_size (list[int] | None | Unset): the terminal's initial size, `[height, width]` (with `Tty`)
    """

    cmd: list[str]
    user: str | Unset = UNSET
    privileged: bool | Unset = UNSET
    tty: bool | Unset = UNSET
    attach_stdin: bool | Unset = UNSET
    attach_stderr: bool | Unset = UNSET
    attach_stdout: bool | Unset = UNSET
    detach: bool | Unset = UNSET
    detach_keys: str | Unset = UNSET
    env: list[str] | None | Unset = UNSET
    working_dir: str | Unset = UNSET
    console_size: list[int] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cmd = self.cmd

        user = self.user

        privileged = self.privileged

        tty = self.tty

        attach_stdin = self.attach_stdin

        attach_stderr = self.attach_stderr

        attach_stdout = self.attach_stdout

        detach = self.detach

        detach_keys = self.detach_keys

        env: list[str] | None | Unset
        if isinstance(self.env, Unset):
            env = UNSET
        elif isinstance(self.env, list):
            env = self.env

        else:
            env = self.env

        working_dir = self.working_dir

        console_size: list[int] | None | Unset
        if isinstance(self.console_size, Unset):
            console_size = UNSET
        elif isinstance(self.console_size, list):
            console_size = self.console_size

        else:
            console_size = self.console_size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Cmd": cmd,
            }
        )
        if user is not UNSET:
            field_dict["User"] = user
        if privileged is not UNSET:
            field_dict["Privileged"] = privileged
        if tty is not UNSET:
            field_dict["Tty"] = tty
        if attach_stdin is not UNSET:
            field_dict["AttachStdin"] = attach_stdin
        if attach_stderr is not UNSET:
            field_dict["AttachStderr"] = attach_stderr
        if attach_stdout is not UNSET:
            field_dict["AttachStdout"] = attach_stdout
        if detach is not UNSET:
            field_dict["Detach"] = detach
        if detach_keys is not UNSET:
            field_dict["DetachKeys"] = detach_keys
        if env is not UNSET:
            field_dict["Env"] = env
        if working_dir is not UNSET:
            field_dict["WorkingDir"] = working_dir
        if console_size is not UNSET:
            field_dict["ConsoleSize"] = console_size

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cmd = cast(list[str], d.pop("Cmd"))

        user = d.pop("User", UNSET)

        privileged = d.pop("Privileged", UNSET)

        tty = d.pop("Tty", UNSET)

        attach_stdin = d.pop("AttachStdin", UNSET)

        attach_stderr = d.pop("AttachStderr", UNSET)

        attach_stdout = d.pop("AttachStdout", UNSET)

        detach = d.pop("Detach", UNSET)

        detach_keys = d.pop("DetachKeys", UNSET)

        def _parse_env(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                env_type_0 = cast(list[str], data)

                return env_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        env = _parse_env(d.pop("Env", UNSET))

        working_dir = d.pop("WorkingDir", UNSET)

        def _parse_console_size(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                console_size_type_0 = cast(list[int], data)

                return console_size_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        console_size = _parse_console_size(d.pop("ConsoleSize", UNSET))

        exec_create_config = cls(
            cmd=cmd,
            user=user,
            privileged=privileged,
            tty=tty,
            attach_stdin=attach_stdin,
            attach_stderr=attach_stderr,
            attach_stdout=attach_stdout,
            detach=detach,
            detach_keys=detach_keys,
            env=env,
            working_dir=working_dir,
            console_size=console_size,
        )

        exec_create_config.additional_properties = d
        return exec_create_config

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
