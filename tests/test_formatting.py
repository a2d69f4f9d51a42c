"""Output formatting of ``pouch version`` and ``pouch info`` (pure functions, exact layouts)."""

from __future__ import annotations

from pouch_cli.formatting import go_value, human_size_binary, key_value_table
from pouch_cli.info import format_info
from pouch_cli.version import format_version


def test_human_size_binary_like_docker_units() -> None:
    assert human_size_binary(0) == "0B"
    assert human_size_binary(1023) == "1023B"
    assert human_size_binary(1024) == "1KiB"
    assert human_size_binary(1536) == "1.5KiB"
    assert human_size_binary(25_201_205_248) == "23.47GiB"
    assert human_size_binary(1024**4 * 3) == "3TiB"


def test_go_value() -> None:
    assert go_value(None) == "<nil>"
    assert go_value(True) == "true"
    assert go_value([]) == "[]"
    assert go_value(["a", "b"]) == "[a b]"
    assert go_value([["Backing Filesystem", "extfs"]]) == "[[Backing Filesystem extfs]]"


def test_key_value_table_pads_like_tabwriter() -> None:
    assert key_value_table([("A", "1"), ("Long", "2")]) == "A:      1\nLong:   2\n"


def test_version_layout_matches_pouch() -> None:
    out = format_version(
        {
            "GoVersion": "go1.10.4",
            "KernelVersion": "3.10.0-693.11.6.el7.x86_64",
            "Os": "linux",
            "Version": "1.0.0",
            "ApiVersion": "1.24",
            "Arch": "amd64",
            "BuildTime": "2018-11-07T07:48:56.348129663Z",
            "GitCommit": "",
        }
    )
    assert out.splitlines() == [
        "GoVersion:       go1.10.4",
        "KernelVersion:   3.10.0-693.11.6.el7.x86_64",
        "Os:              linux",
        "Version:         1.0.0",
        "APIVersion:      1.24",
        "Arch:            amd64",
        "BuildTime:       2018-11-07T07:48:56.348129663Z",
        "GitCommit:       ",
    ]


INFO = {
    "ID": "AAAA:BBBB",
    "Containers": 0,
    "ContainersRunning": 0,
    "ContainersPaused": 0,
    "ContainersStopped": 0,
    "Images": 0,
    "Driver": "overlayfs",
    "DriverStatus": [],
    "PouchRootDir": "/var/lib/pouch",
    "Debug": False,
    "LoggingDriver": "json-file",
    "VolumeDrivers": ["local"],
    "CgroupDriver": "cgroupfs",
    "KernelVersion": "6.1.0",
    "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
    "OSType": "linux",
    "Architecture": "amd64",
    "NCPU": 2,
    "MemTotal": 25_201_205_248,
    "IndexServerAddress": "https://index.docker.io/v1/",
    "DefaultRegistry": "registry.hub.docker.com",
    "RegistryConfig": {
        "InsecureRegistryCIDRs": ["10.0.0.0/8"],
        "Mirrors": ["https://m.example/"],
        "IndexConfigs": {"reg:5000": {"Name": "reg:5000", "Secure": False, "Official": False}},
    },
    "HttpProxy": "http://p:3128",
    "HttpsProxy": "",
    "Name": "host1",
    "Labels": ["a=b", "c"],
    "ExperimentalBuild": False,
    "ServerVersion": "1.0.0",
    "Runtimes": {"runc": {"path": "runc"}},
    "DefaultRuntime": "runc",
    "LiveRestoreEnabled": False,
    "LxcfsEnabled": False,
    "CriEnabled": False,
    "SecurityOptions": ["name=seccomp,profile=default"],
    "ListenAddresses": ["unix:///var/run/pouchd.sock"],
}


def test_info_layout_matches_pouch() -> None:
    assert format_info(INFO).splitlines() == [
        "Containers: 0",
        " Running: 0",
        " Paused: 0",
        " Stopped: 0",
        "Images: 0",
        "ID: AAAA:BBBB",
        "Name: host1",
        "Server Version: 1.0.0",
        "Storage Driver: overlayfs",
        "Driver Status: []",
        "Logging Driver: json-file",
        "Volume Drivers: [local]",
        "Cgroup Driver: cgroupfs",
        "Default Runtime: runc",
        "Runtimes: runc",
        "runc: <nil>",
        "containerd: <nil>",
        "Security Options: [name=seccomp,profile=default]",
        "Kernel Version: 6.1.0",
        "Operating System: Debian GNU/Linux 12 (bookworm)",
        "OSType: linux",
        "Architecture: amd64",
        "HTTP Proxy: http://p:3128",
        "HTTPS Proxy: ",
        "Registry: https://index.docker.io/v1/",
        "Experimental: false",
        "Debug: false",
        "Labels:",
        "  a=b",
        "  c",
        "CPUs: 2",
        "Total Memory: 23.47GiB",
        "Pouch Root Dir: /var/lib/pouch",
        "LiveRestoreEnabled: false",
        "LxcfsEnabled: false",
        "CriEnabled: false",
        "Insecure Registries:",
        " reg:5000",
        " 10.0.0.0/8",
        "Registry Mirrors:",
        " https://m.example/",
        "Daemon Listen Addresses: [unix:///var/run/pouchd.sock]",
    ]


def test_info_omits_optional_sections() -> None:
    bare = {**INFO, "Labels": [], "Runtimes": {}, "RegistryConfig": None}
    lines = format_info(bare).splitlines()
    assert "Labels:" not in lines
    assert not any(x.startswith("Runtimes:") for x in lines)
    assert not any(x.startswith(("Insecure Registries", "Registry Mirrors")) for x in lines)
    assert "runc: <nil>" in lines
    with_commit = format_info({**INFO, "RuncCommit": {"ID": "abc", "Expected": "abc"}}).splitlines()
    assert "runc: &{abc abc}" in with_commit
