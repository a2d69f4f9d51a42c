"""The flags ``run`` and ``create`` share and the create body they make (pouch's cli/common_flags.go,
cli/container.go ``config()``, apis/opts/*.go).

:data:`PARAMS` are pouch's container flags (those that mean something without networks of
pouch's own: no ``-p``/``-P``, no disk quotas, no Intel RDT or nvidia options). :func:`create_body`
turns the parsed flags into ``POST /containers/create``'s body: ContainerConfig's fields at the
top level, ``HostConfig`` and ``NetworkingConfig``, only what was given (the daemon fills the
rest from the image and its defaults), values checked and converted as pouch's client does
(sizes as go-units' RAMInBytes, restart policies, ``key=value`` lists).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import ClientOptions
from pouch_cli.container_common import parse_int
from pouch_cli.errors import CLIError

if TYPE_CHECKING:
    import argparse

PARAMS = (
    Param(("--add-host",), "Add a custom host-to-IP mapping (host:ip) (repeatable).", metavar="HOST:IP", repeat=True),
    Param(("--annotation",), "Additional annotation for runtime, key=value (repeatable).", metavar="KV", repeat=True),
    Param(("--blkio-weight",), "Block IO (relative weight), between 10 and 1000, or 0 to disable.", metavar="N"),
    Param(("--cap-add",), "Add Linux capabilities (repeatable, comma separated).", metavar="CAP", repeat=True),
    Param(("--cap-drop",), "Drop Linux capabilities (repeatable, comma separated).", metavar="CAP", repeat=True),
    Param(("--cgroup-parent",), "Optional parent cgroup for the container.", metavar="PATH"),
    Param(("--cpu-period",), "Limit CPU CFS period, in [1000(1ms),1000000(1s)].", metavar="N"),
    Param(("--cpu-quota",), "Limit CPU CFS quota, in [1000,∞).", metavar="N"),
    Param(("--cpu-shares",), "CPU shares (relative weight).", metavar="N"),
    Param(("--cpuset-cpus",), "CPUs in which to allow execution (0-3, 0,1).", metavar="CPUS"),
    Param(("--cpuset-mems",), "MEMs in which to allow execution (0-3, 0,1).", metavar="MEMS"),
    Param(
        ("--device",),
        "Add a host device to the container, host[:container[:rwm]] (repeatable).",
        metavar="DEV",
        repeat=True,
    ),
    Param(("--disable-network-files",), "Do not make /etc/hostname, /etc/hosts and /etc/resolv.conf."),
    Param(("--dns",), "Set DNS servers (repeatable).", metavar="IP", repeat=True),
    Param(("--dns-option",), "Set DNS options (repeatable, comma separated).", metavar="OPT", repeat=True),
    Param(("--dns-search",), "Set DNS search domains (repeatable).", metavar="DOMAIN", repeat=True),
    Param(("--enableLxcfs",), "Enable lxcfs for the container (when pouchd has it).", dest="enable_lxcfs"),
    Param(("--entrypoint",), "Overwrite the default ENTRYPOINT of the image.", metavar="CMD"),
    Param(
        ("-e", "--env"),
        "Set environment variables ('A=' sets A empty, a bare 'B' removes B) (repeatable).",
        metavar="KEY=VALUE",
        repeat=True,
    ),
    Param(("--env-file",), "Read in a file of environment variables (repeatable).", metavar="FILE", repeat=True),
    Param(("--expose",), "Expose a port of the container, port[/proto] (repeatable).", metavar="PORT", repeat=True),
    Param(("--group-add",), "Add additional groups to join (repeatable).", metavar="GROUP", repeat=True),
    Param(("--hostname",), "Set the container's hostname.", metavar="NAME"),
    Param(("--initscript",), "Initial script executed in container (rich mode).", metavar="SCRIPT"),
    Param(("--ip",), "Set IPv4 address of container endpoint.", metavar="IP"),
    Param(("--ip6",), "Set IPv6 address of container endpoint.", metavar="IP"),
    Param(("--ipc",), "IPC namespace to use.", metavar="MODE"),
    Param(("--kernel-memory",), "Kernel memory limit (in bytes, or 100m).", metavar="SIZE"),
    Param(("-l", "--label"), "Set labels for a container, key[=value] (repeatable).", metavar="LABEL", repeat=True),
    Param(("--log-driver",), "Logging driver for the container [json-file].", metavar="DRIVER"),
    Param(("--log-opt",), "Log driver options, key=value (repeatable).", metavar="KV", repeat=True),
    Param(("--mac-address",), "Set mac address of container endpoint.", metavar="MAC"),
    Param(("-m", "--memory"), "Memory limit (100m, 1g...).", metavar="SIZE"),
    Param(("--memory-reservation",), "Memory soft limit.", metavar="SIZE"),
    Param(("--memory-swap",), "Swap limit equal to memory + swap, '-1' to enable unlimited swap.", metavar="SIZE"),
    Param(("--memory-swappiness",), "Container memory swappiness [0, 100].", metavar="N"),
    Param(("--name",), "Specify name of container.", metavar="NAME"),
    Param(
        ("--net",),
        "Set networks to container: none, host, bridge, container:ID (repeatable).",
        metavar="NET",
        dest="networks",
        repeat=True,
    ),
    Param(("--net-priority",), "net priority.", metavar="N"),
    Param(("--oom-kill-disable",), "Disable OOM Killer."),
    Param(("--oom-score-adj",), "Tune host's OOM preferences (-1000 to 1000).", metavar="N"),
    Param(("--pid",), "PID namespace to use.", metavar="MODE"),
    Param(("--pids-limit",), "Set container pids limit.", metavar="N"),
    Param(("--privileged",), "Give extended privileges to the container."),
    Param(
        ("--restart",),
        "Restart policy to apply when container exits: no, always, unless-stopped, on-failure[:N].",
        metavar="POLICY",
    ),
    Param(("--rich",), "Start container in rich container mode."),
    Param(("--rich-mode",), "Choose one rich container mode: dumb-init(default), systemd, sbin-init.", metavar="MODE"),
    Param(("--runtime",), "OCI runtime to use for this container.", metavar="RUNTIME"),
    Param(("--security-opt",), "Security Options (repeatable, comma separated).", metavar="OPT", repeat=True),
    Param(("--shm-size",), "Size of /dev/shm, default value is 64MB.", metavar="SIZE"),
    Param(
        ("--specific-id",),
        "Specify id of container: 64 characters of 0123456789abcdef.",
        metavar="ID",
    ),
    Param(("--sysctl",), "Sysctl options, key=value (repeatable, comma separated).", metavar="KV", repeat=True),
    Param(("-t", "--tty"), "Allocate a pseudo-TTY."),
    Param(("-u", "--user"), "UID or user name, [:group].", metavar="USER"),
    Param(("--ulimit",), "Set container ulimit, name=soft[:hard] (repeatable).", metavar="ULIMIT", repeat=True),
    Param(("--uts",), "UTS namespace to use.", metavar="MODE"),
    Param(
        ("-v", "--volume"),
        "Bind mount volumes to container, [source:]<destination>[:mode] (repeatable).",
        metavar="VOLUME",
        dest="volumes",
        repeat=True,
    ),
    Param(("--volume-driver",), "Set volume driver for container's volumes.", metavar="DRIVER"),
    Param(
        ("--volumes-from",),
        "Set volumes from other containers, <container>[:mode] (repeatable).",
        metavar="CONTAINER",
        repeat=True,
    ),
    Param(("-w", "--workdir"), "Set the working directory in a container.", metavar="DIR"),
)

_SIZE = re.compile(r"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_BINARY = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
RESTART_NAMES = ("always", "unless-stopped", "no")


def ram_in_bytes(text: str) -> int:
    """go-units' RAMInBytes: ``100m`` → 104857600; binary multiples, the unit's ``i``/``b`` optional."""
    m = _SIZE.match(text)
    if not m:
        raise CLIError(f"invalid size: '{text}'")
    try:
        size = float(m.group(1))
    except ValueError:
        raise CLIError(f"invalid size: '{text}'") from None
    if m.group(2):
        size *= _BINARY[m.group(2).lower()]
    return int(size)


def parse_memory(text: str | None) -> int:
    """pouch's ParseMemory (``""`` is 0, unset)."""
    return ram_in_bytes(text) if text else 0


def parse_memory_swap(text: str | None) -> int:
    """pouch's ParseMemorySwap: as memory, and ``-1`` for unlimited."""
    if text == "-1":
        return -1
    return parse_memory(text)


def parse_restart_policy(text: str | None) -> dict[str, Any]:
    """pouch's ParseRestartPolicy and ValidateRestartPolicy: ``on-failure:3`` → {Name, MaximumRetryCount}."""
    if not text:
        return {"Name": "no"}
    fields = text.split(":")
    name = fields[0]
    policy: dict[str, Any] = {"Name": name}
    if name in RESTART_NAMES:
        if len(fields) > 1:
            raise CLIError(f"maximum retry count can not be used with restart policy: {name}")
        return policy
    if name != "on-failure" or len(fields) > 2:
        raise CLIError(f"invalid restart policy: {text}")
    if len(fields) == 2:
        try:
            count = int(fields[1])
        except ValueError:
            raise CLIError(f'invalid restart policy: strconv.Atoi: parsing "{fields[1]}": invalid syntax') from None
        if count < 0:
            raise CLIError("maximum retry count can not be negative")
        policy["MaximumRetryCount"] = count
    return policy


def parse_labels(values: Sequence[str]) -> dict[str, str]:
    """pouch's ParseLabels: ``k=v``, a bare ``k`` is ``k=""``; a later key wins."""
    out: dict[str, str] = {}
    for value in values:
        key, _, val = value.partition("=")
        out[key] = val
    return out


def parse_key_values(values: Sequence[str], what: str) -> dict[str, str]:
    """``key=value`` items (sysctls, log options, annotations); an item without ``=`` is an error."""
    out: dict[str, str] = {}
    for value in values:
        if "=" not in value:
            raise CLIError(f"invalid {what} {value}: {what} must be in format of key=value")
        key, _, val = value.partition("=")
        out[key] = val
    return out


def split_commas(values: Sequence[str]) -> list[str]:
    """cobra's string-slice flags: each value may hold several, comma separated."""
    return [part for value in values for part in value.split(",") if part]


def parse_devices(values: Sequence[str]) -> list[dict[str, str]]:
    """pouch's ParseDeviceMappings: ``/dev/host[:/dev/container[:rwm]]``."""
    out = []
    for value in values:
        parts = value.split(":")
        if not parts[0] or len(parts) > 3:
            raise CLIError(f"invalid device mapping: {value}")
        host = parts[0]
        container = host
        perms = "rwm"
        if len(parts) >= 2:
            if len(parts) == 2 and parts[1] and set(parts[1]) <= set("rwm"):
                perms = parts[1]
            else:
                container = parts[1] or host
        if len(parts) == 3:
            perms = parts[2]
        if not perms or not set(perms) <= set("rwm"):
            raise CLIError(f"invalid device mode: {perms}")
        out.append({"PathOnHost": host, "PathInContainer": container, "CgroupPermissions": perms})
    return out


def parse_ulimits(values: Sequence[str]) -> list[dict[str, Any]]:
    """docker's ParseUlimit: ``nofile=1024[:2048]`` → {Name, Soft, Hard}."""
    out = []
    for value in values:
        name, sep, limits = value.partition("=")
        if not sep or not name:
            raise CLIError(f"invalid ulimit argument: {value}")
        soft_text, _, hard_text = limits.partition(":")
        try:
            soft = int(soft_text)
            hard = int(hard_text) if hard_text else soft
        except ValueError:
            raise CLIError(f"invalid ulimit argument: {value}") from None
        if soft > hard:
            raise CLIError(f"ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")
        out.append({"Name": name, "Soft": soft, "Hard": hard})
    return out


def parse_exposed_ports(values: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``--expose 80``, ``--expose 53/udp``, ``--expose 8000-8002`` → {"80/tcp": {}}."""
    out: dict[str, dict[str, Any]] = {}
    for value in split_commas(values):
        port, _, proto = value.partition("/")
        proto = proto or "tcp"
        low, _, high = port.partition("-")
        try:
            start, end = int(low), int(high or low)
        except ValueError:
            raise CLIError(f"invalid range format for --expose: {value}") from None
        if not (0 < start <= end <= 65535):
            raise CLIError(f"invalid range format for --expose: {value}")
        for p in range(start, end + 1):
            out[f"{p}/{proto}"] = {}
    return out


def parse_networks(values: Sequence[str], ip: str | None, ip6: str | None) -> tuple[str, dict[str, Any]]:
    """pouch's ParseNetworks (+ SetEndpointIPAddress): the NetworkMode and the endpoints' config.

    No ``--net`` is ``bridge``; ``--net none``, ``--net host``, ``--net container:ID``; the first
    name is the mode unless a later one says ``NAME:mode``. ``NAME:IP`` sets the endpoint's address."""
    mode = "" if values else "bridge"
    endpoints: dict[str, dict[str, Any]] = {}
    for network in values:
        if not network:
            raise CLIError("invalid network: cannot be empty")
        parts = network.split(":")
        name, parameter, kind = parts[0], "", ""
        if len(parts) == 1 and _is_ip(parts[0]):
            name, parameter = "", parts[0]
        elif len(parts) == 2:
            if name == "container" or _is_ip(parts[1]):
                parameter = parts[1]
            else:
                kind = parts[1]
        elif len(parts) >= 3:
            parameter, kind = parts[1], parts[2]
        if not mode or kind == "mode":
            mode = name
        if name == "container":
            mode = f"container:{parameter}"
        elif parameter and _is_ip(parameter):
            endpoints[name] = {"IPAddress": parameter, "IPAMConfig": {"IPv4Address": parameter}}
    if ip or ip6:
        endpoint = endpoints.setdefault(mode, {})
        ipam = endpoint.setdefault("IPAMConfig", {})
        if ip:
            if not _is_ip(ip, 4):
                raise CLIError(f"invalid IPv4 address: {ip}")
            ipam["IPv4Address"] = ip
        if ip6:
            if not _is_ip(ip6, 6):
                raise CLIError(f"invalid IPv6 addresss: {ip6}")
            ipam["IPv6Address"] = ip6
    if len(endpoints) > 1:
        raise CLIError(f"Container cannot be connected to network endpoints: {', '.join(sorted(endpoints))}")
    return mode, endpoints


def _is_ip(text: str, version: int | None = None) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return version is None or address.version == version


def read_env_files(files: Sequence[str], env: Sequence[str]) -> list[str]:
    """pouch's readKVStrings: the files' variables (``#`` comments and blank lines skipped, a bare
    name takes this shell's value when it has one), then ``-e``'s."""
    out: list[str] = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise CLIError(f"failed to read env file {path}: {e}") from None
        for number, raw in enumerate(lines, 1):
            line = raw.lstrip()
            if not line or line.startswith("#"):
                continue
            name, sep, value = line.partition("=")
            if not name or any(c.isspace() for c in name):
                raise CLIError(f"variable '{name}' has white spaces (in {path}, line {number})")
            if sep:
                out.append(f"{name}={value}")
            elif name in os.environ:
                out.append(f"{name}={os.environ[name]}")
            else:
                out.append(name)
    out.extend(env)
    return out


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` only when ``value`` says something (pouch's ``omitempty`` as the daemon reads it)."""
    if value not in (None, "", 0, [], {}, False):
        target[key] = value


def security_options(values: Sequence[str] | None) -> list[str]:
    """``--security-opt`` as Docker's client sends it: ``seccomp=FILE`` becomes ``seccomp=`` and the
    file's JSON (pouchd reads no files of the client's); a JSON profile is never cut at its commas."""
    options: list[str] = []
    for value in values or ():
        key, sep, rest = value.partition("=")
        if key == "seccomp" and sep and rest not in ("unconfined", "") and not rest.lstrip().startswith("{"):
            try:
                with open(rest, encoding="utf-8") as f:
                    options.append("seccomp=" + json.dumps(json.load(f), separators=(",", ":")))
            except (OSError, ValueError) as e:
                raise CLIError(f"opening seccomp profile ({rest}) failed: {e}") from None
        elif key == "seccomp":
            options.append(value)
        else:
            options.extend(split_commas([value]))
    return options


def create_body(args: argparse.Namespace, image: str, command: Sequence[str], open_stdin: bool) -> dict[str, Any]:
    """``POST /containers/create``'s body for the parsed flags, the image and its command."""
    body: dict[str, Any] = {"Image": image}
    if command:
        body["Cmd"] = list(command)
    _put(body, "Entrypoint", (args.entrypoint or "").split())
    _put(body, "Env", read_env_files(args.env_file, args.env))
    _put(body, "WorkingDir", args.workdir)
    _put(body, "User", args.user)
    _put(body, "Hostname", args.hostname)
    _put(body, "Labels", parse_labels(args.label))
    _put(body, "Tty", args.tty)
    _put(body, "OpenStdin", open_stdin)
    _put(body, "DisableNetworkFiles", args.disable_network_files)
    _put(body, "ExposedPorts", parse_exposed_ports(args.expose))
    _put(body, "SpecAnnotation", parse_key_values(args.annotation, "annotation"))
    _put(body, "NetPriority", parse_int(args.net_priority, "--net-priority"))
    _put(body, "MacAddress", args.mac_address)
    _put(body, "Rich", args.rich)
    _put(body, "RichMode", args.rich_mode)
    _put(body, "InitScript", args.initscript)
    if args.specific_id:
        if not re.fullmatch(r"[0-9a-f]{64}", args.specific_id):
            raise CLIError(
                "invalid param specific ID: length of id should be 64, characters of id should be in '0123456789abcdef'"
            )
        body["SpecificID"] = args.specific_id

    host: dict[str, Any] = {}
    _put(host, "Binds", list(args.volumes))
    _put(host, "VolumesFrom", split_commas(args.volumes_from))
    _put(host, "VolumeDriver", args.volume_driver)
    _put(host, "Runtime", args.runtime)
    _put(host, "CpuShares", parse_int(args.cpu_shares, "--cpu-shares"))
    _put(host, "CpusetCpus", args.cpuset_cpus)
    _put(host, "CpusetMems", args.cpuset_mems)
    _put(host, "CpuPeriod", parse_int(args.cpu_period, "--cpu-period"))
    _put(host, "CpuQuota", parse_int(args.cpu_quota, "--cpu-quota"))
    _put(host, "Memory", parse_memory(args.memory))
    _put(host, "MemoryReservation", parse_memory(args.memory_reservation))
    _put(host, "MemorySwap", parse_memory_swap(args.memory_swap))
    if args.memory_swappiness is not None:
        host["MemorySwappiness"] = parse_int(args.memory_swappiness, "--memory-swappiness")
    _put(host, "KernelMemory", parse_memory(args.kernel_memory))
    if args.oom_kill_disable:
        host["OomKillDisable"] = True
    if args.oom_score_adj is not None:
        host["OomScoreAdj"] = parse_int(args.oom_score_adj, "--oom-score-adj")
    _put(host, "BlkioWeight", parse_int(args.blkio_weight, "--blkio-weight"))
    _put(host, "Devices", parse_devices(args.device))
    _put(host, "CgroupParent", args.cgroup_parent)
    _put(host, "Ulimits", parse_ulimits(args.ulimit))
    _put(host, "PidsLimit", parse_int(args.pids_limit, "--pids-limit"))
    _put(host, "ExtraHosts", list(args.add_host))
    _put(host, "Dns", list(args.dns))
    _put(host, "DnsOptions", split_commas(args.dns_option))
    _put(host, "DnsSearch", list(args.dns_search))
    _put(host, "EnableLxcfs", args.enable_lxcfs)
    _put(host, "Privileged", args.privileged)
    host["RestartPolicy"] = parse_restart_policy(args.restart)
    _put(host, "IpcMode", args.ipc)
    _put(host, "PidMode", args.pid)
    _put(host, "UTSMode", args.uts)
    _put(host, "GroupAdd", list(args.group_add))
    _put(host, "Sysctls", parse_key_values(split_commas(args.sysctl), "sysctl"))
    _put(host, "SecurityOpt", security_options(args.security_opt))
    _put(host, "CapAdd", split_commas(args.cap_add))
    _put(host, "CapDrop", split_commas(args.cap_drop))
    _put(host, "ShmSize", parse_memory(args.shm_size))
    mode, endpoints = parse_networks(split_commas(args.networks), args.ip, args.ip6)
    host["NetworkMode"] = mode
    log_opts = parse_key_values(args.log_opt, "log-opt")
    if args.log_driver or log_opts:
        driver = args.log_driver or "json-file"
        if driver == "none" and log_opts:
            raise CLIError(f"don't allow to set logging opts for driver {driver}")
        host["LogConfig"] = {"Type": driver, "Config": log_opts}
    if args.tty:
        from pouch_cli.attach import terminal_size

        # The terminal's size from the start (Docker's CLI sends it too): a resize after the start
        # comes after the process may have asked for it.
        size = terminal_size()
        if size is not None and size != (0, 0):
            host["ConsoleSize"] = list(size)
    body["HostConfig"] = host
    body["NetworkingConfig"] = {"EndpointsConfig": endpoints}
    return body


def create_container(opts: ClientOptions, args: argparse.Namespace, action: str, open_stdin: bool) -> tuple[str, str]:
    """Create the container, pulling its image first when pouchd does not have it (the create's
    404, as Docker's CLI does it: one request when the image is there, where pouch's CLI asks for
    the image first); its (ID, name). Warnings are printed as pouch does."""
    from pouch_cli.container_common import create_request
    from pouch_cli.pull import pull

    try:
        body = create_body(args, args.image, args.command, open_stdin)
    except CLIError as e:
        raise CLIError(f"{action}: {e}") from None
    if open_stdin and action == "failed to run container":
        body["StdinOnce"] = True  # the container's input ends with ours
    result = create_request(opts, body, args.name)
    if result is None:  # no such image
        pull(opts, args.image, sys.stdout)
        sys.stdout.flush()
        result = create_request(opts, body, args.name)
    if result is None:
        raise CLIError(f"{action}: image {args.image}: not found")
    if isinstance(result, str):
        raise CLIError(f"{action}: {result}")
    if result.warnings:
        print(f"WARNING: {chr(10).join(result.warnings)} ", flush=True)
    name = result.name if isinstance(result.name, str) and result.name else args.name or result.id
    return result.id, name
