"""Detach keys: the key sequence that leaves a TTY session (``docker run -it``, ``attach``, ``exec
-it``) with the process still running; ctrl-p ctrl-q unless another is asked for.

:func:`parse_detach_keys` reads the ``detachKeys`` parameter and ``--detach-keys`` as Docker reads
them (moby/term ``ToBytes``): keys separated by commas, each ``ctrl-<key>`` (a letter, or one of
``@ [ \\ ] ^ _``) or a single character. :class:`EscapeScanner` finds the sequence in a stream of
input: Docker's proxy (moby/term ``escapeProxy``) holds back the keys of a sequence begun and lets
them through when the next key breaks it; it sees a sequence only when each key comes in a read of
its own (as typed), this one wherever the reads split, so a client that sends several keys at
once detaches too.

Standard library only: pouchd and the pouch CLI both use it.
"""

from __future__ import annotations

from typing import Final

#: ctrl-p, ctrl-q.
DEFAULT_DETACH_KEYS: Final = b"\x10\x11"

_CTRL_SPECIAL: Final = {"@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, "_": 31}


def parse_detach_keys(text: str | None) -> bytes:
    """``text`` as key bytes; :data:`DEFAULT_DETACH_KEYS` when it is empty or None. ValueError
    for a key that is neither ``ctrl-<key>`` nor one character."""
    if not text:
        return DEFAULT_DETACH_KEYS
    out = bytearray()
    for key in text.split(","):
        lowered = key.lower()
        if lowered.startswith("ctrl-") and len(key) == 6:
            c = lowered[5]
            if "a" <= c <= "z":
                out.append(ord(c) - ord("a") + 1)
                continue
            if c in _CTRL_SPECIAL:
                out.append(_CTRL_SPECIAL[c])
                continue
        elif len(key) == 1 and ord(key) < 128:
            out.append(ord(key))
            continue
        raise ValueError(f"Invalid detach keys ({text}) provided: want ctrl-<key> or a character, separated by commas")
    return bytes(out)


class EscapeScanner:
    """Input scanned for the detach ``keys``: :meth:`feed` gives back what to pass on, and
    whether the sequence was read (then the bytes after it are dropped; those before it are
    passed on)."""

    def __init__(self, keys: bytes = DEFAULT_DETACH_KEYS) -> None:
        if not keys:
            raise ValueError("no detach keys")
        self.keys = keys
        self._matched = 0  # how many keys of the sequence the held bytes are

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        out = bytearray()
        keys = self.keys
        for b in data:
            if b == keys[self._matched]:
                self._matched += 1
                if self._matched == len(keys):
                    self._matched = 0
                    return bytes(out), True
                continue
            if self._matched:  # a sequence begun and broken: its keys go through after all
                out += keys[: self._matched]
                self._matched = 0
                if b == keys[0]:
                    self._matched = 1
                    continue
            out.append(b)
        return bytes(out), False

    def held(self) -> bytes:
        """The keys held back at the end of the input (a sequence begun, not finished)."""
        return self.keys[: self._matched]
