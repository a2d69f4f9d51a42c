"""A container's seccomp filter (pouch's daemon/mgr/spec_seccomp_linux.go, moby's daemon/seccomp_linux.go):
Docker's default profile unless the container is privileged or asks for ``seccomp=unconfined``, or
the profile a client sent in ``HostConfig.SecurityOpt`` as ``seccomp=<JSON text>``.

A profile in Docker's format has conditional rules: a syscall group allowed only with a capability
(``includes.caps``; ``excludes.caps`` drops a rule when the container has it), only on some
architectures (``includes.arches``/``excludes.arches``, in libseccomp's native names: amd64, x86,
x32, arm64, arm...), or from some kernel version on (``minKernel``). :func:`render` resolves them
for the container's final capabilities (its bounding set, as moby checks), this machine's
architecture and kernel, into the OCI ``linux.seccomp`` object runc reads; ``archMap`` becomes the
list of architectures: the native one and its sub-architectures (x86_64: X86_64, X86, X32).

The default profile, ``seccomp_default.json`` beside this module, is moby's default profile copied
verbatim: ``vendor/github.com/moby/profiles/seccomp/default.json`` in github.com/moby/moby at commit
b985e2313a8676e18072b442911fc8f64f17d440 (the module github.com/moby/profiles/seccomp v0.2.3; the file
last changed in moby commit 35797366d7cdae8d1d84eac06fbb314ccaf3ccaf; older moby trees have it at
``profiles/seccomp/default.json``). Copyright The Moby Authors, Apache License 2.0. Its sha256 is
536529b665dd0972c37bfb569f5d4ac8a53592e7b00752bc39ff063ca9864c74 (13470 bytes).
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any, Final

from pouch_server.errors import APIError

DEFAULT_PROFILE_FILE: Final = "seccomp_default.json"
#: SecurityOpt values that mean "the default profile": unset, moby's "builtin", pouch's "pouch/default".
DEFAULT_NAMES: Final = frozenset(("", "builtin", "default", "pouch/default"))
UNCONFINED: Final = "unconfined"

#: platform.machine() (and Go's GOARCH) → libseccomp's native name, the one the profile's arches use.
_MACHINE_TO_NATIVE: Final = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "x86": "x86",
    "386": "x86",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv6l": "arm",
    "armv7l": "arm",
    "armv8l": "arm",
    "arm": "arm",
    "ppc": "ppc",
    "ppc64": "ppc64",
    "ppc64le": "ppc64le",
    "s390": "s390",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
    "loong64": "loong64",
    "mips": "mipsle",  # moby's goToNative has no big-endian 32-bit MIPS
    "mipsel": "mipsle",
    "mipsle": "mipsle",
    "mips64": "mips64",
    "mips64le": "mipsel64",
    "mipsel64": "mipsel64",
}
#: libseccomp's native name → the OCI architecture (moby's nativeToSeccomp).
_NATIVE_TO_SCMP: Final = {
    "x86": "SCMP_ARCH_X86",
    "amd64": "SCMP_ARCH_X86_64",
    "arm": "SCMP_ARCH_ARM",
    "arm64": "SCMP_ARCH_AARCH64",
    "loong64": "SCMP_ARCH_LOONGARCH64",
    "mips64": "SCMP_ARCH_MIPS64",
    "mips64n32": "SCMP_ARCH_MIPS64N32",
    "mipsel64": "SCMP_ARCH_MIPSEL64",
    "mips3l64n32": "SCMP_ARCH_MIPSEL64N32",
    "mipsle": "SCMP_ARCH_MIPSEL",
    "ppc": "SCMP_ARCH_PPC",
    "ppc64": "SCMP_ARCH_PPC64",
    "ppc64le": "SCMP_ARCH_PPC64LE",
    "riscv64": "SCMP_ARCH_RISCV64",
    "s390": "SCMP_ARCH_S390",
    "s390x": "SCMP_ARCH_S390X",
}
#: What runc 1.1 (libseccomp-golang) accepts.
ACTIONS: Final = frozenset(
    "SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP SCMP_ACT_ERRNO SCMP_ACT_TRACE "
    "SCMP_ACT_ALLOW SCMP_ACT_LOG SCMP_ACT_NOTIFY".split()
)
OPERATORS: Final = frozenset(
    "SCMP_CMP_NE SCMP_CMP_LT SCMP_CMP_LE SCMP_CMP_EQ SCMP_CMP_GE SCMP_CMP_GT SCMP_CMP_MASKED_EQ".split()
)
#: The LinuxSeccomp fields a Docker-format profile hands on as they are (besides its syscalls).
_PASSED_ON: Final = ("defaultErrnoRet", "flags", "listenerPath", "listenerMetadata")
_U64: Final = 2**64 - 1


class ProfileError(ValueError):
    """A seccomp profile that cannot be rendered (a 400 for the container's create)."""


def native_arch(machine: str | None = None) -> str:
    """libseccomp's native name for ``machine`` (platform.machine()'s or Go's spelling; this machine's
    when None); unknown names are returned lower-cased, so that no arch-conditional rule matches."""
    name = (machine or platform.machine()).lower()
    return _MACHINE_TO_NATIVE.get(name, name)


@functools.cache
def _kernel_version() -> tuple[int, int] | None:
    found = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return (int(found[1]), int(found[2])) if found else None


def _min_kernel(value: Any) -> tuple[int, int] | None:
    """A filter's ``minKernel``, "<kernel>.<major>" (moby's KernelVersion); None when unset."""
    if value is None or value == "":
        return None
    found = re.fullmatch(r"(\d{1,3})\.(\d{1,3})", value) if isinstance(value, str) else None
    if not found or (int(found[1]), int(found[2])) == (0, 0):
        raise ProfileError(f'invalid kernel version: {json.dumps(value)}, expected "<kernel>.<major>"')
    return int(found[1]), int(found[2])


@functools.cache
def _default_text() -> str:
    return resources.files(__name__.rpartition(".")[0]).joinpath(DEFAULT_PROFILE_FILE).read_text(encoding="utf-8")


def load_default() -> dict[str, Any]:
    """moby's default profile in Docker's format (a fresh copy)."""
    profile: dict[str, Any] = json.loads(_default_text())
    return profile


# --- rendering ----------------------------------------------------------------------------------------
def _strings(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{what} must be a list of strings")
    return list(value)


def _uint(value: Any, what: str, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U64:
        raise ProfileError(f"{what} must be an unsigned integer, not {json.dumps(value)}")
    return value


def _filter(value: Any, what: str) -> tuple[list[str], list[str], tuple[int, int] | None]:
    """A rule's ``includes`` or ``excludes``: its caps, arches and minKernel."""
    if value is None:
        return [], [], None
    if not isinstance(value, Mapping):
        raise ProfileError(f"{what} must be an object with caps, arches and minKernel")
    return (
        _strings(value.get("caps"), f"{what}.caps"),
        _strings(value.get("arches"), f"{what}.arches"),
        _min_kernel(value.get("minKernel")),
    )


def _kernel_at_least(version: tuple[int, int]) -> bool:
    kernel = _kernel_version()
    if kernel is None:
        raise ProfileError(f"cannot tell this host's kernel version from {os.uname().release!r}")
    return kernel >= version


def _args(value: Any, what: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProfileError(f"{what}.args must be a list")
    out: list[dict[str, Any]] = []
    for arg in value:
        if not isinstance(arg, Mapping):
            raise ProfileError(f"{what}.args must be a list of {{index, value, valueTwo, op}} objects")
        op = arg.get("op")
        if op not in OPERATORS:
            raise ProfileError(f"{what}: unknown seccomp operator {json.dumps(op)}")
        out.append(
            {
                "index": _uint(arg.get("index"), f"{what}.args index"),
                "value": _uint(arg.get("value"), f"{what}.args value", 0),
                "valueTwo": _uint(arg.get("valueTwo"), f"{what}.args valueTwo", 0),
                "op": op,
            }
        )
    return out


def _rule(call: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The OCI LinuxSyscall of a Docker-format rule (its conditions already met)."""
    names = _strings(call.get("names"), f"{what}.names")
    name = call.get("name")
    if name:
        if names:
            raise ProfileError(
                "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'"
            )
        if not isinstance(name, str):
            raise ProfileError(f"{what}.name must be a string")
        names = [name]
    if not names:
        raise ProfileError(f"{what} names no syscall")
    action = call.get("action")
    if action not in ACTIONS:
        raise ProfileError(f"{what}: unknown seccomp action {json.dumps(action)}")
    rule: dict[str, Any] = {"names": names, "action": action}
    if call.get("errnoRet") is not None:
        rule["errnoRet"] = _uint(call.get("errnoRet"), f"{what}.errnoRet")
    args = _args(call.get("args"), what)
    if args:
        rule["args"] = args
    return rule


def render(profile: Mapping[str, Any], capabilities: Iterable[str], arch: str | None = None) -> dict[str, Any] | None:
    """The OCI ``linux.seccomp`` of a Docker-format ``profile`` (moby's setupSeccomp) for a container
    with ``capabilities`` on ``arch`` (this machine's when None); None for a profile with neither a
    default action nor syscalls, which Docker takes as no seccomp at all. A bad profile raises
    :class:`ProfileError`."""
    if not isinstance(profile, Mapping):
        raise ProfileError("a seccomp profile must be a JSON object")
    caps = set(capabilities)
    native = native_arch(arch)
    default_action = profile.get("defaultAction") or ""
    calls = profile.get("syscalls")
    if calls is not None and not isinstance(calls, list):
        raise ProfileError("syscalls must be a list")
    calls = calls or []
    if not default_action and not calls:
        return None
    if default_action not in ACTIONS:
        raise ProfileError(f"unknown seccomp defaultAction {json.dumps(default_action)}")
    architectures = _strings(profile.get("architectures"), "architectures")
    arch_map = profile.get("archMap")
    if architectures and arch_map:
        raise ProfileError(
            "both 'architectures' and 'archMap' are specified in the seccomp profile, "
            "use either 'architectures' or 'archMap'"
        )
    if arch_map is not None and not isinstance(arch_map, list):
        raise ProfileError("archMap must be a list of {architecture, subArchitectures} objects")
    scmp = _NATIVE_TO_SCMP.get(native)
    for entry in arch_map or []:
        if not isinstance(entry, Mapping):
            raise ProfileError("archMap must be a list of {architecture, subArchitectures} objects")
        if scmp is not None and entry.get("architecture") == scmp:
            architectures = [scmp, *_strings(entry.get("subArchitectures"), "archMap subArchitectures")]
            break
    out: dict[str, Any] = {"defaultAction": default_action}
    for key in _PASSED_ON:
        if profile.get(key) is not None:
            out[key] = profile[key]
    if "defaultErrnoRet" in out:
        out["defaultErrnoRet"] = _uint(out["defaultErrnoRet"], "defaultErrnoRet")
    if architectures:
        out["architectures"] = architectures
    rules: list[dict[str, Any]] = []
    for number, call in enumerate(calls):
        what = f"syscalls[{number}]"
        if not isinstance(call, Mapping):
            raise ProfileError(f"{what} must be an object")
        ex_caps, ex_arches, ex_kernel = _filter(call.get("excludes"), f"{what}.excludes")
        in_caps, in_arches, in_kernel = _filter(call.get("includes"), f"{what}.includes")
        rule = _rule(call, what)  # checked whether it applies or not
        if native in ex_arches or any(c in caps for c in ex_caps):
            continue
        if ex_kernel is not None and _kernel_at_least(ex_kernel):
            continue
        if (in_arches and native not in in_arches) or any(c not in caps for c in in_caps):
            continue
        if in_kernel is not None and not _kernel_at_least(in_kernel):
            continue
        rules.append(rule)
    out["syscalls"] = rules
    return out


def default_profile(capabilities: Iterable[str], arch: str | None = None) -> dict[str, Any]:
    """Docker's default profile rendered for a container with ``capabilities`` on ``arch``."""
    rendered = render(load_default(), capabilities, arch)
    assert rendered is not None
    return rendered


# --- the container's choice ---------------------------------------------------------------------------
def requested(security_opt: Sequence[str]) -> str | None:
    """The value of the last ``seccomp=`` (or Docker's old ``seccomp:``) among a container's
    SecurityOpt, None when there is none. Other options are not this module's business."""
    value: str | None = None
    for opt in security_opt:
        if "=" in opt:
            key, _, rest = opt.partition("=")
        elif ":" in opt:
            key, _, rest = opt.partition(":")
        else:
            continue
        if key.strip() == "seccomp":
            value = rest.strip()
    return value


def container_profile(
    security_opt: Sequence[str], capabilities: Sequence[str], privileged: bool, arch: str | None = None
) -> dict[str, Any] | None:
    """The ``linux.seccomp`` of a container, None for none: the default profile unless privileged or
    ``seccomp=unconfined``; a profile given as ``seccomp=<JSON>`` applies even to a privileged
    container, as in moby. A value that is neither is a 400."""
    value = requested(security_opt)
    if value == UNCONFINED:
        return None
    if value is None or value in DEFAULT_NAMES:
        return None if privileged else default_profile(capabilities, arch)
    try:
        profile = json.loads(value)
    except ValueError as e:
        hint = ""
        if not value.lstrip().startswith(("{", "[")):
            hint = (
                ": pouchd takes the profile's JSON text (seccomp=<JSON>; the client reads a profile file), "
                f"{UNCONFINED!r} or 'builtin'"
            )
        raise APIError(400, f"invalid --security-opt seccomp: decoding seccomp profile failed: {e}{hint}") from None
    try:
        return render(profile, capabilities, arch)
    except ProfileError as e:
        raise APIError(400, f"invalid --security-opt seccomp: {e}") from None
