"""Default locations, shared by pouchd and the pouch CLI.

As root the defaults are pouchd's own (/var/run/pouchd.sock, /var/lib/pouch, ...). Any other
user gets per-user paths (XDG base directories), so ``pouchd & pouch version`` works unprivileged.
"""

from __future__ import annotations

import os
from pathlib import Path


def _is_root() -> bool:
    return os.geteuid() == 0


def _runtime_dir() -> Path:
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return Path(xdg)
    return data_home()


def data_home() -> Path:
    """Per-user data directory for pouch (``$XDG_DATA_HOME/pouch``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "pouch"


def default_socket() -> str:
    """Path of the daemon's default unix socket."""
    if _is_root():
        return "/var/run/pouchd.sock"
    return str(_runtime_dir() / "pouchd.sock")


def default_host() -> str:
    """The default ``-H`` / ``--listen`` address."""
    return "unix://" + default_socket()


def default_home_dir() -> str:
    return "/var/lib/pouch" if _is_root() else str(data_home())


def default_config_file() -> str:
    if _is_root():
        return "/etc/pouch/config.json"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "pouch", "config.json")
