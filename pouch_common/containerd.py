"""The configuration pouchd runs its containerd with (pouch_server/ctrd/supervisor.py); the test
harness runs containerd with the same one (pouch_testing/containerd.py)."""

from __future__ import annotations

from pathlib import Path

#: containerd serves ttrpc (its shims' protocol) on a second socket: the gRPC one's path plus this.
TTRPC_SUFFIX = ".ttrpc"


def _toml_string(value: str) -> str:
    """A TOML basic string (paths here hold no control characters)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_toml(root: Path, state: Path, address: Path, *, debug: bool = False) -> str:
    """A version 2 config for a private containerd: the CRI plugin off (no CNI, no Kubernetes
    start-up; pouch does not run it by default either), the debug and metrics sockets off, and every
    path of its own, so nothing it does touches the host's containerd or its files
    (``/opt/containerd`` is the opt plugin's default)."""
    return "\n".join(
        [
            "# Written by pouchd at each start of its containerd.",
            "version = 2",
            f"root = {_toml_string(str(root))}",
            f"state = {_toml_string(str(state))}",
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
            "[grpc]",
            f"  address = {_toml_string(str(address))}",
            "[ttrpc]",
            f"  address = {_toml_string(str(address) + TTRPC_SUFFIX)}",
            "[debug]",
            '  address = ""',
            f'  level = "{"debug" if debug else "info"}"',
            "[metrics]",
            '  address = ""',
            '[plugins."io.containerd.internal.v1.opt"]',
            f"  path = {_toml_string(str(root / 'opt'))}",
            "",
        ]
    )
