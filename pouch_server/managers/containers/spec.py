"""The OCI runtime spec of a container (pouch's daemon/mgr/spec*.go), as the dict pouchd hands to
containerd.

The defaults are Docker's (moby's ``oci/defaults.go``): its 14 capabilities, its masked and
read-only paths, its mounts (containerd's, less ``/run``, plus ``/sys/fs/cgroup``); containerd's
``RLIMIT_NOFILE`` of 1024 and its default device rules. Capabilities follow containerd 1.6: no
inheritable set (CVE-2022-24769). What the container's settings would make runc refuse is
refused here with a 400 and Docker's message, so that a create fails rather than a later start.

Namespaces: pid, ipc, uts, mount and network. ``NetworkMode`` "host" drops the network namespace
only, as Docker does: the container keeps its own UTS namespace and hostname (``UTSMode`` "host"
drops that one, and the hostname with it). ``PidMode`` and ``IpcMode`` "host" drop theirs.
Joining another container's namespaces (``container:<id>``) is not supported.

Seccomp: Docker's default profile for a non-privileged container (seccomp.py), unless its
``SecurityOpt`` has ``seccomp=unconfined`` or gives a profile's JSON text (``seccomp=<JSON>``).
"""

from __future__ import annotations

import copy
import functools
import glob
import os
import posixpath
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pouch_server.errors import APIError
from pouch_server.managers.containers import seccomp

OCI_VERSION: Final = "1.0.2-dev"
DEFAULT_PATH: Final = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: Docker's /dev/shm size when ShmSize is unset: 64 MiB.
DEFAULT_SHM_SIZE: Final = 64 * 1024 * 1024
#: Docker's floor for a memory limit and a memory reservation.
MIN_MEMORY: Final = 6 * 1024 * 1024
#: What an ulimit of -1 means: RLIM_INFINITY.
RLIM_INFINITY: Final = 2**64 - 1
MAX_ID: Final = 2**31 - 1

#: Linux's capabilities by number (capability.h), 0 to 40.
ALL_CAPABILITIES: Final = tuple(
    "CAP_" + name
    for name in (
        "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE "
        "NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT "
        "SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE "
        "AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ "
        "PERFMON BPF CHECKPOINT_RESTORE"
    ).split()
)
#: Docker's (and containerd's) default capabilities, in their order.
DEFAULT_CAPABILITIES: Final = (
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
)
#: Docker's masked paths (moby oci/defaults.go); the thermal_throttle ones are added per host.
MASKED_PATHS: Final = (
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/sys/devices/virtual/powercap",
    "/sys/firmware",
)
READONLY_PATHS: Final = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
#: containerd's default device rules (WithDefaultUnixDevices), after "deny all":
#: null, random, full, tty, zero, urandom, console, pts (136:*), ptmx.
DEFAULT_DEVICE_RULES: Final = ((1, 3), (1, 8), (1, 7), (5, 0), (1, 5), (1, 9), (5, 1), (136, None), (5, 2))
ULIMITS: Final = frozenset(
    "as core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime sigpending stack".split()
)
#: sysctls that a container's own namespaces cover (Docker's opts.ValidateSysctl, runc's check).
IPC_SYSCTLS: Final = frozenset(
    "kernel.msgmax kernel.msgmnb kernel.msgmni kernel.sem kernel.shmall kernel.shmmax kernel.shmmni "
    "kernel.shm_rmid_forced".split()
)
UTS_SYSCTLS: Final = frozenset(("kernel.domainname", "kernel.hostname"))
PROPAGATIONS: Final = frozenset(("shared", "rshared", "slave", "rslave", "private", "rprivate"))
CPUSET: Final = re.compile(r"\d+(-\d+)?(,\d+(-\d+)?)*")


# --- users --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    """Whom the process runs as; ``additional_gids`` are the supplementary groups (the primary gid is
    added to the spec's list by :func:`build_spec`, as Docker does)."""

    uid: int
    gid: int
    additional_gids: tuple[int, ...] = ()


def _numeric(text: str) -> int | None:
    """A uid or gid given as a number (Go's Atoi), None for a name; out of range is a 400."""
    if not re.fullmatch(r"[+-]?\d+", text):
        return None
    value = int(text)
    if not 0 <= value <= MAX_ID:
        raise APIError(400, f"uids and gids must be in range 0-{MAX_ID}: {text}")
    return value


def _entries(text: str | None, fields: int) -> list[list[str]]:
    """The colon-separated lines of /etc/passwd or /etc/group with their numeric fields valid."""
    rows: list[list[str]] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        parts += [""] * (fields - len(parts))
        rows.append(parts)
    return rows


def _passwd(text: str | None) -> list[tuple[str, int, int]]:
    return [(p[0], int(p[2]), int(p[3])) for p in _entries(text, 7) if p[2].isdigit() and p[3].isdigit()]


def _groups(text: str | None) -> list[tuple[str, int, list[str]]]:
    return [
        (p[0], int(p[2]), [m.strip() for m in p[3].split(",") if m.strip()])
        for p in _entries(text, 4)
        if p[2].isdigit()
    ]


def resolve_user(user: str, passwd: str | None, group: str | None) -> User:
    """Resolve Docker's ``-u`` (``""``, name, uid, ``user:group`` with either part a name or a number)
    against the image's /etc/passwd and /etc/group texts (None when the image has none), as
    moby/sys/user's GetExecUser does. Supplementary groups come only in the implicit form (no group
    given): the groups listing the matched user's name."""
    user_arg, _, rest = (user or "").partition(":")
    group_arg = rest.split(":", 1)[0]
    uid_arg = _numeric(user_arg)
    gid_arg = _numeric(group_arg)
    users = _passwd(passwd)
    if user_arg == "":
        matches = [u for u in users if u[1] == 0]
    elif uid_arg is not None:
        matches = [u for u in users if u[1] == uid_arg]
    else:
        matches = [u for u in users if u[0] == user_arg]
    uid, gid, name = 0, 0, ""
    if matches:
        name, uid, gid = matches[0]
    elif user_arg:
        if uid_arg is None:
            raise APIError(400, f"unable to find user {user_arg}: no matching entries in passwd file")
        uid = uid_arg
    supplementary: list[int] = []
    if group_arg:
        found = [g for g in _groups(group) if (g[1] == gid_arg if gid_arg is not None else g[0] == group_arg)]
        if found:
            gid = found[0][1]
        elif gid_arg is not None:
            gid = gid_arg
        else:
            raise APIError(400, f"unable to find group {group_arg}: no matching entries in group file")
    elif name:
        supplementary = [g[1] for g in _groups(group) if name in g[2]]
    return User(uid, gid, tuple(supplementary))


# --- the input ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpecInput:
    """What a container's spec is made of: its Config and HostConfig (Docker's dicts), the user its
    process runs as, its cgroup, and the host files bound over /etc/hostname, /etc/hosts and
    /etc/resolv.conf (container path → host path)."""

    id: str
    config: Mapping[str, Any]
    host_config: Mapping[str, Any]
    user: User
    cgroups_path: str
    etc_files: Mapping[str, str]
    rootfs: str = "rootfs"


def _get(m: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` set (not null) in ``m``: pouch spells some keys CPUShares, Docker CpuShares."""
    for key in keys:
        value = m.get(key)
        if value is not None:
            return value
    return None


def _int(m: Mapping[str, Any], *keys: str) -> int:
    value = _get(m, *keys)
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise APIError(400, f"invalid {keys[0]} {value!r}: want an integer") from None
    return value


def _strings(value: Any) -> list[str]:
    """A Docker StrSlice: a list of strings, or one string, or null."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


# --- environment --------------------------------------------------------------------------------------
def merge_env(base: Iterable[str], overrides: Iterable[str]) -> list[str]:
    """Docker's ReplaceOrAppendEnvValues: an override replaces the same key in place or is appended;
    a bare ``KEY`` (no ``=``) unsets it."""
    result = list(base)
    index = {item.split("=", 1)[0]: i for i, item in enumerate(result)}
    for item in overrides:
        key = item.split("=", 1)[0]
        if key in index:
            result[index[key]] = item
        else:
            index[key] = len(result)
            result.append(item)
    return [item for item in result if "=" in item]


# --- capabilities -------------------------------------------------------------------------------------
def current_capabilities() -> list[str]:
    """The capabilities this process may hand on: its bounding set (Docker's GetAllCapabilities)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapBnd:"):
                    mask = int(line.split()[1], 16)
                    return [c for i, c in enumerate(ALL_CAPABILITIES) if mask >> i & 1]
    except (OSError, ValueError):
        pass
    return list(ALL_CAPABILITIES)


def _normalize_caps(caps: Sequence[str], available: Sequence[str]) -> list[str]:
    normalized: list[str] = []
    for cap in caps:
        name = str(cap).upper()
        if name != "ALL":
            if not name.startswith("CAP_"):
                name = "CAP_" + name
            if name not in ALL_CAPABILITIES:
                raise APIError(400, f'unknown capability: "{name}"')
            if name not in available:
                raise APIError(
                    400,
                    f'capability not supported by your kernel or not available in the current environment: "{name}"',
                )
        normalized.append(name)
    return normalized


def capabilities(cap_add: Sequence[str], cap_drop: Sequence[str], privileged: bool) -> list[str]:
    """Docker's TweakCapabilities: every available one when privileged, else the defaults less
    CapDrop plus CapAdd (``ALL`` in CapAdd: all but CapDrop; ``ALL`` in CapDrop: just CapAdd)."""
    available = current_capabilities()
    if privileged:
        return available
    drop = _normalize_caps(cap_drop, available)
    add = _normalize_caps(cap_add, available)
    if "ALL" in add:
        return [c for c in available if c not in drop]
    base = [] if "ALL" in drop else [c for c in DEFAULT_CAPABILITIES if c not in drop]
    return base + [c for c in dict.fromkeys(add) if c not in base]


def _caps_dict(caps: Sequence[str]) -> dict[str, list[str]]:
    # containerd 1.6 sets no inheritable capabilities (CVE-2022-24769).
    return {"bounding": list(caps), "effective": list(caps), "permitted": list(caps)}


# --- process ------------------------------------------------------------------------------------------
def _user_dict(user: User) -> dict[str, Any]:
    # Docker lists the primary gid first among the additional ones (daemon/oci_linux.go getUser).
    gids = list(dict.fromkeys((user.gid, *user.additional_gids)))
    return {"uid": user.uid, "gid": user.gid, "additionalGids": gids}


def _rlimits(ulimits: Any) -> list[dict[str, Any]]:
    limits: dict[str, dict[str, Any]] = {"RLIMIT_NOFILE": {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}}
    for u in ulimits or []:
        if not isinstance(u, Mapping):
            raise APIError(400, f"invalid ulimit {u!r}: want {{Name, Soft, Hard}}")
        name = str(u.get("Name") or "").lower()
        if name not in ULIMITS:
            raise APIError(400, f"invalid ulimit type: {name}")
        soft, hard = (_int(u, "Soft"), _int(u, "Hard"))
        soft, hard = (RLIM_INFINITY if v == -1 else v for v in (soft, hard))
        if soft < 0 or hard < 0:
            raise APIError(400, f"invalid ulimit {name}: limits may not be negative (-1 is unlimited)")
        if soft > hard:
            raise APIError(400, f"ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")
        kind = "RLIMIT_" + name.upper()
        limits[kind] = {"type": kind, "hard": hard, "soft": soft}
    return list(limits.values())


def _process(inp: SpecInput, hostname: str) -> dict[str, Any]:
    config, hc = inp.config, inp.host_config
    args = _strings(config.get("Entrypoint")) + _strings(config.get("Cmd"))
    if not args:
        raise APIError(400, "No command specified")
    tty = bool(config.get("Tty"))
    defaults = [f"PATH={DEFAULT_PATH}"]
    if hostname:
        defaults.append(f"HOSTNAME={hostname}")
    if tty:
        defaults.append("TERM=xterm")
    env = merge_env(defaults, _strings(config.get("Env")))
    cwd = str(config.get("WorkingDir") or "/")
    if not cwd.startswith("/"):
        raise APIError(400, f"the working directory '{cwd}' is invalid, it needs to be an absolute path")
    caps = capabilities(_strings(hc.get("CapAdd")), _strings(hc.get("CapDrop")), bool(hc.get("Privileged")))
    process: dict[str, Any] = {
        "terminal": tty,
        "user": _user_dict(inp.user),
        "args": args,
        "env": env,
        "cwd": posixpath.normpath(cwd),
        "capabilities": _caps_dict(caps),
        "rlimits": _rlimits(hc.get("Ulimits")),
        "noNewPrivileges": False,
    }
    size = hc.get("ConsoleSize")
    if tty and isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) and n > 0 for n in size):
        # The terminal's first size (Docker's ConsoleSize, [height, width]): a client's resize can
        # only come after the start, when the process may have read the size already.
        process["consoleSize"] = {"height": size[0], "width": size[1]}
    oom = hc.get("OomScoreAdj")
    if oom is not None:
        oom = _int(hc, "OomScoreAdj")
        if not -1000 <= oom <= 1000:
            raise APIError(400, f"Invalid value {oom}, range for oom score adj is [-1000, 1000]")
        # A lowering the host would refuse made the start fail with runc's riddle ("can't get
        # final child's PID from pipe"); the create warned of this (oom_score_adj_floor).
        floor = oom_score_adj_floor()
        process["oomScoreAdj"] = oom if floor is None else max(oom, floor)
    return process


#: The capability that lets a process lower its oom_score_adj below what it inherited.
CAP_SYS_RESOURCE: Final = 24


@functools.cache
def oom_score_adj_floor() -> int | None:
    """The lowest ``OomScoreAdj`` a container's process can be given here, or None for any.

    Without CAP_SYS_RESOURCE (some sandboxes and nested setups drop it, even for root) a process
    may not go below the oom_score_adj it inherited, and runc, which writes the container's, then
    fails the start. pouch's CLI asks for -500 by default, so on such a host pouchd applies the
    lowest it can (its own value, which containerd and its shims inherit) and warns at create,
    as Docker does for a setting the host cannot honour."""
    try:
        with open("/proc/self/status") as f:
            caps = next((line.split()[1] for line in f if line.startswith("CapEff:")), None)
        with open("/proc/self/oom_score_adj") as f:
            own = int(f.read())
    except (OSError, ValueError):
        return None
    if caps is None or int(caps, 16) >> CAP_SYS_RESOURCE & 1:
        return None
    return own


def process_for_exec(
    spec: Mapping[str, Any],
    *,
    args: list[str],
    env: list[str],
    user: User | None,
    cwd: str,
    tty: bool,
    privileged: bool,
) -> dict[str, Any]:
    """The OCI process of an exec in a running container: the container's process with ``args``,
    its env with ``env`` on top, ``user`` and ``cwd`` when given, a terminal when ``tty``, and every
    available capability when ``privileged`` (Docker's exec --privileged). The container's seccomp
    filter (``linux.seccomp``) still applies, privileged or not, as in Docker: runc installs it in
    every process it starts in the container."""
    if not args:
        raise APIError(400, "No exec command specified")
    process: dict[str, Any] = copy.deepcopy(dict(spec.get("process") or {}))
    process["args"] = list(args)
    process["env"] = merge_env(process.get("env") or [], env)
    if user is not None:
        process["user"] = _user_dict(user)
    if cwd:
        if not cwd.startswith("/"):
            raise APIError(400, f"the working directory '{cwd}' is invalid, it needs to be an absolute path")
        process["cwd"] = posixpath.normpath(cwd)
    process.setdefault("cwd", "/")
    process["terminal"] = tty
    process.pop("consoleSize", None)
    if privileged:
        process["capabilities"] = _caps_dict(current_capabilities())
    return process


# --- mounts -------------------------------------------------------------------------------------------
def _default_mounts(hc: Mapping[str, Any], privileged: bool) -> list[dict[str, Any]]:
    shm = _int(hc, "ShmSize")
    if shm < 0:
        raise APIError(400, "SHM size can not be less than 0")
    shm = shm or DEFAULT_SHM_SIZE
    size = f"size={shm // 1024}k" if shm % 1024 == 0 else f"size={shm}"
    if hc.get("IpcMode") == "host":
        # Docker binds the host's /dev/shm into a container sharing the host's IPC namespace.
        shm_mount = {"destination": "/dev/shm", "type": "bind", "source": "/dev/shm", "options": ["rbind", "rprivate"]}
    else:
        shm_mount = {
            "destination": "/dev/shm",
            "type": "tmpfs",
            "source": "shm",
            "options": ["nosuid", "noexec", "nodev", "mode=1777", size],
        }
    ro = [] if privileged else ["ro"]
    return [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {
            "destination": "/dev",
            "type": "tmpfs",
            "source": "tmpfs",
            "options": ["nosuid", "strictatime", "mode=755", "size=65536k"],
        },
        {
            "destination": "/dev/pts",
            "type": "devpts",
            "source": "devpts",
            "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
        },
        shm_mount,
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", *ro]},
        {
            "destination": "/sys/fs/cgroup",
            "type": "cgroup",
            "source": "cgroup",
            "options": [*ro, "nosuid", "noexec", "nodev"] if ro else ["rw", "nosuid", "noexec", "nodev"],
        },
    ]


def _destination(path: str, what: str) -> str:
    if not path.startswith("/"):
        raise APIError(400, f"invalid {what}: mount destination {path} is not an absolute path")
    clean = posixpath.normpath(path)
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if clean == "/":
        raise APIError(400, f"invalid {what}: destination can't be '/'")
    return clean


def _bind_mount(source: str, dest: str, modes: Sequence[str], what: str) -> tuple[dict[str, Any], str]:
    """A bind mount and its propagation; the source must be an existing absolute host path."""
    if not source.startswith("/"):
        raise APIError(
            400,
            f"invalid bind mount {what}: source {source} is not an absolute host path (pouchd has no named volumes)",
        )
    if not os.path.exists(source):
        raise APIError(400, f'invalid mount config for type "bind": bind source path does not exist: {source}')
    writable: str | None = None
    propagation: str | None = None
    for mode in modes:
        if mode in ("ro", "rw"):
            if writable is not None:
                raise APIError(400, f"invalid mode: {','.join(modes)}")
            writable = mode
        elif mode in PROPAGATIONS:
            if propagation is not None:
                raise APIError(400, f"invalid mode: {','.join(modes)}")
            propagation = mode
        elif mode not in ("z", "Z", "nocopy", ""):  # SELinux relabelling and nocopy have nothing to do here
            raise APIError(400, f"invalid mode: {','.join(modes)}")
    propagation = propagation or "rprivate"
    options = ["rbind", propagation]
    if writable == "ro":
        options.append("ro")
    destination = _destination(dest, f"bind mount {what}")
    return {"destination": destination, "type": "bind", "source": source, "options": options}, propagation


def _binds(hc: Mapping[str, Any]) -> tuple[list[dict[str, Any]], set[str]]:
    mounts: list[dict[str, Any]] = []
    propagations: set[str] = set()
    for bind in _strings(hc.get("Binds")):
        parts = bind.split(":")
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise APIError(
                400, f"invalid bind mount {bind!r}: want /host/path:/container/path[:options] (pouchd has no volumes)"
            )
        modes = parts[2].split(",") if len(parts) == 3 else []
        mount, propagation = _bind_mount(parts[0], parts[1], modes, repr(bind))
        mounts.append(mount)
        propagations.add(propagation)
    for m in hc.get("Mounts") or []:
        if not isinstance(m, Mapping):
            raise APIError(400, f"invalid mount {m!r}: want {{Type, Source, Target, ...}}")
        kind = m.get("Type") or "volume"
        target = str(m.get("Target") or "")
        if kind == "bind":
            modes = ["ro"] if m.get("ReadOnly") else []
            prop = (m.get("BindOptions") or {}).get("Propagation")
            if prop:
                modes.append(str(prop))
            mount, propagation = _bind_mount(str(m.get("Source") or ""), target, modes, f"for {target}")
            mounts.append(mount)
            propagations.add(propagation)
        elif kind == "tmpfs":
            tmpfs = m.get("TmpfsOptions") or {}
            options = []
            if tmpfs.get("SizeBytes"):
                options.append(f"size={int(tmpfs['SizeBytes'])}")
            if tmpfs.get("Mode"):
                options.append(f"mode={int(tmpfs['Mode']):o}")
            if m.get("ReadOnly"):
                options.append("ro")
            mounts.append(_tmpfs(target, options))
        else:
            raise APIError(400, f"mount type {kind} is not supported: pouchd has bind and tmpfs mounts")
    return mounts, propagations


def _tmpfs(dest: str, options: Sequence[str]) -> dict[str, Any]:
    """A tmpfs mount with Docker's defaults (noexec, nosuid, nodev) that its options may override."""
    merged: dict[str, str] = {"exec": "noexec", "suid": "nosuid", "dev": "nodev"}
    for option in options:
        option = option.strip()
        if not option:
            continue
        if "=" in option:
            key = option.split("=", 1)[0]
        elif option in ("ro", "rw"):
            key = "rw"
        else:
            key = option.removeprefix("no") if option in ("noexec", "nosuid", "nodev") else option
        merged[key] = option  # the last one given wins: "exec" undoes the default "noexec"
    return {
        "destination": _destination(dest, "tmpfs"),
        "type": "tmpfs",
        "source": "tmpfs",
        "options": list(merged.values()),
    }


def _mounts(inp: SpecInput, privileged: bool) -> tuple[list[dict[str, Any]], str]:
    """All the mounts, the container's own after the defaults, parents before children; and the
    root's propagation when a bind asks for shared or slave."""
    hc = inp.host_config
    user, propagations = _binds(hc)
    tmpfs = hc.get("Tmpfs") or {}
    if not isinstance(tmpfs, Mapping):
        raise APIError(400, "invalid Tmpfs: want a map of container path to options")
    for dest, options in tmpfs.items():
        user.append(_tmpfs(str(dest), str(options or "").split(",")))
    seen: set[str] = set()
    for m in user:
        if m["destination"] in seen:
            raise APIError(400, f"Duplicate mount point: {m['destination']}")
        seen.add(m["destination"])
    etc_options = ["rbind", "rprivate", "ro" if hc.get("ReadonlyRootfs") else "rw"]
    etc = [
        {"destination": dest, "type": "bind", "source": src, "options": list(etc_options)}
        for dest, src in inp.etc_files.items()
        if dest not in seen  # a container's own mount wins over pouchd's file, as in Docker
    ]
    # A container's own /dev replaces the default one and everything under it (moby WithMounts).
    own_dev = "/dev" in seen
    defaults = [
        m
        for m in _default_mounts(hc, privileged)
        if m["destination"] not in seen and not (own_dev and m["destination"].startswith("/dev/"))
    ]
    ordered = sorted(etc + user, key=lambda m: len(m["destination"].strip("/").split("/")))
    root_propagation = ""
    if propagations & {"shared", "rshared"}:
        root_propagation = "shared"
    elif propagations & {"slave", "rslave"}:
        root_propagation = "rslave"
    return defaults + ordered, root_propagation


# --- devices ------------------------------------------------------------------------------------------
def _device(path: str, container_path: str, permissions: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    st = os.stat(path)
    if stat.S_ISCHR(st.st_mode):
        kind = "c"
    elif stat.S_ISBLK(st.st_mode):
        kind = "b"
    else:
        return None
    major, minor = os.major(st.st_rdev), os.minor(st.st_rdev)
    device = {
        "path": container_path,
        "type": kind,
        "major": major,
        "minor": minor,
        "fileMode": stat.S_IMODE(st.st_mode),
        "uid": st.st_uid,
        "gid": st.st_gid,
    }
    rule = {"allow": True, "type": kind, "major": major, "minor": minor, "access": permissions}
    return device, rule


def _devices(hc: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Host devices as pouch's devicesFromPath finds them: a node, or every node under a directory."""
    devices: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    for mapping in hc.get("Devices") or []:
        if not isinstance(mapping, Mapping):
            raise APIError(400, f"invalid device {mapping!r}: want {{PathOnHost, PathInContainer, CgroupPermissions}}")
        host = str(mapping.get("PathOnHost") or "")
        inside = str(mapping.get("PathInContainer") or host)
        permissions = str(mapping.get("CgroupPermissions") or "rwm")
        if not host.startswith("/"):
            raise APIError(400, f"invalid device {host!r}: PathOnHost must be an absolute path")
        if not inside.startswith("/"):
            raise APIError(400, f"invalid device {host}: PathInContainer {inside} must be an absolute path")
        if set(permissions) - set("rwm") or len(set(permissions)) != len(permissions):
            raise APIError(400, f"{host} invalid device mode: {permissions}")
        failure = f'error gathering device information while adding custom device "{host}"'
        resolved = os.path.realpath(host)
        try:
            found = [_device(resolved, inside, permissions)]
            if found[0] is None and os.path.isdir(resolved):
                found = []
                for root, _dirs, files in os.walk(resolved):
                    for name in sorted(files):
                        child = os.path.join(root, name)
                        try:
                            found.append(_device(child, inside + child[len(resolved) :], permissions))
                        except OSError:
                            continue  # pouch skips what it cannot stat under a directory
        except OSError as e:
            raise APIError(400, f"{failure}: {e.strerror.lower() if e.strerror else e}") from None
        nodes = [f for f in found if f is not None]
        if not nodes:
            raise APIError(400, f"{failure}: not a device node")
        for device, rule in nodes:
            devices.append(device)
            rules.append(rule)
    return devices, rules


#: Directories of /dev whose nodes a privileged container does not get from the host (runc's
#: devices.HostDevices: each container has its own pts, shm and mqueue; fd is a link farm).
_HOST_DEVICES_SKIPPED: Final = frozenset({"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts"})


def host_devices(root: str = "/dev") -> list[dict[str, Any]]:
    """Every device node of the host, for a privileged container (pouch's and Docker's
    ``devices.HostDevices``): the nodes under ``root`` and its directories but those skipped and
    ``console``; links are not followed, and a node that goes while it is read is left out."""
    found: list[dict[str, Any]] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _HOST_DEVICES_SKIPPED:
                    found += host_devices(entry.path)
                continue
            if entry.is_symlink() or entry.name == "console":
                continue
            node = _device(entry.path, entry.path, "rwm")
        except OSError:
            continue
        if node is not None:
            found.append(node[0])
    return found


def _device_rules(privileged: bool, extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if privileged:
        return [{"allow": True, "access": "rwm"}]
    rules: list[dict[str, Any]] = [{"allow": False, "access": "rwm"}]
    for major, minor in DEFAULT_DEVICE_RULES:
        rule: dict[str, Any] = {"allow": True, "type": "c", "major": major, "access": "rwm"}
        if minor is not None:
            rule["minor"] = minor
        rules.append(rule)
    return rules + extra


# --- resources ----------------------------------------------------------------------------------------
def _swap_supported() -> bool:
    """Whether the host limits swap (Docker drops MemorySwap with a warning when it cannot)."""
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):  # cgroup v2
        return True
    return os.path.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")


def _blkio_weight_supported() -> bool:
    """Whether the host's I/O scheduler takes a weight (Docker drops BlkioWeight when it does not)."""
    paths = (
        "/sys/fs/cgroup/blkio/blkio.weight",
        "/sys/fs/cgroup/blkio/blkio.bfq.weight",
        "/sys/fs/cgroup/io.weight",
        "/sys/fs/cgroup/io.bfq.weight",
    )
    return any(os.path.exists(p) for p in paths) or bool(glob.glob("/sys/fs/cgroup/*/io.*weight"))


def _memory(hc: Mapping[str, Any]) -> dict[str, Any]:
    memory = _int(hc, "Memory")
    swap = _int(hc, "MemorySwap")
    reservation = _int(hc, "MemoryReservation")
    for key, value in (("Memory", memory), ("MemoryReservation", reservation)):
        if value < 0:
            raise APIError(400, f"invalid {key} {value}: it may not be negative")
    if swap < -1:
        raise APIError(400, f"invalid MemorySwap {swap}: it may not be negative (-1 is unlimited)")
    if 0 < memory < MIN_MEMORY:
        raise APIError(400, "Minimum memory limit allowed is 6MB")
    if swap > 0 and memory == 0:
        raise APIError(400, "You should always set the Memory limit when using Memoryswap limit, see usage.")
    if swap > 0 and swap < memory:
        raise APIError(400, "Minimum memoryswap limit should be larger than memory limit, see usage.")
    if 0 < reservation < MIN_MEMORY:
        raise APIError(400, "Minimum memory reservation allowed is 6MB")
    if memory > 0 and reservation > memory:
        raise APIError(400, "Minimum memory limit can not be less than memory reservation limit, see usage.")
    out: dict[str, Any] = {}
    if memory > 0:
        out["limit"] = memory
    if reservation > 0:
        out["reservation"] = reservation
    if _swap_supported():
        if swap == 0 and memory > 0:
            swap = memory * 2  # Docker: an unset swap limit is as much swap again as memory
        if swap != 0:
            out["swap"] = swap
    swappiness = hc.get("MemorySwappiness")
    if swappiness is not None and swappiness != -1:
        if not isinstance(swappiness, int) or not 0 <= swappiness <= 100:
            raise APIError(400, f"Invalid value: {swappiness}, valid memory swappiness range is 0-100")
        out["swappiness"] = swappiness
    if hc.get("OomKillDisable") is not None:
        out["disableOOMKiller"] = bool(hc.get("OomKillDisable"))
    return out


def _cpu(hc: Mapping[str, Any]) -> dict[str, Any]:
    shares = _int(hc, "CpuShares", "CPUShares")
    quota = _int(hc, "CpuQuota", "CPUQuota")
    period = _int(hc, "CpuPeriod", "CPUPeriod")
    nano = _int(hc, "NanoCpus", "NanoCPUs")
    if shares < 0:
        raise APIError(400, f"invalid CpuShares {shares}: it may not be negative")
    if 0 < quota < 1000:
        raise APIError(400, "CPU cfs quota can not be less than 1ms (i.e. 1000)")
    if quota < -1:
        raise APIError(400, f"invalid CpuQuota {quota}: it may not be negative (-1 is unlimited)")
    if period and not 1000 <= period <= 1000000:
        raise APIError(400, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
    if nano < 0:
        raise APIError(400, f"invalid NanoCpus {nano}: it may not be negative")
    if nano and period:
        raise APIError(400, "Conflicting options: Nano CPUs and CPU Period cannot both be set")
    if nano and quota:
        raise APIError(400, "Conflicting options: Nano CPUs and CPU Quota cannot both be set")
    if nano:
        period = 100000  # Docker's: NanoCpus is a quota over the default 100ms period
        quota = max(nano * period // 1_000_000_000, 1000)
    out: dict[str, Any] = {}
    if shares:
        out["shares"] = shares
    if quota:
        out["quota"] = quota
    if period:
        out["period"] = period
    for key, field in (("CpusetCpus", "cpus"), ("CpusetMems", "mems")):
        value = str(hc.get(key) or "")
        if value:
            if not CPUSET.fullmatch(value):
                raise APIError(400, f"Invalid value {value} for cpuset {field}")
            out[field] = value
    return out


def _resources(hc: Mapping[str, Any], privileged: bool, device_rules: list[dict[str, Any]]) -> dict[str, Any]:
    resources: dict[str, Any] = {"devices": _device_rules(privileged, device_rules)}
    memory = _memory(hc)
    if memory:
        resources["memory"] = memory
    cpu = _cpu(hc)
    if cpu:
        resources["cpu"] = cpu
    pids = _int(hc, "PidsLimit")
    if pids > 0:  # Docker: 0 and -1 are unlimited
        resources["pids"] = {"limit": pids}
    weight = _int(hc, "BlkioWeight")
    if weight and not 10 <= weight <= 1000:
        raise APIError(400, "Range of blkio weight is from 10 to 1000")
    if weight and _blkio_weight_supported():
        resources["blockIO"] = {"weight": weight}
    return resources


# --- namespaces and sysctls ---------------------------------------------------------------------------
def _namespaces(hc: Mapping[str, Any]) -> list[dict[str, Any]]:
    pid_mode = str(hc.get("PidMode") or "")
    ipc_mode = str(hc.get("IpcMode") or "")
    uts_mode = str(hc.get("UTSMode") or "")
    for key, value, allowed in (
        ("PidMode", pid_mode, ("", "host")),
        ("IpcMode", ipc_mode, ("", "host", "private", "shareable", "none")),
        ("UTSMode", uts_mode, ("", "host")),
    ):
        if value not in allowed:
            raise APIError(400, f"{key} {value} is not supported: pouchd has {', '.join(repr(a) for a in allowed)}")
    kinds = [
        ("pid", pid_mode != "host"),
        ("ipc", ipc_mode != "host"),
        ("uts", uts_mode != "host"),
        ("mount", True),
        ("network", hc.get("NetworkMode") != "host"),
    ]
    return [{"type": kind} for kind, own in kinds if own]


def _sysctls(hc: Mapping[str, Any], namespaces: list[dict[str, Any]]) -> dict[str, str]:
    sysctls = hc.get("Sysctls") or {}
    if not isinstance(sysctls, Mapping):
        raise APIError(400, "invalid Sysctls: want a map of name to value")
    own = {ns["type"] for ns in namespaces}
    out: dict[str, str] = {}
    for key, value in sysctls.items():
        key = str(key)
        if key in IPC_SYSCTLS or key.startswith("fs.mqueue."):
            needs = "ipc"
        elif key.startswith("net."):
            needs = "network"
        elif key in UTS_SYSCTLS:
            needs = "uts"
        else:
            raise APIError(
                400, f"sysctl {key!r} is not allowed: it is not namespaced (a container may set only its own)"
            )
        if needs not in own:
            raise APIError(400, f"sysctl {key!r} is not allowed in the host's {needs} namespace")
        out[key] = str(value)
    return out


def _masked_paths() -> list[str]:
    # Docker masks the CPUs' thermal_throttle directories where they exist (GHSA-6fw5-f8r9-fgfm).
    return [*MASKED_PATHS, *sorted(glob.glob("/sys/devices/system/cpu/cpu[0-9]*/thermal_throttle"))]


# --- the spec -----------------------------------------------------------------------------------------
def build_spec(inp: SpecInput) -> dict[str, Any]:
    """The container's OCI runtime spec; a 400 for what Docker would refuse."""
    config, hc = inp.config, inp.host_config
    privileged = bool(hc.get("Privileged"))
    namespaces = _namespaces(hc)
    own_uts = any(ns["type"] == "uts" for ns in namespaces)
    hostname = str(config.get("Hostname") or "") if own_uts else ""
    process = _process(inp, hostname)
    mounts, root_propagation = _mounts(inp, privileged)
    devices, device_rules = (host_devices(), []) if privileged else _devices(hc)
    linux: dict[str, Any] = {
        "resources": _resources(hc, privileged, device_rules),
        "cgroupsPath": inp.cgroups_path,
        "namespaces": namespaces,
        "devices": devices,
        "maskedPaths": [] if privileged else _masked_paths(),
        "readonlyPaths": [] if privileged else list(READONLY_PATHS),
    }
    # Docker's default seccomp profile, its capability rules resolved for the final capabilities
    # (an exec shares the container's filter: runc applies it to every process it starts in there).
    profile = seccomp.container_profile(
        _strings(hc.get("SecurityOpt")), process["capabilities"]["bounding"], privileged
    )
    if profile is not None:
        linux["seccomp"] = profile
    sysctls = _sysctls(hc, namespaces)
    if sysctls:
        linux["sysctl"] = sysctls
    if root_propagation:
        linux["rootfsPropagation"] = root_propagation
    spec: dict[str, Any] = {
        "ociVersion": OCI_VERSION,
        "process": process,
        "root": {"path": inp.rootfs, "readonly": bool(hc.get("ReadonlyRootfs"))},
    }
    if hostname:
        spec["hostname"] = hostname
    spec["mounts"] = mounts
    spec["linux"] = linux
    return spec
