"""``pouch info``: host and daemon facts (pouch's cli/info.go)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pouch_cli.args import Param
from pouch_cli.client import client_options, show
from pouch_cli.formatting import go_value, human_size_binary
from pouch_client.api.system import system_info

if TYPE_CHECKING:
    import argparse

# Fields the daemon may leave out (pointers in pouch's Go types): `{{.RuncCommit}}` prints <nil>.
OPTIONAL = frozenset({"RuncCommit", "ContainerdCommit", "RegistryConfig"})


def format_info(i: dict[str, Any]) -> str:
    """The lines pouch's CLI prints, in its order, from SystemInfo's wire fields."""
    out: list[str] = []
    add = out.append
    add(f"Containers: {i.get('Containers', 0)}")
    add(f" Running: {i.get('ContainersRunning', 0)}")
    add(f" Paused: {i.get('ContainersPaused', 0)}")
    add(f" Stopped: {i.get('ContainersStopped', 0)}")
    add(f"Images: {i.get('Images', 0)}")
    add(f"ID: {i.get('ID', '')}")
    add(f"Name: {i.get('Name', '')}")
    add(f"Server Version: {i.get('ServerVersion', '')}")
    add(f"Storage Driver: {i.get('Driver', '')}")
    add(f"Driver Status: {go_value(i.get('DriverStatus') or [])}")
    add(f"Logging Driver: {i.get('LoggingDriver', '')}")
    add(f"Volume Drivers: {go_value(i.get('VolumeDrivers') or [])}")
    add(f"Cgroup Driver: {i.get('CgroupDriver', '')}")
    add(f"Default Runtime: {i.get('DefaultRuntime', '')}")
    runtimes = i.get("Runtimes") or {}
    if runtimes:
        add("Runtimes: " + " ".join(runtimes))
    add(f"runc: {_commit(i.get('RuncCommit'))}")
    add(f"containerd: {_commit(i.get('ContainerdCommit'))}")
    add(f"Security Options: {go_value(i.get('SecurityOptions') or [])}")
    add(f"Kernel Version: {i.get('KernelVersion', '')}")
    add(f"Operating System: {i.get('OperatingSystem', '')}")
    add(f"OSType: {i.get('OSType', '')}")
    add(f"Architecture: {i.get('Architecture', '')}")
    add(f"HTTP Proxy: {i.get('HttpProxy', '')}")
    add(f"HTTPS Proxy: {i.get('HttpsProxy', '')}")
    add(f"Registry: {i.get('IndexServerAddress', '')}")
    add(f"Experimental: {go_value(bool(i.get('ExperimentalBuild', False)))}")
    add(f"Debug: {go_value(bool(i.get('Debug', False)))}")
    labels = i.get("Labels") or []
    if labels:
        add("Labels:")
        out.extend(f"  {label}" for label in labels)
    add(f"CPUs: {i.get('NCPU', 0)}")
    add(f"Total Memory: {human_size_binary(i.get('MemTotal', 0) or 0)}")
    add(f"Pouch Root Dir: {i.get('PouchRootDir', '')}")
    add(f"LiveRestoreEnabled: {go_value(bool(i.get('LiveRestoreEnabled', False)))}")
    add(f"LxcfsEnabled: {go_value(bool(i.get('LxcfsEnabled', False)))}")
    add(f"CriEnabled: {go_value(bool(i.get('CriEnabled', False)))}")
    registry = i.get("RegistryConfig") or {}
    insecure = [
        c["Name"]
        for c in (registry.get("IndexConfigs") or {}).values()
        if c and not c.get("Secure", False) and c.get("Name")
    ]
    insecure += registry.get("InsecureRegistryCIDRs") or []
    if insecure:
        add("Insecure Registries:")
        out.extend(f" {r}" for r in insecure)
    mirrors = registry.get("Mirrors") or []
    if mirrors:
        add("Registry Mirrors:")
        out.extend(f" {m}" for m in mirrors)
    add(f"Daemon Listen Addresses: {go_value(i.get('ListenAddresses') or [])}")
    return "\n".join(out) + "\n"


def _commit(commit: dict[str, Any] | None) -> str:
    # pouch prints the *Commit pointer: <nil> when absent, &{ID Expected} otherwise.
    if not commit:
        return "<nil>"
    return f"&{{{commit.get('ID', '')} {commit.get('Expected', '')}}}"


HELP = "Display system-wide information: host facts and the daemon's configuration."
EXAMPLE = "Example:\n  $ pouch info\n  Containers: 0\n   Running: 0\n  ..."
PARAMS = (
    Param(
        ("-f", "--format"),
        "Print with a Go template (e.g. '{{.ServerVersion}}'), or 'json' for the whole object.",
        metavar="TEMPLATE",
        dest="fmt",
    ),
)


def run(args: argparse.Namespace) -> None:
    show(
        client_options(args),
        "failed to get system info",
        system_info.sync_detailed,
        args.fmt,
        format_info,
        optional=OPTIONAL,
    )
