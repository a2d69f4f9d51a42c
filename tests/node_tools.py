"""The project's Node tools (package.json, installed by ``npm ci`` in scripts/setup.sh --dev)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / "node_modules" / ".bin"


def tool(name: str) -> str:
    return str(NODE_BIN / name)


def missing(*tools: str) -> str | None:
    """Why the Node tests cannot run here, or None when node and the named tools are installed."""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup.sh --dev installs it as root)"
    for name in tools:
        if not (NODE_BIN / name).exists():
            return f"{name} is not installed: run npm ci (scripts/setup.sh --dev does)"
    return None
