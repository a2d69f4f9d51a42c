from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from ..models.container_config_rich_mode import (
    ContainerConfigRichMode,
    check_container_config_rich_mode,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.container_config_disk_quota_type_0 import (
        ContainerConfigDiskQuotaType0,
    )
    from ..models.container_config_exposed_ports import ContainerConfigExposedPorts
    from ..models.container_config_labels import ContainerConfigLabels
    from ..models.container_config_spec_annotation import ContainerConfigSpecAnnotation
    from ..models.container_config_volumes import ContainerConfigVolumes
    from ..models.host_config import HostConfig
    from ..models.networking_config import NetworkingConfig


T = TypeVar("T", bound="ContainerCreateConfig")


@_dataclass(slots=True)
class ContainerCreateConfig:
    """The body of a create: a container's portable configuration (`ContainerConfig`'s fields, at the top level) with its
    host-dependent one (`HostConfig`) and its networks (`NetworkingConfig`).

        Attributes:
            image (str): the image the container is made from (empty in an image's own configuration)
            hostname (str | Unset): the container's host name (RFC 1123; empty or absent, the ID's first 12 digits)
            domainname (str | Unset): the container's domain name
            user (str | Unset): the user commands run as, in the container Example: 1000:1000.
            attach_stdin (bool | Unset): whether to attach to standard input
            attach_stdout (bool | Unset): whether to attach to standard output Default: True.
            attach_stderr (bool | Unset): whether to attach to standard error Default: True.
            disable_network_files (bool | Unset): whether to leave /etc/hostname, /etc/hosts and /etc/resolv.conf unmade
                Default: False.
            exposed_ports (ContainerConfigExposedPorts | Unset): the ports exposed, `<port>/<tcp|udp>`, each mapped to an
                empty object Example: {'80/tcp': {}}.
            tty (bool | Unset): whether the standard streams are a terminal
            open_stdin (bool | Unset): whether standard input is open
            stdin_once (bool | Unset): whether standard input closes when the first attached client leaves
            env (list[str] | None | Unset): environment variables, `NAME=value`; `NAME=` sets an empty value, a bare `NAME`
                removes the variable Example: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'].
            cmd (list[str] | None | Unset): the command, as a list of arguments Example: ['sh'].
            args_escaped (bool | Unset): whether the command is already escaped (Windows only)
            volumes (ContainerConfigVolumes | Unset): the mount points of volumes in the container, each mapped to an empty
                object Example: {'/data': {}}.
            working_dir (str | Unset): the directory commands run in Example: /.
            entrypoint (list[str] | None | Unset): the entry point, as a list of arguments; `[""]` resets it to the system's
                default
            network_disabled (bool | Unset): whether the container has no network
            mac_address (str | Unset): the container's MAC address
            on_build (list[str] | None | Unset): the image's `ONBUILD` instructions
            labels (ContainerConfigLabels | Unset): labels, as keys and values Example: {'maintainer':
                'someone@example.com'}.
            stop_signal (str | Unset): the signal that stops the container, by name or number Default: 'SIGTERM'.
            stop_timeout (int | Unset): seconds to wait for the container to stop before it is killed Default: 10.
            shell (list[str] | None | Unset): the shell that runs the shell forms of `RUN`, `CMD` and `ENTRYPOINT`
            rich (bool | Unset): whether the container runs in rich container mode (default false)
            rich_mode (ContainerConfigRichMode | Unset): the rich container mode (default `dumb-init`)
            init_script (str | Unset): a script run in the container before its entry point or command
            disk_quota (ContainerConfigDiskQuotaType0 | None | Unset): disk quotas, by directory in the container (`/`: the
                root filesystem; `.*`: the root filesystem and every volume), each a size
            spec_annotation (ContainerConfigSpecAnnotation | Unset): annotations passed to the OCI runtime's spec
            quota_id (str | Unset): the quota ID for the disk quotas; zero or less asks the daemon for a new one
            net_priority (int | Unset): the network priority Default: 0.
            specific_id (str | Unset): the ID the container is to have, 64 hexadecimal digits (by default one is made)
            snapshotter (str | Unset): the snapshotter for the container, when not the default (set by hook plugins only)
            host_config (HostConfig | Unset): The part of a container's configuration that depends on the host: mounts,
                networking, namespaces, privileges, runtime, and (from `Resources`) cgroup limits.
            networking_config (NetworkingConfig | Unset): The networks a container is connected to when made.
    """

    image: str
    hostname: str | Unset = UNSET
    domainname: str | Unset = UNSET
    user: str | Unset = UNSET
    attach_stdin: bool | Unset = UNSET
    attach_stdout: bool | Unset = True
    attach_stderr: bool | Unset = True
    disable_network_files: bool | Unset = False
    exposed_ports: ContainerConfigExposedPorts | Unset = UNSET
    tty: bool | Unset = UNSET
    open_stdin: bool | Unset = UNSET
    stdin_once: bool | Unset = UNSET
    env: list[str] | None | Unset = UNSET
    cmd: list[str] | None | Unset = UNSET
    args_escaped: bool | Unset = UNSET
    volumes: ContainerConfigVolumes | Unset = UNSET
    working_dir: str | Unset = UNSET
    entrypoint: list[str] | None | Unset = UNSET
    network_disabled: bool | Unset = UNSET
    mac_address: str | Unset = UNSET
    on_build: list[str] | None | Unset = UNSET
    labels: ContainerConfigLabels | Unset = UNSET
    stop_signal: str | Unset = "SIGTERM"
    stop_timeout: int | Unset = 10
    shell: list[str] | None | Unset = UNSET
    rich: bool | Unset = UNSET
    rich_mode: ContainerConfigRichMode | Unset = UNSET
    init_script: str | Unset = UNSET
    disk_quota: ContainerConfigDiskQuotaType0 | None | Unset = UNSET
    spec_annotation: ContainerConfigSpecAnnotation | Unset = UNSET
    quota_id: str | Unset = UNSET
    net_priority: int | Unset = 0
    specific_id: str | Unset = UNSET
    snapshotter: str | Unset = UNSET
    host_config: HostConfig | Unset = UNSET
    networking_config: NetworkingConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _field(init=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.container_config_disk_quota_type_0 import (
            ContainerConfigDiskQuotaType0,
        )

        image = self.image

        hostname = self.hostname

        domainname = self.domainname

        user = self.user

        attach_stdin = self.attach_stdin

        attach_stdout = self.attach_stdout

        attach_stderr = self.attach_stderr

        disable_network_files = self.disable_network_files

        exposed_ports: dict[str, Any] | Unset = UNSET
        if not isinstance(self.exposed_ports, Unset):
            exposed_ports = self.exposed_ports.to_dict()

        tty = self.tty

        open_stdin = self.open_stdin

        stdin_once = self.stdin_once

        env: list[str] | None | Unset
        if isinstance(self.env, Unset):
            env = UNSET
        elif isinstance(self.env, list):
            env = self.env

        else:
            env = self.env

        cmd: list[str] | None | Unset
        if isinstance(self.cmd, Unset):
            cmd = UNSET
        elif isinstance(self.cmd, list):
            cmd = self.cmd

        else:
            cmd = self.cmd

        args_escaped = self.args_escaped

        volumes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.volumes, Unset):
            volumes = self.volumes.to_dict()

        working_dir = self.working_dir

        entrypoint: list[str] | None | Unset
        if isinstance(self.entrypoint, Unset):
            entrypoint = UNSET
        elif isinstance(self.entrypoint, list):
            entrypoint = self.entrypoint

        else:
            entrypoint = self.entrypoint

        network_disabled = self.network_disabled

        mac_address = self.mac_address

        on_build: list[str] | None | Unset
        if isinstance(self.on_build, Unset):
            on_build = UNSET
        elif isinstance(self.on_build, list):
            on_build = self.on_build

        else:
            on_build = self.on_build

        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        stop_signal = self.stop_signal

        stop_timeout = self.stop_timeout

        shell: list[str] | None | Unset
        if isinstance(self.shell, Unset):
            shell = UNSET
        elif isinstance(self.shell, list):
            shell = self.shell

        else:
            shell = self.shell

        rich = self.rich

        rich_mode: str | Unset = UNSET
        if not isinstance(self.rich_mode, Unset):
            rich_mode = self.rich_mode

        init_script = self.init_script

        disk_quota: dict[str, Any] | None | Unset
        if isinstance(self.disk_quota, Unset):
            disk_quota = UNSET
        elif isinstance(self.disk_quota, ContainerConfigDiskQuotaType0):
            disk_quota = self.disk_quota.to_dict()
        else:
            disk_quota = self.disk_quota

        spec_annotation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.spec_annotation, Unset):
            spec_annotation = self.spec_annotation.to_dict()

        quota_id = self.quota_id

        net_priority = self.net_priority

        specific_id = self.specific_id

        snapshotter = self.snapshotter

        host_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.host_config, Unset):
            host_config = self.host_config.to_dict()

        networking_config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.networking_config, Unset):
            networking_config = self.networking_config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Image": image,
            }
        )
        if hostname is not UNSET:
            field_dict["Hostname"] = hostname
        if domainname is not UNSET:
            field_dict["Domainname"] = domainname
        if user is not UNSET:
            field_dict["User"] = user
        if attach_stdin is not UNSET:
            field_dict["AttachStdin"] = attach_stdin
        if attach_stdout is not UNSET:
            field_dict["AttachStdout"] = attach_stdout
        if attach_stderr is not UNSET:
            field_dict["AttachStderr"] = attach_stderr
        if disable_network_files is not UNSET:
            field_dict["DisableNetworkFiles"] = disable_network_files
        if exposed_ports is not UNSET:
            field_dict["ExposedPorts"] = exposed_ports
        if tty is not UNSET:
            field_dict["Tty"] = tty
        if open_stdin is not UNSET:
            field_dict["OpenStdin"] = open_stdin
        if stdin_once is not UNSET:
            field_dict["StdinOnce"] = stdin_once
        if env is not UNSET:
            field_dict["Env"] = env
        if cmd is not UNSET:
            field_dict["Cmd"] = cmd
        if args_escaped is not UNSET:
            field_dict["ArgsEscaped"] = args_escaped
        if volumes is not UNSET:
            field_dict["Volumes"] = volumes
        if working_dir is not UNSET:
            field_dict["WorkingDir"] = working_dir
        if entrypoint is not UNSET:
            field_dict["Entrypoint"] = entrypoint
        if network_disabled is not UNSET:
            field_dict["NetworkDisabled"] = network_disabled
        if mac_address is not UNSET:
            field_dict["MacAddress"] = mac_address
        if on_build is not UNSET:
            field_dict["OnBuild"] = on_build
        if labels is not UNSET:
            field_dict["Labels"] = labels
        if stop_signal is not UNSET:
            field_dict["StopSignal"] = stop_signal
        if stop_timeout is not UNSET:
            field_dict["StopTimeout"] = stop_timeout
        if shell is not UNSET:
            field_dict["Shell"] = shell
        if rich is not UNSET:
            field_dict["Rich"] = rich
        if rich_mode is not UNSET:
            field_dict["RichMode"] = rich_mode
        if init_script is not UNSET:
            field_dict["InitScript"] = init_script
        if disk_quota is not UNSET:
            field_dict["DiskQuota"] = disk_quota
        if spec_annotation is not UNSET:
            field_dict["SpecAnnotation"] = spec_annotation
        if quota_id is not UNSET:
            field_dict["QuotaID"] = quota_id
        if net_priority is not UNSET:
            field_dict["NetPriority"] = net_priority
        if specific_id is not UNSET:
            field_dict["SpecificID"] = specific_id
        if snapshotter is not UNSET:
            field_dict["Snapshotter"] = snapshotter
        if host_config is not UNSET:
            field_dict["HostConfig"] = host_config
        if networking_config is not UNSET:
            field_dict["NetworkingConfig"] = networking_config

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.container_config_disk_quota_type_0 import (
            ContainerConfigDiskQuotaType0,
        )
        from ..models.container_config_exposed_ports import ContainerConfigExposedPorts
        from ..models.container_config_labels import ContainerConfigLabels
        from ..models.container_config_spec_annotation import (
            ContainerConfigSpecAnnotation,
        )
        from ..models.container_config_volumes import ContainerConfigVolumes
        from ..models.host_config import HostConfig
        from ..models.networking_config import NetworkingConfig

        d = dict(src_dict)
        image = d.pop("Image")

        hostname = d.pop("Hostname", UNSET)

        domainname = d.pop("Domainname", UNSET)

        user = d.pop("User", UNSET)

        attach_stdin = d.pop("AttachStdin", UNSET)

        attach_stdout = d.pop("AttachStdout", UNSET)

        attach_stderr = d.pop("AttachStderr", UNSET)

        disable_network_files = d.pop("DisableNetworkFiles", UNSET)

        _exposed_ports = d.pop("ExposedPorts", UNSET)
        exposed_ports: ContainerConfigExposedPorts | Unset
        if isinstance(_exposed_ports, Unset):
            exposed_ports = UNSET
        else:
            exposed_ports = ContainerConfigExposedPorts.from_dict(_exposed_ports)

        tty = d.pop("Tty", UNSET)

        open_stdin = d.pop("OpenStdin", UNSET)

        stdin_once = d.pop("StdinOnce", UNSET)

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

        def _parse_cmd(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                cmd_type_0 = cast(list[str], data)

                return cmd_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        cmd = _parse_cmd(d.pop("Cmd", UNSET))

        args_escaped = d.pop("ArgsEscaped", UNSET)

        _volumes = d.pop("Volumes", UNSET)
        volumes: ContainerConfigVolumes | Unset
        if isinstance(_volumes, Unset):
            volumes = UNSET
        else:
            volumes = ContainerConfigVolumes.from_dict(_volumes)

        working_dir = d.pop("WorkingDir", UNSET)

        def _parse_entrypoint(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                entrypoint_type_0 = cast(list[str], data)

                return entrypoint_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        entrypoint = _parse_entrypoint(d.pop("Entrypoint", UNSET))

        network_disabled = d.pop("NetworkDisabled", UNSET)

        mac_address = d.pop("MacAddress", UNSET)

        def _parse_on_build(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                on_build_type_0 = cast(list[str], data)

                return on_build_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        on_build = _parse_on_build(d.pop("OnBuild", UNSET))

        _labels = d.pop("Labels", UNSET)
        labels: ContainerConfigLabels | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = ContainerConfigLabels.from_dict(_labels)

        stop_signal = d.pop("StopSignal", UNSET)

        stop_timeout = d.pop("StopTimeout", UNSET)

        def _parse_shell(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                shell_type_0 = cast(list[str], data)

                return shell_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        shell = _parse_shell(d.pop("Shell", UNSET))

        rich = d.pop("Rich", UNSET)

        _rich_mode = d.pop("RichMode", UNSET)
        rich_mode: ContainerConfigRichMode | Unset
        if isinstance(_rich_mode, Unset):
            rich_mode = UNSET
        else:
            rich_mode = check_container_config_rich_mode(_rich_mode)

        init_script = d.pop("InitScript", UNSET)

        def _parse_disk_quota(
            data: object,
        ) -> ContainerConfigDiskQuotaType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                disk_quota_type_0 = ContainerConfigDiskQuotaType0.from_dict(data)

                return disk_quota_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContainerConfigDiskQuotaType0 | None | Unset, data)

        disk_quota = _parse_disk_quota(d.pop("DiskQuota", UNSET))

        _spec_annotation = d.pop("SpecAnnotation", UNSET)
        spec_annotation: ContainerConfigSpecAnnotation | Unset
        if isinstance(_spec_annotation, Unset):
            spec_annotation = UNSET
        else:
            spec_annotation = ContainerConfigSpecAnnotation.from_dict(_spec_annotation)

        quota_id = d.pop("QuotaID", UNSET)

        net_priority = d.pop("NetPriority", UNSET)

        specific_id = d.pop("SpecificID", UNSET)

        snapshotter = d.pop("Snapshotter", UNSET)

        _host_config = d.pop("HostConfig", UNSET)
        host_config: HostConfig | Unset
        if isinstance(_host_config, Unset):
            host_config = UNSET
        else:
            host_config = HostConfig.from_dict(_host_config)

        _networking_config = d.pop("NetworkingConfig", UNSET)
        networking_config: NetworkingConfig | Unset
        if isinstance(_networking_config, Unset):
            networking_config = UNSET
        else:
            networking_config = NetworkingConfig.from_dict(_networking_config)

        container_create_config = cls(
            image=image,
            hostname=hostname,
            domainname=domainname,
            user=user,
            attach_stdin=attach_stdin,
            attach_stdout=attach_stdout,
            attach_stderr=attach_stderr,
            disable_network_files=disable_network_files,
            exposed_ports=exposed_ports,
            tty=tty,
            open_stdin=open_stdin,
            stdin_once=stdin_once,
            env=env,
            cmd=cmd,
            args_escaped=args_escaped,
            volumes=volumes,
            working_dir=working_dir,
            entrypoint=entrypoint,
            network_disabled=network_disabled,
            mac_address=mac_address,
            on_build=on_build,
            labels=labels,
            stop_signal=stop_signal,
            stop_timeout=stop_timeout,
            shell=shell,
            rich=rich,
            rich_mode=rich_mode,
            init_script=init_script,
            disk_quota=disk_quota,
            spec_annotation=spec_annotation,
            quota_id=quota_id,
            net_priority=net_priority,
            specific_id=specific_id,
            snapshotter=snapshotter,
            host_config=host_config,
            networking_config=networking_config,
        )

        container_create_config.additional_properties = d
        return container_create_config

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
