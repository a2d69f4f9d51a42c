"""The daemon's mutable configuration (labels, image proxy) and its crash-safe persistence.

pouch keeps /daemon/update changes in memory only; we keep them in ``<home>/daemon-state.json``
so that every update answered 200 survives a restart, even after SIGKILL. The file holds the
*updates* (an overlay), not the effective labels: at start they are merged over the labels of
the flags/config file, exactly as if every update were applied again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pouch_common.fileutil import atomic_write_json
from pouch_common.labels import label_attributes, label_problem, labels_limit_problem, merge_labels
from pouch_common.limits import MAX_IMAGE_PROXY_LENGTH, MAX_LABELS
from pouch_common.registry import image_proxy_url
from pouch_server.config import ConfigError

__all__ = ["STATE_FILE", "DaemonStateStore", "UpdateError"]

log = logging.getLogger("pouchd")

STATE_FILE = "daemon-state.json"
_FORMAT = 1


#: ``on_applied(labels, image_proxy, attributes)``: called under the store's lock once an update is stored.
OnApplied = Callable[[list[str], str, dict[str, str]], None]


class UpdateError(ValueError):
    """An update that cannot be applied (a bad request, not a daemon failure)."""


class DaemonStateStore:
    """Current labels and image proxy, and the file that keeps the updates made to them."""

    def __init__(self, home_dir: Path, base_labels: list[str], base_image_proxy: str) -> None:
        self.path = Path(home_dir) / STATE_FILE
        self._lock = asyncio.Lock()
        self._remove_stale_temp_files()
        overlay = self._load()
        self._overlay_labels: list[str] = overlay.get("labels", [])
        self._overlay_proxy: str | None = overlay.get("image_proxy")
        self.labels: list[str] = merge_labels(base_labels, self._overlay_labels)
        # The labels as key → value, kept up to date by each update rather than rebuilt from the
        # labels: every `daemon update` event gets a copy of this map, and the copies share the
        # key and value strings, so the 1,024 events of the history hold no copies of label text.
        self.attributes: dict[str, str] = label_attributes(self.labels)
        self.image_proxy: str = self._overlay_proxy if self._overlay_proxy is not None else base_image_proxy
        # Counts the updates applied: whoever keeps something built from the labels or the image
        # proxy (SystemManager's /info) compares it to know when to build it again.
        self.generation = 0
        problem = labels_limit_problem(self.labels)
        if problem is not None:
            # Only when the config file gained labels since updates were stored: keep them all
            # (nothing is dropped silently); updates that would add more are refused.
            log.warning("%s: updates may replace labels but not add any", problem)

    def _remove_stale_temp_files(self) -> None:
        # A crash in the middle of atomic_write leaves its temp file behind; the state file itself
        # is intact (old or new), so these are litter that would pile up with every crash.
        for tmp in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()

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
                f"state file {self.path} is corrupt ({e}); move it away to start without the updates it holds"
            ) from None
        return {"labels": labels, "image_proxy": proxy}

    async def update(
        self, labels: list[str] | None, image_proxy: str | None, on_applied: OnApplied | None = None
    ) -> tuple[list[str], str]:
        """Apply one /daemon/update: validated, persisted durably, then made visible.

        Updates are serialised by a lock so that none is lost; the file is written before the
        in-memory state changes, so a 200 is only ever sent for an update that is on disk.
        ``on_applied(labels, image_proxy, attributes)`` runs under the lock, so that what it
        publishes is in the order the updates were applied. Every step is linear in the number
        of labels, which the spec bounds per request and :data:`MAX_LABELS` bounds in total.
        """
        labels = labels or []
        if not labels and not image_proxy:
            raise UpdateError("daemon update config cannot be empty")
        # The spec's limits, checked again here (cheaply) so that no caller can bypass them.
        if len(labels) > MAX_LABELS:
            raise UpdateError(f"too many labels in one update: {len(labels)}, the limit is {MAX_LABELS}")
        if image_proxy and len(image_proxy) > MAX_IMAGE_PROXY_LENGTH:
            raise UpdateError(f"image proxy longer than {MAX_IMAGE_PROXY_LENGTH} characters")
        if image_proxy:
            try:
                image_proxy_url(image_proxy)
            except ValueError as e:
                raise UpdateError(str(e)) from None
        for label in labels:
            problem = label_problem(label)
            if problem is not None:
                raise UpdateError(problem)
        # Shielded: if the request is cancelled (client gone, shutdown timeout) the write thread
        # cannot be stopped; unshielded, the lock would be released while it still runs, and a
        # later, acknowledged update could be overwritten on disk by this stale one.
        return await asyncio.shield(self._apply(labels, image_proxy, on_applied))

    async def _apply(
        self, labels: list[str], image_proxy: str | None, on_applied: OnApplied | None
    ) -> tuple[list[str], str]:
        async with self._lock:
            new_labels = merge_labels(self.labels, labels)
            # Checked against the labels of this moment, under the lock: two updates that each
            # fit cannot together pass a limit. Nothing is written or changed.
            problem = labels_limit_problem(new_labels, before=self.labels)
            if problem is not None:
                raise UpdateError(problem)
            overlay_labels = merge_labels(self._overlay_labels, labels)
            overlay_proxy = image_proxy if image_proxy else self._overlay_proxy
            record = {"format": _FORMAT, "labels": overlay_labels, "image_proxy": overlay_proxy}
            await asyncio.to_thread(atomic_write_json, self.path, record)
            self._overlay_labels, self._overlay_proxy = overlay_labels, overlay_proxy
            self.labels = new_labels
            attributes = dict(self.attributes)
            attributes.update(label_attributes(labels))  # the same map as label_attributes(new_labels)
            self.attributes = attributes
            if image_proxy:
                self.image_proxy = image_proxy
            self.generation += 1
            if on_applied is not None:
                on_applied(list(self.labels), self.image_proxy, self.attributes)
            return list(self.labels), self.image_proxy
