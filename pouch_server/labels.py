"""Daemon label rules shared by pouchd and the pouch CLI (stdlib only: ``pouch updatedaemon
--offline`` imports it without paying for the daemon's dependencies)."""

from __future__ import annotations


def label_key(label: str) -> str:
    """The key of a ``key=value`` (or bare ``key``) label."""
    return label.split("=", 1)[0]


def merge_labels(current: list[str], new: list[str]) -> list[str]:
    """pouch's merge: a new label whose key is present replaces it in place, else it is appended.

    Every label with that key is replaced (as pouch does), and a key repeated within ``new``
    ends with its last value rather than appearing twice.
    """
    merged = list(current)
    for label in new:
        key = label_key(label)
        replaced = False
        for i, old in enumerate(merged):
            if label_key(old) == key:
                merged[i] = label
                replaced = True
        if not replaced:
            merged.append(label)
    return merged
