"""The daemon's mutable configuration (labels, image proxy) and its crash-safe persistence.

pouch keeps /daemon/update changes in memory only; we keep them in ``<home>/daemon-state.json``
so that every update answered 200 survives a restart, even after SIGKILL. The file holds the
*updates* (an overlay), not the effective labels: at start they are merged over the labels of
the flags/config file, exactly as if every update were applied again.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from pouch_server.config import ConfigError, check_label
from pouch_server.util import atomic_write_json

STATE_FILE = "daemon-state.json"
_FORMAT = 1


class UpdateError(ValueError):
    """An update that cannot be applied (a bad request, not a daemon failure)."""


def merge_labels(current: list[str], new: list[str]) -> list[str]:
    """pouch's merge: a new label whose key is present replaces it in place, else it is appended."""
    merged = list(current)
    for label in new:
        key = label.split("=", 1)[0]
        replaced = False
        for i, old in enumerate(merged):
            if old.split("=", 1)[0] == key:
                merged[i] = label
                replaced = True
        if not replaced:
            merged.append(label)
    return merged


class DaemonStateStore:
    """Current labels and image proxy, and the file that keeps the updates made to them."""

    def __init__(self, home_dir: Path, base_labels: list[str], base_image_proxy: str) -> None:
        self.path = Path(home_dir) / STATE_FILE
        self._lock = asyncio.Lock()
        overlay = self._load()
        self._overlay_labels: list[str] = overlay.get("labels", [])
        self._overlay_proxy: str | None = overlay.get("image_proxy")
        self.labels: list[str] = merge_labels(base_labels, self._overlay_labels)
        self.image_proxy: str = self._overlay_proxy if self._overlay_proxy is not None else base_image_proxy

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise ConfigError(f"cannot read state file {self.path}: {e}") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                raise ValueError("unexpected content")
            labels = data.get("labels", [])
            proxy = data.get("image_proxy")
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise ValueError("labels must be a list of strings")
            if proxy is not None and not isinstance(proxy, str):
                raise ValueError("image_proxy must be a string")
        except ValueError as e:
            # Never start with silently dropped state: the operator decides what to do with it.
            raise ConfigError(
                f"state file {self.path} is corrupt ({e}); move it away to start without "
                "the updates it holds"
            ) from None
        return {"labels": labels, "image_proxy": proxy}

    async def update(self, labels: list[str] | None, image_proxy: str | None) -> tuple[list[str], str]:
        """Apply one /daemon/update: validated, persisted durably, then made visible.

        Updates are serialised by a lock so that none is lost; the file is written before the
        in-memory state changes, so a 200 is only ever sent for an update that is on disk.
        """
        labels = labels or []
        if not labels and not image_proxy:
            raise UpdateError("daemon update config cannot be empty")
        for label in labels:
            try:
                check_label(label)
            except ConfigError as e:
                raise UpdateError(str(e)) from None
        async with self._lock:
            overlay_labels = merge_labels(self._overlay_labels, labels)
            overlay_proxy = image_proxy if image_proxy else self._overlay_proxy
            record = {"format": _FORMAT, "labels": overlay_labels, "image_proxy": overlay_proxy}
            await asyncio.to_thread(atomic_write_json, self.path, record)
            self._overlay_labels, self._overlay_proxy = overlay_labels, overlay_proxy
            self.labels = merge_labels(self.labels, labels)
            if image_proxy:
                self.image_proxy = image_proxy
            return list(self.labels), self.image_proxy
