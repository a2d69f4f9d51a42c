"""Facts about the host and the daemon, for /version and /info (pouch's daemon/mgr/system.go)."""

from __future__ import annotations

import base64
import os
import platform
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pouch_common import version as v
from pouch_common.fileutil import atomic_write
from pouch_common.registry import HUB_INDEX

if TYPE_CHECKING:
    from pouch_server.config import DaemonConfig
    from pouch_server.ctrd.facts import EngineFacts
    from pouch_server.managers.daemon import DaemonStateStore

UNKNOWN = "<unknown>"  # what pouch reports for a fact it cannot read

# platform.machine() -> GOARCH
_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "i386": "386",
    "i686": "386",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "arm",
    "armv6l": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "mips64": "mips64",
}


def kernel_version() -> str:
    try:
        return os.uname().release or UNKNOWN
    except OSError:
        return UNKNOWN


def hostname() -> str:
    try:
        return socket.gethostname() or UNKNOWN
    except OSError:
        return UNKNOWN


def usable_cpus() -> int:
    """CPUs this process may run on (what ``nproc`` prints), not all CPUs of the host."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 0


def mem_total(meminfo: str = "/proc/meminfo") -> int:
    """MemTotal in bytes (the file says kB, meaning KiB); 0 when it cannot be read."""
    try:
        with open(meminfo, encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    parts = line.split()
                    return int(parts[1]) * (1024 if parts[2:] == ["kB"] else 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0


def operating_system(candidates: tuple[str, ...] = ("/etc/os-release", "/usr/lib/os-release")) -> str:
    """PRETTY_NAME from os-release, unquoted."""
    for path in candidates:
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    key, sep, value = line.strip().partition("=")
                    if sep and key == "PRETTY_NAME":
                        value = value.strip()
                        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                            value = value[1:-1]
                        return value or UNKNOWN
        except OSError:
            continue
    return UNKNOWN


def go_arch(machine: str | None = None) -> str:
    machine = machine if machine is not None else platform.machine()
    return _GOARCH.get(machine.lower(), machine.lower() or UNKNOWN)


def security_options() -> list[str]:
    opts: list[str] = []
    try:
        if Path("/sys/module/apparmor/parameters/enabled").read_text().strip() == "Y":
            opts.append("name=apparmor")
    except OSError:
        pass
    try:
        if any(line.startswith("Seccomp:") for line in Path("/proc/self/status").read_text().splitlines()):
            opts.append("name=seccomp,profile=default")
    except OSError:
        pass
    if Path("/sys/fs/selinux/enforce").exists():
        opts.append("name=selinux")
    return opts


def runtime_version() -> str:
    """The daemon's language runtime, in the spirit of GoVersion's ``go1.10.4``."""
    return f"{platform.python_implementation().lower()}{platform.python_version()}"


def load_or_create_id(home_dir: Path) -> str:
    """The daemon's ID: made once (docker's 12 groups of 4 base32 characters) and kept in the home dir."""
    path = home_dir / "engine-id"
    try:
        existing = path.read_text(encoding="ascii").strip()
        if existing:
            return existing
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    raw = base64.b32encode(secrets.token_bytes(30)).decode()
    new_id = ":".join(raw[i : i + 4] for i in range(0, 48, 4))
    atomic_write(path, (new_id + "\n").encode())
    return new_id


@dataclass(frozen=True)
class HostFacts:
    """What the host is; read once at start, as pouchd does."""

    kernel_version: str
    hostname: str
    ncpu: int
    mem_total: int
    operating_system: str
    arch: str
    security_options: list[str]
    runtime_version: str

    @classmethod
    def read(cls) -> HostFacts:
        return cls(
            kernel_version=kernel_version(),
            hostname=hostname(),
            ncpu=usable_cpus(),
            mem_total=mem_total(),
            operating_system=operating_system(),
            arch=go_arch(),
            security_options=security_options(),
            runtime_version=runtime_version(),
        )


class SystemManager:
    """Answers /version and /info from host facts, the daemon's config and its live state."""

    def __init__(
        self,
        config: DaemonConfig,
        state: DaemonStateStore,
        daemon_id: str,
        listen_addresses: list[str],
        facts: HostFacts | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.daemon_id = daemon_id
        self.listen_addresses = listen_addresses
        self.facts = facts or HostFacts.read()
        self._version: Mapping[str, Any] = MappingProxyType(
            {
                "Version": v.__version__,
                "ApiVersion": v.API_VERSION,
                "MinAPIVersion": v.MIN_API_VERSION,
                "GitCommit": v.GIT_COMMIT,
                "GoVersion": self.facts.runtime_version,
                "Os": "linux",
                "Arch": self.facts.arch,
                "KernelVersion": self.facts.kernel_version,
                "BuildTime": v.BUILD_TIME,
            }
        )
        self._info: Mapping[str, Any] | None = None
        self._info_key: tuple[Any, ...] | None = None  # what _info was built from
        self.engine: EngineFacts | None = None  # set once containerd is reached
        self.image_count: Callable[[], int] = lambda: 0
        #: containers in all, running, paused, stopped
        self.container_counts: Callable[[], tuple[int, int, int, int]] = lambda: (0, 0, 0, 0)

    def version(self) -> Mapping[str, Any]:
        """The daemon's /version: fixed for its life, so one read-only mapping, shared (the app
        encodes it once: pouch_server/jsonifier.py)."""
        return self._version

    def info(self) -> Mapping[str, Any]:
        """The daemon's /info, a read-only mapping shared until it changes (the app encodes each
        one once: pouch_server/jsonifier.py): built on first use and kept until the
        state store applies an update (its generation moves). Everything else it shows (host facts,
        configuration) is read once at start; building the dict was most of an /info request's cost.
        """
        key = (self.state.generation, self.image_count(), self.container_counts())
        if self._info is None or self._info_key != key:
            self._info_key = key
            self._info = MappingProxyType(self._build_info())
        return self._info

    def attach_engine(
        self,
        facts: EngineFacts,
        image_count: Callable[[], int],
        container_counts: Callable[[], tuple[int, int, int, int]] | None = None,
    ) -> None:
        """containerd is reached: /info shows its facts, and the numbers of images and containers."""
        self.engine = facts
        self.image_count = image_count
        if container_counts is not None:
            self.container_counts = container_counts
        self._info = None

    def _engine_info(self) -> dict[str, Any]:
        """containerd's and runc's commits, as Docker shows them (``Expected`` is the commit this
        build was tested with, which pouchd takes to be the one it runs); none before containerd is
        reached, and pouch's CLI then prints <nil> as it does for a bare host."""
        facts = self.engine
        if facts is None:
            return {}
        out = {"ContainerdCommit": {"ID": facts.containerd_revision, "Expected": facts.containerd_revision}}
        if facts.runc_commit:
            out["RuncCommit"] = {"ID": facts.runc_commit, "Expected": facts.runc_commit}
        return out

    def _build_info(self) -> dict[str, Any]:
        cfg, facts = self.config, self.facts
        runtimes = {"runc": {"path": "runc", "runtimeArgs": None}}
        runtimes.update({name: spec.to_wire() for name, spec in cfg.runtimes.items()})
        containers, running, paused, stopped = self.container_counts()
        return {
            "ID": self.daemon_id,
            "Containers": containers,
            "ContainersRunning": running,
            "ContainersPaused": paused,
            "ContainersStopped": stopped,
            "Images": self.image_count(),
            "Driver": cfg.snapshotter,
            "DriverStatus": [],
            "PouchRootDir": cfg.home_dir,
            "DockerRootDir": cfg.home_dir,  # docker's name for it: `docker info` shows "Docker Root Dir"
            "Debug": cfg.debug,
            "LoggingDriver": cfg.log_driver,
            "VolumeDrivers": ["local"],
            "CgroupDriver": cfg.cgroup_driver,
            "KernelVersion": facts.kernel_version,
            "OperatingSystem": facts.operating_system,
            "OSType": "linux",
            "Architecture": facts.arch,
            "NCPU": facts.ncpu,
            "MemTotal": facts.mem_total,
            "IndexServerAddress": HUB_INDEX,
            "DefaultRegistry": cfg.default_registry,
            "RegistryConfig": {
                "InsecureRegistryCIDRs": [r for r in cfg.insecure_registries if "/" in r],
                "IndexConfigs": {
                    r: {"Name": r, "Mirrors": [], "Secure": False, "Official": False}
                    for r in cfg.insecure_registries
                    if "/" not in r
                },
                "Mirrors": list(cfg.registry_mirrors),
            },
            "HttpProxy": self.state.image_proxy,
            "HttpsProxy": os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy") or "",
            "Name": facts.hostname,
            "Labels": list(self.state.labels),
            "ExperimentalBuild": False,
            "ServerVersion": v.__version__,
            "Runtimes": runtimes,
            "DefaultRuntime": cfg.default_runtime,
            "LiveRestoreEnabled": True,  # containers outlive pouchd and are adopted again (pouch: always)
            "LxcfsEnabled": False,
            "CriEnabled": False,
            **self._engine_info(),
            "SecurityOptions": list(facts.security_options),
            "ListenAddresses": list(self.listen_addresses),
        }
