"""A container's seccomp filter (pouch_server/managers/containers/seccomp.py): Docker's default
profile rendered for the container's capabilities and this machine's architecture, none when
privileged or unconfined, a profile given as JSON text, what is refused with a 400, and real runs
by runc (the helpers of tests/test_container_spec.py)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from pouch_server.managers.containers import seccomp
from pouch_server.managers.containers.spec import DEFAULT_CAPABILITIES, User, build_spec, process_for_exec
from tests.test_container_spec import RUNC, _remove_cgroups, _rootfs, _run, make, needs_runc, refused, spec

X86 = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
on_x86_64 = pytest.mark.skipif(platform.machine() != "x86_64", reason="the host's arch is not x86_64")


def allowed(profile: dict[str, Any]) -> set[str]:
    """The syscalls allowed whatever their arguments."""
    return {
        name
        for rule in profile["syscalls"]
        if rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args")
        for name in rule["names"]
    }


def rules_for(profile: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [rule for rule in profile["syscalls"] if name in rule["names"]]


# --- the data -----------------------------------------------------------------------------------------
def test_default_profile_file_is_mobys() -> None:
    text = seccomp._default_text()
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert digest in (seccomp.__doc__ or "")  # the module says which file it is
    profile = seccomp.load_default()
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert profile["defaultErrnoRet"] == 1
    assert {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]} in profile[
        "archMap"
    ]
    assert len(profile["syscalls"][0]["names"]) > 300
    profile["syscalls"].clear()  # a copy: the next one is whole again
    assert seccomp.load_default()["syscalls"]


# --- rendering ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("machine", "arches"),
    [
        ("x86_64", X86),
        ("amd64", X86),
        ("aarch64", ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]),
        ("arm64", ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]),
        ("s390x", ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"]),
        ("ppc64le", None),  # not in moby's archMap: no list, runc takes the native arch only
    ],
)
def test_architectures(machine: str, arches: list[str] | None) -> None:
    assert seccomp.default_profile(DEFAULT_CAPABILITIES, machine).get("architectures") == arches


def test_arch_conditional_rules() -> None:
    x86 = allowed(seccomp.default_profile(DEFAULT_CAPABILITIES, "x86_64"))
    arm = allowed(seccomp.default_profile(DEFAULT_CAPABILITIES, "aarch64"))
    assert {"arch_prctl", "modify_ldt"} <= x86
    assert not {"arm_fadvise64_64", "breakpoint", "s390_runtime_instr"} & x86
    assert {"arm_fadvise64_64", "breakpoint"} <= arm
    assert not {"arch_prctl", "modify_ldt"} & arm
    # clone's flags are its first argument, but the second on s390.
    assert [r["args"][0]["index"] for r in rules_for(seccomp.default_profile([], "x86_64"), "clone")] == [0]
    assert [r["args"][0]["index"] for r in rules_for(seccomp.default_profile([], "s390x"), "clone")] == [1]


def test_default_profile_without_sys_admin() -> None:
    profile = seccomp.default_profile(DEFAULT_CAPABILITIES, "x86_64")
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert profile["defaultErrnoRet"] == 1
    names = allowed(profile)
    assert {"read", "write", "execve", "openat", "exit_group", "nanosleep", "chown", "setuid"} <= names
    assert "chroot" in names  # CAP_SYS_CHROOT is a default capability
    assert not {"mount", "umount2", "unshare", "setns", "init_module", "kcmp", "reboot", "acct"} & names
    # clone without namespace flags only; clone3 fails with ENOSYS, so that a libc falls back to clone.
    assert rules_for(profile, "clone") == [
        {
            "names": ["clone"],
            "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": 0x7E020000, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
        }
    ]
    assert rules_for(profile, "clone3") == [{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]
    assert {"value": 40, "op": "SCMP_CMP_GT"}.items() <= rules_for(profile, "socket")[2]["args"][0].items()
    assert [r["args"][0]["value"] for r in rules_for(profile, "personality")] == [0, 8, 0x20000, 0x20008, 0xFFFFFFFF]
    for rule in profile["syscalls"]:  # only what the OCI spec has
        assert set(rule) <= {"names", "action", "errnoRet", "args"}
    assert set(profile) == {"defaultAction", "defaultErrnoRet", "architectures", "syscalls"}


@pytest.mark.parametrize(
    ("cap", "names"),
    [
        ("CAP_SYS_ADMIN", {"mount", "umount2", "unshare", "setns", "clone", "clone3", "sethostname"}),
        ("CAP_SYS_PTRACE", {"kcmp", "pidfd_getfd", "process_vm_readv", "ptrace"}),
        ("CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}),
        ("CAP_SYS_BOOT", {"reboot"}),
        ("CAP_SYS_TIME", {"settimeofday", "clock_settime"}),
        ("CAP_DAC_READ_SEARCH", {"open_by_handle_at"}),
    ],
)
def test_capability_rules(cap: str, names: set[str]) -> None:
    without = allowed(seccomp.default_profile(DEFAULT_CAPABILITIES, "x86_64"))
    with_cap = allowed(seccomp.default_profile([*DEFAULT_CAPABILITIES, cap], "x86_64"))
    assert names <= with_cap
    assert names - {"ptrace", "process_vm_readv"} <= names - without  # ptrace is anyone's on kernels >= 4.8
    if cap == "CAP_SYS_ADMIN":  # no clone argument filter and no clone3 ENOSYS with CAP_SYS_ADMIN
        profile = seccomp.default_profile([*DEFAULT_CAPABILITIES, cap], "x86_64")
        assert all("args" not in r and r["action"] == "SCMP_ACT_ALLOW" for r in rules_for(profile, "clone3"))
        assert all("args" not in r for r in rules_for(profile, "clone"))


def test_min_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = {
        "defaultAction": "SCMP_ACT_ERRNO",
        "syscalls": [
            {"names": ["old"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "3.10"}},
            {"names": ["new"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.20"}},
            {"names": ["gone"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5.20"}},
        ],
    }
    monkeypatch.setattr(seccomp, "_kernel_version", lambda: (5, 10))
    assert allowed(seccomp.render(profile, []) or {}) == {"old", "gone"}
    monkeypatch.setattr(seccomp, "_kernel_version", lambda: (6, 1))
    assert allowed(seccomp.render(profile, []) or {}) == {"old", "new"}
    # The default profile's ptrace (minKernel 4.8) is everyone's on an old kernel only with CAP_SYS_PTRACE.
    monkeypatch.setattr(seccomp, "_kernel_version", lambda: (4, 4))
    assert "ptrace" not in allowed(seccomp.default_profile(DEFAULT_CAPABILITIES, "x86_64"))


# --- in the spec --------------------------------------------------------------------------------------
def test_spec_has_the_default_profile() -> None:
    s = spec()
    profile = s["linux"]["seccomp"]
    assert profile == seccomp.default_profile(s["process"]["capabilities"]["bounding"])
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO" and profile["defaultErrnoRet"] == 1
    assert "unshare" not in allowed(profile)
    assert "seccomp" not in s["process"]
    for opt in (["seccomp=builtin"], ["seccomp="], ["seccomp=pouch/default"], ["no-new-privileges"]):
        assert spec(host_config={"SecurityOpt": opt})["linux"]["seccomp"] == profile


@on_x86_64
def test_spec_architectures() -> None:
    assert spec()["linux"]["seccomp"]["architectures"] == X86


def test_spec_caps_follow_cap_add_and_drop() -> None:
    added = allowed(spec(host_config={"CapAdd": ["SYS_ADMIN", "SYS_PTRACE"]})["linux"]["seccomp"])
    assert {"mount", "unshare", "setns", "kcmp"} <= added
    everything = allowed(spec(host_config={"CapAdd": ["ALL"]})["linux"]["seccomp"])
    assert {"mount", "init_module", "reboot", "syslog"} <= everything
    dropped = allowed(spec(host_config={"CapDrop": ["SYS_CHROOT"]})["linux"]["seccomp"])
    assert "chroot" not in dropped


@pytest.mark.parametrize(
    "hc",
    [
        {"Privileged": True},
        {"SecurityOpt": ["seccomp=unconfined"]},
        {"SecurityOpt": ["seccomp:unconfined"]},
        {"SecurityOpt": ["label=disable", "seccomp=unconfined"]},
        {"SecurityOpt": "seccomp=unconfined"},
        {"Privileged": True, "SecurityOpt": ["seccomp=builtin"]},
    ],
)
def test_no_profile(hc: dict[str, Any]) -> None:
    assert "seccomp" not in spec(host_config=hc)["linux"]


def test_last_seccomp_option_wins() -> None:
    assert "seccomp" in spec(host_config={"SecurityOpt": ["seccomp=unconfined", "seccomp=builtin"]})["linux"]
    assert "seccomp" not in spec(host_config={"SecurityOpt": ["seccomp=builtin", "seccomp=unconfined"]})["linux"]


def test_profile_as_json_text() -> None:
    docker = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
        "syscalls": [
            {"name": "chmod", "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "comment": "no chmod"},
            {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
            {
                "names": ["mkdir"],
                "action": "SCMP_ACT_ERRNO",
                "args": [{"index": 1, "value": 0o700, "op": "SCMP_CMP_EQ"}],
            },
        ],
    }
    profile = spec(host_config={"SecurityOpt": ["seccomp=" + json.dumps(docker)]})["linux"]["seccomp"]
    if platform.machine() == "x86_64":
        assert profile["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]
    assert profile["syscalls"] == [
        {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
        {"names": ["mount"], "action": "SCMP_ACT_ERRNO"},
        {
            "names": ["mkdir"],
            "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 1, "value": 0o700, "valueTwo": 0, "op": "SCMP_CMP_EQ"}],
        },
    ]
    admin = spec(host_config={"SecurityOpt": ["seccomp=" + json.dumps(docker)], "CapAdd": ["SYS_ADMIN"]})
    assert [r["names"] for r in admin["linux"]["seccomp"]["syscalls"]] == [["chmod"], ["mkdir"]]
    # An OCI-format profile passes as it is; moby applies a given profile even to a privileged container.
    oci = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}
    privileged = spec(host_config={"Privileged": True, "SecurityOpt": ["seccomp=" + json.dumps(oci)]})
    assert privileged["linux"]["seccomp"] == oci
    # Neither a default action nor syscalls: Docker's "no seccomp".
    assert "seccomp" not in spec(host_config={"SecurityOpt": ["seccomp={}"]})["linux"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/etc/pouch/seccomp.json", "pouchd takes the profile's JSON text"),
        ("strict", "decoding seccomp profile failed"),
        ('{"defaultAction": ', "decoding seccomp profile failed"),
        ("[1, 2]", "a seccomp profile must be a JSON object"),
        ('{"defaultAction": "SCMP_ACT_NOPE"}', 'unknown seccomp defaultAction "SCMP_ACT_NOPE"'),
        ('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}}', "syscalls must be a list"),
        (
            '{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86"], "archMap": [{}]}',
            "both 'architectures' and 'archMap'",
        ),
        (
            '{"defaultAction": "SCMP_ACT_ERRNO", '
            '"syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_ALLOW"}]}',
            "both 'name' and 'names'",
        ),
        (
            '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["a"], "action": "ALLOW"}]}',
            "unknown seccomp action",
        ),
        ('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]}', "names no syscall"),
        (
            '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", '
            '"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ISH"}]}]}',
            "unknown seccomp operator",
        ),
        (
            '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", '
            '"args": [{"index": -1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}',
            "index must be an unsigned integer",
        ),
        (
            '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ALLOW", '
            '"includes": {"minKernel": "5"}}]}',
            "invalid kernel version",
        ),
        ('{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "EPERM"}', "defaultErrnoRet must be an unsigned"),
    ],
)
def test_bad_profiles_refused(value: str, message: str) -> None:
    text = refused(host_config={"SecurityOpt": ["seccomp=" + value]})
    assert text.startswith("invalid --security-opt seccomp: ")
    assert message in text


def test_exec_shares_the_container_profile() -> None:
    s = spec()
    for privileged in (False, True):
        process = process_for_exec(s, args=["id"], env=[], user=None, cwd="", tty=False, privileged=privileged)
        assert "seccomp" not in process
    assert "seccomp" in s["linux"]


# --- real runs ----------------------------------------------------------------------------------------
BASICS = (
    "grep Seccomp: /proc/self/status; echo hello; busybox ls / | grep -c proc; sh -c 'echo nested'; "
    "busybox sleep 0.1 && echo slept; "
)


@needs_runc
def test_runc_default_profile_blocks_unshare(tmp_path: Path) -> None:
    # unshare(CLONE_NEWUSER) needs no capability, only the default profile's CAP_SYS_ADMIN rule stops it.
    script = BASICS + "busybox unshare -U true 2>&1 && echo unshare-ok || echo unshare-failed; true"
    out = _run(tmp_path, {"Cmd": ["sh", "-c", script], "Hostname": "sc"}, {"NetworkMode": "none"}, User(0, 0))
    lines = out.splitlines()
    assert lines[0].split() == ["Seccomp:", "2"]
    assert lines[1:4] == ["hello", "1", "nested"]
    assert lines[4] == "slept"
    assert "Operation not permitted" in lines[5]
    assert lines[6] == "unshare-failed"


@needs_runc
def test_runc_unconfined_allows_unshare(tmp_path: Path) -> None:
    script = BASICS + "busybox unshare -U true 2>&1 && echo unshare-ok || echo unshare-failed; true"
    out = _run(
        tmp_path,
        {"Cmd": ["sh", "-c", script], "Hostname": "sc"},
        {"NetworkMode": "none", "SecurityOpt": ["seccomp=unconfined"]},
        User(0, 0),
    )
    lines = out.splitlines()
    assert lines[0].split() == ["Seccomp:", "0"]
    assert lines[1:] == ["hello", "1", "nested", "slept", "unshare-ok"]


@needs_runc
def test_runc_sys_admin_allows_unshare(tmp_path: Path) -> None:
    script = (
        "grep Seccomp: /proc/self/status; busybox unshare -U true 2>&1 && echo userns-ok; "
        "busybox unshare -m true 2>&1 && echo mountns-ok; true"
    )
    out = _run(
        tmp_path,
        {"Cmd": ["sh", "-c", script], "Hostname": "sc"},
        {"NetworkMode": "none", "CapAdd": ["SYS_ADMIN"]},
        User(0, 0),
    )
    assert out.splitlines() == ["Seccomp:\t2", "userns-ok", "mountns-ok"]


@needs_runc
def test_runc_profile_from_json(tmp_path: Path) -> None:
    # A profile of the client's: everything but mkdir(2)/mkdirat(2), which fail with EACCES.
    profile = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}],
    }
    script = "grep Seccomp: /proc/self/status; busybox mkdir /tmp/x 2>&1 || echo mkdir-failed; echo still-here"
    out = _run(
        tmp_path,
        {"Cmd": ["sh", "-c", script], "Hostname": "sc"},
        {"NetworkMode": "none", "SecurityOpt": ["seccomp=" + json.dumps(profile)]},
        User(0, 0),
    )
    lines = out.splitlines()
    assert lines[0] == "Seccomp:\t2"
    assert "Permission denied" in lines[1]
    assert lines[2:] == ["mkdir-failed", "still-here"]


@needs_runc
def test_runc_exec_keeps_the_filter(tmp_path: Path) -> None:
    """An exec runs under the container's filter, a privileged exec too (as in Docker: its
    capabilities grow, its seccomp filter does not go)."""
    assert RUNC is not None
    cid = "seccomp-" + uuid.uuid4().hex[:12]
    parent = "pouchd-test-" + uuid.uuid4().hex[:8]
    bundle = tmp_path / "bundle"
    _rootfs(bundle / "rootfs")
    files = tmp_path / "files"
    files.mkdir()
    etc = {}
    for name in ("hostname", "hosts", "resolv.conf"):
        (files / name).write_text("")
        etc[f"/etc/{name}"] = str(files / name)
    inp = make(
        {"Cmd": ["busybox", "sleep", "60"], "Hostname": "sc"},
        {"NetworkMode": "none"},
        id=cid,
        cgroups_path=f"/{parent}/{cid}",
        etc_files=etc,
    )
    s = build_spec(inp)
    (bundle / "config.json").write_text(json.dumps(s))
    runc = [RUNC, "--root", str(tmp_path / "runcroot")]
    script = (
        "grep -e Seccomp: -e CapEff: /proc/self/status; "
        "busybox unshare -U true 2>&1 && echo unshare-ok || echo unshare-failed"
    )
    try:
        # The detached container inherits runc's stdio: a file, not a pipe that would stay open.
        with open(tmp_path / "run.log", "w+b") as log:
            started = subprocess.run(
                [*runc, "run", "-d", "-b", str(bundle), cid],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                timeout=60,
            )
            log.seek(0)
            assert started.returncode == 0, log.read().decode(errors="replace")
        outputs = []
        for privileged in (False, True):
            process = process_for_exec(
                s, args=["sh", "-c", script], env=[], user=None, cwd="", tty=False, privileged=privileged
            )
            path = tmp_path / f"process-{privileged}.json"
            path.write_text(json.dumps(process))
            done = subprocess.run(
                [*runc, "exec", "--process", str(path), cid],
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
            )
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout.splitlines())
    finally:
        subprocess.run([*runc, "kill", cid, "KILL"], capture_output=True, timeout=30)
        subprocess.run([*runc, "delete", "-f", cid], capture_output=True, timeout=30)
        _remove_cgroups(parent)
    plain, privileged_out = outputs
    assert plain[0].split() == ["CapEff:", "00000000a80425fb"]
    assert plain[1].split() == ["Seccomp:", "2"]
    assert plain[-1] == "unshare-failed"
    with open("/proc/self/status") as f:
        host_caps = next(line for line in f if line.startswith("CapBnd:")).split()[1]
    assert privileged_out[0].split() == ["CapEff:", host_caps]
    assert privileged_out[1].split() == ["Seccomp:", "2"]
    assert privileged_out[-1] == "unshare-failed"
    assert not os.path.exists(f"/sys/fs/cgroup/pids/{parent}")
