"""The OCI spec pouchd hands containerd (pouch_server/managers/containers/spec.py): users, defaults,
the host settings Docker has, what is refused with a 400, and a real run by runc."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from pouch_server.errors import APIError
from pouch_server.managers.containers.spec import (
    DEFAULT_CAPABILITIES,
    DEFAULT_PATH,
    SpecInput,
    User,
    build_spec,
    current_capabilities,
    host_devices,
    merge_env,
    process_for_exec,
    resolve_user,
)

PASSWD = """\
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001::/home/bob:/bin/sh
broken:x:notanumber:1::/:/bin/sh
"""
GROUP = """\
root:x:0:
wheel:x:10:root,alice
alice:x:1000:
bob:x:1001:
audio:x:29:alice,bob
staff:x:50:
"""

ETC = {"/etc/hostname": "/h/hostname", "/etc/hosts": "/h/hosts", "/etc/resolv.conf": "/h/resolv.conf"}


def make(config: dict[str, Any] | None = None, host_config: dict[str, Any] | None = None, **kw: Any) -> SpecInput:
    cfg: dict[str, Any] = {"Cmd": ["sh"], "Hostname": "abcdef012345"}
    cfg.update(config or {})
    return SpecInput(
        id=kw.pop("id", "c1"),
        config=cfg,
        host_config=host_config or {},
        user=kw.pop("user", User(0, 0)),
        cgroups_path=kw.pop("cgroups_path", "/pouchd/c1"),
        etc_files=kw.pop("etc_files", ETC),
        **kw,
    )


def spec(config: dict[str, Any] | None = None, host_config: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    return build_spec(make(config, host_config, **kw))


def refused(config: dict[str, Any] | None = None, host_config: dict[str, Any] | None = None, **kw: Any) -> str:
    with pytest.raises(APIError) as info:
        spec(config, host_config, **kw)
    assert info.value.status == 400
    return info.value.message


def mount(s: dict[str, Any], destination: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [m for m in s["mounts"] if m["destination"] == destination]
    assert len(found) == 1, (destination, s["mounts"])
    return found[0]


# --- resolve_user -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("", User(0, 0, (10,))),  # root, and root's supplementary groups
        ("root", User(0, 0, (10,))),
        ("0", User(0, 0, (10,))),
        ("alice", User(1000, 1000, (10, 29))),
        ("1000", User(1000, 1000, (10, 29))),  # a uid in passwd takes its entry's gid and groups
        ("bob", User(1001, 1001, (29,))),
        ("alice:staff", User(1000, 50)),  # an explicit group: no supplementary ones
        ("alice:50", User(1000, 50)),
        ("1000:1001", User(1000, 1001)),
        ("1000:staff", User(1000, 50)),
        ("alice:4242", User(1000, 4242)),  # a numeric gid need not be in the group file
        ("4242", User(4242, 0)),  # a numeric uid need not be in passwd: gid 0 then
        ("4242:7", User(4242, 7)),
        ("daemon", User(1, 1)),
    ],
)
def test_resolve_user(user: str, expected: User) -> None:
    assert resolve_user(user, PASSWD, GROUP) == expected


def test_resolve_user_without_files() -> None:
    assert resolve_user("", None, None) == User(0, 0)
    assert resolve_user("123", None, None) == User(123, 0)
    assert resolve_user("123:456", None, None) == User(123, 456)
    assert resolve_user("alice", PASSWD, None) == User(1000, 1000)


@pytest.mark.parametrize(
    ("user", "passwd", "group", "message"),
    [
        ("nobody", PASSWD, GROUP, "unable to find user nobody: no matching entries in passwd file"),
        ("alice", None, GROUP, "unable to find user alice: no matching entries in passwd file"),
        ("alice:nogroup", PASSWD, GROUP, "unable to find group nogroup: no matching entries in group file"),
        ("1000:nogroup", PASSWD, None, "unable to find group nogroup: no matching entries in group file"),
        ("99999999999", PASSWD, GROUP, "uids and gids must be in range"),
    ],
)
def test_resolve_user_refused(user: str, passwd: str | None, group: str | None, message: str) -> None:
    with pytest.raises(APIError) as info:
        resolve_user(user, passwd, group)
    assert info.value.status == 400
    assert message in info.value.message


# --- defaults -----------------------------------------------------------------------------------------
def test_defaults() -> None:
    s = spec({"Cmd": ["echo", "hi"], "Entrypoint": ["/entry"]})
    assert s["ociVersion"] == "1.0.2-dev"
    assert s["root"] == {"path": "rootfs", "readonly": False}
    assert s["hostname"] == "abcdef012345"
    p = s["process"]
    assert p["args"] == ["/entry", "echo", "hi"]
    assert p["env"] == [f"PATH={DEFAULT_PATH}", "HOSTNAME=abcdef012345"]
    assert p["cwd"] == "/"
    assert p["terminal"] is False
    assert p["user"] == {"uid": 0, "gid": 0, "additionalGids": [0]}
    assert p["noNewPrivileges"] is False
    assert "oomScoreAdj" not in p
    caps = p["capabilities"]
    assert set(caps) == {"bounding", "effective", "permitted"}  # no inheritable: containerd 1.6
    for kind in ("bounding", "effective", "permitted"):
        assert caps[kind] == list(DEFAULT_CAPABILITIES)
    assert len(DEFAULT_CAPABILITIES) == 14
    assert p["rlimits"] == [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]

    destinations = [m["destination"] for m in s["mounts"]]
    defaults = ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]
    assert destinations[: len(defaults)] == defaults
    assert sorted(destinations[len(defaults) :]) == sorted(ETC)
    assert "size=65536k" in mount(s, "/dev/shm")["options"]
    assert "ro" in mount(s, "/sys")["options"]
    assert mount(s, "/sys/fs/cgroup")["type"] == "cgroup"
    assert "ro" in mount(s, "/sys/fs/cgroup")["options"]
    hosts = mount(s, "/etc/hosts")
    assert hosts == {"destination": "/etc/hosts", "type": "bind", "source": "/h/hosts", "options": hosts["options"]}
    assert "rbind" in hosts["options"]
    assert "rw" in hosts["options"]

    linux = s["linux"]
    assert linux["cgroupsPath"] == "/pouchd/c1"
    assert [ns["type"] for ns in linux["namespaces"]] == ["pid", "ipc", "uts", "mount", "network"]
    assert all("path" not in ns for ns in linux["namespaces"])
    assert linux["devices"] == []
    rules = linux["resources"]["devices"]
    assert rules[0] == {"allow": False, "access": "rwm"}
    allowed = {(r["major"], r.get("minor")) for r in rules[1:]}
    assert allowed == {(1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2), (136, None)}
    assert all(r["type"] == "c" and r["access"] == "rwm" and r["allow"] for r in rules[1:])
    assert set(linux["resources"]) == {"devices"}
    assert "/proc/kcore" in linux["maskedPaths"]
    assert "/proc/interrupts" in linux["maskedPaths"]
    assert "/sys/firmware" in linux["maskedPaths"]
    assert linux["readonlyPaths"] == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    assert "sysctl" not in linux
    # It is JSON, all of it.
    assert json.loads(json.dumps(s)) == s


def test_rootfs_and_readonly() -> None:
    s = spec(host_config={"ReadonlyRootfs": True}, rootfs="/abs/rootfs")
    assert s["root"] == {"path": "/abs/rootfs", "readonly": True}
    assert "ro" in mount(s, "/etc/hostname")["options"]


def test_process_env_and_tty() -> None:
    s = spec({"Tty": True, "Env": ["PATH=/bin", "A=1", "B=2", "B=3", "HOSTNAME=mine"], "WorkingDir": "/srv//app/"})
    p = s["process"]
    assert p["terminal"] is True
    assert p["env"] == ["PATH=/bin", "HOSTNAME=mine", "TERM=xterm", "A=1", "B=3"]
    assert p["cwd"] == "/srv/app"


def test_command_as_string_and_null() -> None:
    assert spec({"Cmd": "top", "Entrypoint": None})["process"]["args"] == ["top"]
    assert spec({"Cmd": None, "Entrypoint": ["/bin/init"]})["process"]["args"] == ["/bin/init"]
    assert refused({"Cmd": None}) == "No command specified"
    assert refused({"Cmd": [], "Entrypoint": []}) == "No command specified"


def test_working_dir_must_be_absolute() -> None:
    assert "needs to be an absolute path" in refused({"WorkingDir": "app"})


def test_user_in_spec() -> None:
    s = spec(user=User(1000, 1000, (10, 29, 1000)))
    assert s["process"]["user"] == {"uid": 1000, "gid": 1000, "additionalGids": [1000, 10, 29]}


def test_null_keys_everywhere() -> None:
    keys = ["Binds", "NetworkMode", "Privileged", "ReadonlyRootfs", "CapAdd", "CapDrop", "Memory", "MemorySwap"]
    keys += ["MemoryReservation", "CpuShares", "CpuQuota", "CpuPeriod", "CpusetCpus", "CpusetMems", "PidsLimit"]
    keys += ["BlkioWeight", "Ulimits", "Devices", "Tmpfs", "ShmSize", "Sysctls", "OomScoreAdj", "Dns", "Mounts"]
    s = spec({"Env": None, "WorkingDir": None, "Tty": None, "Labels": None}, dict.fromkeys(keys))
    assert s["process"]["capabilities"]["bounding"] == list(DEFAULT_CAPABILITIES)
    assert [ns["type"] for ns in s["linux"]["namespaces"]][-1] == "network"


# --- namespaces ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["", "none", "bridge", "default"])
def test_own_network_namespace(mode: str) -> None:
    types = [ns["type"] for ns in spec(host_config={"NetworkMode": mode})["linux"]["namespaces"]]
    assert "network" in types


def test_host_network_keeps_uts() -> None:
    s = spec(host_config={"NetworkMode": "host"})
    assert [ns["type"] for ns in s["linux"]["namespaces"]] == ["pid", "ipc", "uts", "mount"]
    assert s["hostname"] == "abcdef012345"


def test_host_modes() -> None:
    s = spec(host_config={"UTSMode": "host", "PidMode": "host", "IpcMode": "host"})
    assert [ns["type"] for ns in s["linux"]["namespaces"]] == ["mount", "network"]
    assert "hostname" not in s
    assert not any(e.startswith("HOSTNAME=") for e in s["process"]["env"])
    shm = mount(s, "/dev/shm")
    assert shm["type"] == "bind"
    assert shm["source"] == "/dev/shm"
    assert "not supported" in refused(host_config={"PidMode": "container:abc"})


# --- capabilities -------------------------------------------------------------------------------------
def test_cap_add_and_drop() -> None:
    caps = spec(host_config={"CapAdd": ["NET_ADMIN", "CAP_SYS_PTRACE", "sys_nice"], "CapDrop": ["MKNOD", "cap_kill"]})
    bounding = caps["process"]["capabilities"]["bounding"]
    assert "CAP_MKNOD" not in bounding
    assert "CAP_KILL" not in bounding
    assert bounding[-3:] == ["CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_NICE"]
    assert len(bounding) == 15
    effective = caps["process"]["capabilities"]["effective"]
    assert effective == bounding


def test_cap_all() -> None:
    only = spec(host_config={"CapDrop": ["ALL"], "CapAdd": ["CHOWN"]})["process"]["capabilities"]
    assert only["bounding"] == ["CAP_CHOWN"]
    none = spec(host_config={"CapDrop": ["ALL"]})["process"]["capabilities"]
    assert none["permitted"] == []
    every = spec(host_config={"CapAdd": ["ALL"], "CapDrop": ["NET_RAW"]})["process"]["capabilities"]
    assert every["bounding"] == [c for c in current_capabilities() if c != "CAP_NET_RAW"]


def test_unknown_capability() -> None:
    assert refused(host_config={"CapAdd": ["BOGUS"]}) == 'unknown capability: "CAP_BOGUS"'
    assert refused(host_config={"CapDrop": ["CAP_NOPE"]}) == 'unknown capability: "CAP_NOPE"'


def test_privileged() -> None:
    s = spec(host_config={"Privileged": True, "CapDrop": ["ALL"]})
    assert s["process"]["capabilities"]["bounding"] == current_capabilities()
    assert len(current_capabilities()) > 14
    assert "ro" not in mount(s, "/sys")["options"]
    assert "ro" not in mount(s, "/sys/fs/cgroup")["options"]
    assert s["linux"]["maskedPaths"] == []
    assert s["linux"]["readonlyPaths"] == []
    assert s["linux"]["resources"]["devices"] == [{"allow": True, "access": "rwm"}]


# --- rlimits and oom ----------------------------------------------------------------------------------
def test_ulimits() -> None:
    ulimits = [{"Name": "nofile", "Soft": 4096, "Hard": 8192}, {"Name": "nproc", "Soft": -1, "Hard": -1}]
    rlimits = spec(host_config={"Ulimits": ulimits})["process"]["rlimits"]
    assert rlimits == [
        {"type": "RLIMIT_NOFILE", "hard": 8192, "soft": 4096},
        {"type": "RLIMIT_NPROC", "hard": 2**64 - 1, "soft": 2**64 - 1},
    ]
    assert refused(host_config={"Ulimits": [{"Name": "bogus", "Soft": 1, "Hard": 1}]}) == "invalid ulimit type: bogus"
    assert "soft limit must be less than or equal to hard limit" in refused(
        host_config={"Ulimits": [{"Name": "core", "Soft": 2, "Hard": 1}]}
    )


def test_oom_score_adj() -> None:
    assert spec(host_config={"OomScoreAdj": 500})["process"]["oomScoreAdj"] == 500
    assert spec(host_config={"OomScoreAdj": 0})["process"]["oomScoreAdj"] == 0
    assert "range for oom score adj" in refused(host_config={"OomScoreAdj": 1001})


# --- resources ----------------------------------------------------------------------------------------
def test_resources() -> None:
    hc = {
        "Memory": 64 * 1024 * 1024,
        "MemorySwap": 128 * 1024 * 1024,
        "MemoryReservation": 32 * 1024 * 1024,
        "CpuShares": 512,
        "CpuQuota": 50000,
        "CpuPeriod": 100000,
        "CpusetCpus": "0",
        "CpusetMems": "0",
        "PidsLimit": 100,
    }
    r = spec(host_config=hc)["linux"]["resources"]
    memory = r["memory"]
    assert memory["limit"] == 64 * 1024 * 1024
    assert memory["reservation"] == 32 * 1024 * 1024
    if "swap" in memory:  # only where the host limits swap (Docker drops it otherwise)
        assert memory["swap"] == 128 * 1024 * 1024
    assert r["cpu"] == {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}
    assert r["pids"] == {"limit": 100}
    assert spec(host_config={"CPUShares": 256})["linux"]["resources"]["cpu"] == {"shares": 256}
    assert "pids" not in spec(host_config={"PidsLimit": -1})["linux"]["resources"]
    assert spec(host_config={"MemorySwap": -1, "Memory": 10**8})["linux"]["resources"]["memory"].get("swap", -1) == -1


def test_nano_cpus() -> None:
    assert spec(host_config={"NanoCpus": 1_500_000_000})["linux"]["resources"]["cpu"] == {
        "quota": 150000,
        "period": 100000,
    }
    assert "Conflicting options" in refused(host_config={"NanoCpus": 10**9, "CpuPeriod": 100000})


@pytest.mark.parametrize(
    ("hc", "message"),
    [
        ({"Memory": -1}, "may not be negative"),
        ({"Memory": 1024 * 1024}, "Minimum memory limit allowed is 6MB"),
        ({"MemoryReservation": 1024}, "Minimum memory reservation allowed is 6MB"),
        ({"MemorySwap": 10**8}, "You should always set the Memory limit when using Memoryswap limit"),
        ({"Memory": 10**8, "MemorySwap": 10**7}, "Minimum memoryswap limit should be larger than memory limit"),
        ({"Memory": 10**7, "MemoryReservation": 10**8}, "can not be less than memory reservation"),
        ({"MemorySwappiness": 101}, "valid memory swappiness range is 0-100"),
        ({"CpuQuota": 999}, "CPU cfs quota can not be less than 1ms (i.e. 1000)"),
        ({"CpuPeriod": 999}, "CPU cfs period can not be less than 1ms"),
        ({"CpuPeriod": 1000001}, "larger than 1s (i.e. 1000000)"),
        ({"CpuShares": -2}, "may not be negative"),
        ({"CpusetCpus": "0-a"}, "Invalid value 0-a for cpuset cpus"),
        ({"BlkioWeight": 5}, "Range of blkio weight is from 10 to 1000"),
        ({"ShmSize": -1}, "SHM size can not be less than 0"),
        ({"Memory": "lots"}, "want an integer"),
    ],
)
def test_resources_refused(hc: dict[str, Any], message: str) -> None:
    assert message in refused(host_config=hc)


def test_shm_size() -> None:
    assert "size=131072k" in mount(spec(host_config={"ShmSize": 128 * 1024 * 1024}), "/dev/shm")["options"]
    assert "size=1000" in mount(spec(host_config={"ShmSize": 1000}), "/dev/shm")["options"]


# --- mounts -------------------------------------------------------------------------------------------
def test_binds(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "f").write_text("x")
    binds = [f"{tmp_path}/a/b:/data/deep/er:ro", f"{tmp_path}/a:/data", f"{tmp_path}/f:/etc/hosts:rw,Z"]
    s = spec(host_config={"Binds": binds})
    destinations = [m["destination"] for m in s["mounts"]]
    assert destinations.index("/data") < destinations.index("/data/deep/er")  # parents first
    deep = mount(s, "/data/deep/er")
    assert deep["type"] == "bind"
    assert deep["source"] == f"{tmp_path}/a/b"
    assert deep["options"] == ["rbind", "rprivate", "ro"]
    assert mount(s, "/data")["options"] == ["rbind", "rprivate"]
    # A container's own /etc/hosts replaces pouchd's.
    assert mount(s, "/etc/hosts")["source"] == f"{tmp_path}/f"
    assert "rootfsPropagation" not in s["linux"]
    shared = spec(host_config={"Binds": [f"{tmp_path}/a:/data:rshared"]})
    assert shared["linux"]["rootfsPropagation"] == "shared"
    assert mount(shared, "/data")["options"] == ["rbind", "rshared"]


def test_bind_over_dev_drops_default_dev_mounts(tmp_path: Path) -> None:
    s = spec(host_config={"Binds": [f"{tmp_path}:/dev"]})
    destinations = [m["destination"] for m in s["mounts"]]
    assert mount(s, "/dev")["type"] == "bind"
    assert not [d for d in destinations if d.startswith("/dev/")]


def test_binds_refused(tmp_path: Path) -> None:
    assert "not an absolute host path" in refused(host_config={"Binds": ["vol:/data"]})
    missing = tmp_path / "missing"
    assert f"bind source path does not exist: {missing}" in refused(host_config={"Binds": [f"{missing}:/data"]})
    assert "is not an absolute path" in refused(host_config={"Binds": [f"{tmp_path}:data"]})
    assert "invalid bind mount" in refused(host_config={"Binds": [f"{tmp_path}"]})
    assert "invalid mode: bogus" in refused(host_config={"Binds": [f"{tmp_path}:/data:bogus"]})
    assert "invalid mode: ro,rw" in refused(host_config={"Binds": [f"{tmp_path}:/data:ro,rw"]})
    assert "destination can't be '/'" in refused(host_config={"Binds": [f"{tmp_path}:/"]})
    assert "Duplicate mount point: /data" in refused(host_config={"Binds": [f"{tmp_path}:/data", f"{tmp_path}:/data/"]})


def test_mounts_api(tmp_path: Path) -> None:
    hc = {
        "Mounts": [
            {"Type": "bind", "Source": str(tmp_path), "Target": "/b", "ReadOnly": True},
            {"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": 4096, "Mode": 0o1777}},
        ]
    }
    s = spec(host_config=hc)
    assert mount(s, "/b")["options"] == ["rbind", "rprivate", "ro"]
    assert mount(s, "/t")["options"] == ["noexec", "nosuid", "nodev", "size=4096", "mode=1777"]
    assert "not supported" in refused(host_config={"Mounts": [{"Type": "volume", "Target": "/v"}]})


def test_tmpfs() -> None:
    s = spec(host_config={"Tmpfs": {"/run": "", "/tmp": "rw,exec,size=1m", "/ro": "ro"}})
    assert mount(s, "/run") == {
        "destination": "/run",
        "type": "tmpfs",
        "source": "tmpfs",
        "options": ["noexec", "nosuid", "nodev"],
    }
    assert mount(s, "/tmp")["options"] == ["exec", "nosuid", "nodev", "rw", "size=1m"]
    assert mount(s, "/ro")["options"] == ["noexec", "nosuid", "nodev", "ro"]
    assert "is not an absolute path" in refused(host_config={"Tmpfs": {"tmp": ""}})


# --- devices ------------------------------------------------------------------------------------------
def test_devices(tmp_path: Path) -> None:
    s = spec(host_config={"Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/mynull"}]})
    devices = s["linux"]["devices"]
    assert len(devices) == 1
    device = devices[0]
    assert (device["path"], device["type"], device["major"], device["minor"]) == ("/dev/mynull", "c", 1, 3)
    assert device["fileMode"] == os.stat("/dev/null").st_mode & 0o7777
    assert (device["uid"], device["gid"]) == (0, 0)
    rule = s["linux"]["resources"]["devices"][-1]
    assert rule == {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}

    same = spec(host_config={"Devices": [{"PathOnHost": "/dev/zero", "CgroupPermissions": "r"}]})
    assert same["linux"]["devices"][0]["path"] == "/dev/zero"
    assert same["linux"]["resources"]["devices"][-1]["access"] == "r"

    # A privileged container has every device allowed and gets each of the host's nodes (pouch's
    # and Docker's HostDevices), its own Devices aside: not /dev/console, nothing under /dev/pts,
    # no link followed (/dev/stdin would otherwise become pouchd's stdin's node).
    privileged = spec(
        host_config={"Privileged": True, "Devices": [{"PathOnHost": "/dev/zero", "PathInContainer": "/z"}]}
    )
    nodes = {d["path"]: d for d in privileged["linux"]["devices"]}
    assert nodes == {d["path"]: d for d in host_devices()}
    assert {"/dev/null", "/dev/zero"} <= set(nodes) and "/z" not in nodes
    assert (nodes["/dev/null"]["type"], nodes["/dev/null"]["major"], nodes["/dev/null"]["minor"]) == ("c", 1, 3)
    assert not [p for p in nodes if p == "/dev/console" or p.startswith(("/dev/pts/", "/dev/shm/", "/dev/fd/"))]
    assert not [p for p in nodes if os.path.islink(p)]
    assert privileged["linux"]["resources"]["devices"] == [{"allow": True, "access": "rwm"}]

    (tmp_path / "file").write_text("")
    missing = refused(host_config={"Devices": [{"PathOnHost": str(tmp_path / "none")}]})
    assert "error gathering device information" in missing
    assert "no such file" in missing
    assert "not a device node" in refused(host_config={"Devices": [{"PathOnHost": str(tmp_path / "file")}]})
    assert "invalid device mode: rx" in refused(
        host_config={"Devices": [{"PathOnHost": "/dev/null", "CgroupPermissions": "rx"}]}
    )


def test_device_directory() -> None:
    if not os.path.isdir("/dev/pts"):
        pytest.skip("no /dev/pts")
    s = spec(host_config={"Devices": [{"PathOnHost": "/dev", "PathInContainer": "/hostdev"}]})
    paths = {d["path"] for d in s["linux"]["devices"]}
    assert "/hostdev/null" in paths
    assert all(p.startswith("/hostdev/") for p in paths)


# --- sysctls ------------------------------------------------------------------------------------------
def test_sysctls() -> None:
    s = spec(host_config={"Sysctls": {"net.ipv4.ip_forward": "1", "kernel.shmmax": 1024, "fs.mqueue.msg_max": "9"}})
    assert s["linux"]["sysctl"] == {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1024", "fs.mqueue.msg_max": "9"}
    assert "not namespaced" in refused(host_config={"Sysctls": {"vm.swappiness": "1"}})
    assert "host's network namespace" in refused(
        host_config={"NetworkMode": "host", "Sysctls": {"net.ipv4.ip_forward": "1"}}
    )


# --- exec ---------------------------------------------------------------------------------------------
def test_merge_env() -> None:
    assert merge_env(["A=1", "B=2"], ["B=3", "C=4", "A"]) == ["B=3", "C=4"]


def test_process_for_exec() -> None:
    s = spec({"Env": ["A=1", "B=2"], "WorkingDir": "/srv"}, user=User(1000, 1000))
    p = process_for_exec(s, args=["ls", "-l"], env=["B=3", "C=4"], user=None, cwd="", tty=True, privileged=False)
    assert p["args"] == ["ls", "-l"]
    assert p["env"] == [f"PATH={DEFAULT_PATH}", "HOSTNAME=abcdef012345", "A=1", "B=3", "C=4"]
    assert p["user"] == s["process"]["user"]
    assert p["cwd"] == "/srv"
    assert p["terminal"] is True
    assert p["capabilities"] == s["process"]["capabilities"]
    assert s["process"]["args"] == ["sh"]  # the container's spec is left as it was

    root = process_for_exec(s, args=["id"], env=[], user=User(0, 0, (10,)), cwd="/tmp", tty=False, privileged=True)
    assert root["user"] == {"uid": 0, "gid": 0, "additionalGids": [0, 10]}
    assert root["cwd"] == "/tmp"
    assert root["terminal"] is False
    assert root["capabilities"]["bounding"] == current_capabilities()
    assert set(root["capabilities"]) == {"bounding", "effective", "permitted"}
    with pytest.raises(APIError):
        process_for_exec(s, args=["id"], env=[], user=None, cwd="tmp", tty=False, privileged=False)


# --- a real run -------------------------------------------------------------------------------------
RUNC = shutil.which("runc")
BUSYBOX = "/usr/bin/busybox"


def _skip_reason() -> str:
    if RUNC is None:
        return "runc is not installed"
    if not os.path.exists(BUSYBOX):
        return "/usr/bin/busybox is missing (apt-get install busybox-static)"
    if os.geteuid() != 0:
        return "runc needs root"
    return ""


def _rootfs(root: Path) -> None:
    (root / "bin").mkdir(parents=True)
    shutil.copy2(BUSYBOX, root / "bin" / "busybox")
    for tool in ("sh", "echo", "id", "cat", "touch", "grep", "hostname"):
        (root / "bin" / tool).symlink_to("busybox")
    for directory in ("proc", "dev", "sys", "etc", "tmp", "data"):
        (root / directory).mkdir()
    for name in ("hostname", "hosts", "resolv.conf"):
        (root / "etc" / name).write_text("")


def _remove_cgroups(parent: str) -> None:
    for directory in sorted(glob.glob(f"/sys/fs/cgroup/*/{parent}/**/", recursive=True), key=len, reverse=True):
        try:
            os.rmdir(directory)
        except OSError:
            pass
    for directory in glob.glob(f"/sys/fs/cgroup/*/{parent}"):
        try:
            os.rmdir(directory)
        except OSError:
            pass


def _run(tmp_path: Path, config: dict[str, Any], host_config: dict[str, Any], user: User) -> str:
    """Run the spec of ``config`` and ``host_config`` by runc in a busybox rootfs; its stdout. The
    container and the cgroups it made are gone afterwards, whatever happened."""
    assert RUNC is not None
    cid = "spec-" + uuid.uuid4().hex[:12]
    parent = "pouchd-test-" + uuid.uuid4().hex[:8]
    bundle = tmp_path / "bundle"
    _rootfs(bundle / "rootfs")
    files = tmp_path / "files"
    files.mkdir()
    (files / "hostname").write_text(f"{config['Hostname']}\n")
    (files / "hosts").write_text("127.0.0.1 localhost\n")
    (files / "resolv.conf").write_text("")
    etc = {
        name: str(files / name.removeprefix("/etc/")) for name in ("/etc/hostname", "/etc/hosts", "/etc/resolv.conf")
    }
    inp = make(config, host_config, id=cid, user=user, cgroups_path=f"/{parent}/{cid}", etc_files=etc)
    (bundle / "config.json").write_text(json.dumps(build_spec(inp)))
    runc = [RUNC, "--root", str(tmp_path / "runcroot")]
    try:
        done = subprocess.run(
            [*runc, "run", "-b", str(bundle), cid],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout
    finally:
        subprocess.run([*runc, "delete", "-f", cid], capture_output=True, timeout=30)
        _remove_cgroups(parent)
        assert not glob.glob(f"/sys/fs/cgroup/*/{parent}")


needs_runc = pytest.mark.skipif(bool(_skip_reason()), reason=_skip_reason() or "runs")


@needs_runc
def test_runc_runs_the_spec(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "hello").write_text("from the host\n")
    script = (
        "id; cat /etc/hostname; hostname; cat /data/hello; "
        "touch /data/x 2>/dev/null && echo data-writable || echo data-readonly; "
        "grep CapBnd /proc/self/status; echo env=$GREETING; "
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; "
        "echo dropped > /dev/mynull && echo device-ok; pwd; "
        "grep -c ' /proc/sys ' /proc/mounts; grep -c ' /sys sysfs rw' /proc/mounts; true"
    )
    out = _run(
        tmp_path,
        {"Cmd": ["sh", "-c", script], "Hostname": "spec-host", "Env": ["GREETING=hi"], "WorkingDir": "/tmp"},
        {
            "NetworkMode": "none",
            "Binds": [f"{shared}:/data:ro"],
            "Memory": 64 * 1024 * 1024,
            "PidsLimit": 50,
            "Tmpfs": {"/run": ""},
            "Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/mynull", "CgroupPermissions": "rwm"}],
        },
        User(1000, 1001, (29,)),
    )
    lines = out.splitlines()
    assert lines[0].startswith("uid=1000 gid=1001 groups=")
    assert "29" in lines[0]
    assert lines[1:4] == ["spec-host", "spec-host", "from the host"]
    assert lines[4] == "data-readonly"
    # Docker's 14 default capabilities, as a mask.
    assert lines[5].split() == ["CapBnd:", "00000000a80425fb"]
    assert lines[6] == "env=hi"
    assert lines[7:9] == [str(64 * 1024 * 1024), "50"]
    assert lines[9:] == ["device-ok", "/tmp", "1", "0"]


@needs_runc
def test_runc_runs_a_privileged_spec(tmp_path: Path) -> None:
    script = (
        "id; grep CapBnd /proc/self/status; "
        "grep -c ' /proc/sys ' /proc/mounts; grep -c ' /sys sysfs rw' /proc/mounts; "
        "find /dev -path /dev/pts -prune -o '(' -type c -o -type b ')' -print | sort; true"
    )
    out = _run(
        tmp_path,
        {"Cmd": ["sh", "-c", script], "Hostname": "priv"},
        {"NetworkMode": "host", "Privileged": True, "ReadonlyRootfs": True},
        User(0, 0),
    )
    lines = out.splitlines()
    assert lines[0].startswith("uid=0 gid=0")
    with open("/proc/self/status") as f:
        host = next(line for line in f if line.startswith("CapBnd:"))
    assert lines[1].split() == host.split()
    # No read-only /proc/sys, a writable /sys: Docker's privileged container, with the host's
    # device nodes (/dev/ptmx is runc's link to pts/ptmx; /dev/console a terminal's only).
    assert lines[2:4] == ["0", "1"]
    assert set(lines[4:]) == {d["path"] for d in host_devices()} - {"/dev/ptmx"}
