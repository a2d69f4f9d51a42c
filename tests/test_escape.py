"""Detach keys (pouch_common/escape.py): read as Docker reads ``--detach-keys`` and found in input
however it is split."""

from __future__ import annotations

import pytest

from pouch_common.escape import DEFAULT_DETACH_KEYS, EscapeScanner, parse_detach_keys


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        (None, b"\x10\x11"),
        ("", b"\x10\x11"),
        ("ctrl-p,ctrl-q", b"\x10\x11"),
        ("ctrl-a", b"\x01"),
        ("ctrl-Z,x", b"\x1a" + b"x"),
        ("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", bytes([0, 27, 28, 29, 30, 31])),
        ("a,b,c", b"abc"),
    ],
)
def test_detach_keys_are_read_as_docker_reads_them(text: str | None, keys: bytes) -> None:
    assert parse_detach_keys(text) == keys


@pytest.mark.parametrize("text", ["ctrl-", "ctrl-1", "ctrl-ab", "ab", "a,,b", "ctrl-p,", "é"])
def test_bad_detach_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Invalid detach keys"):
        parse_detach_keys(text)


def feed_all(scanner: EscapeScanner, pieces: list[bytes]) -> tuple[bytes, bool]:
    out = b""
    for piece in pieces:
        data, detached = scanner.feed(piece)
        out += data
        if detached:
            return out, True
    return out, False


@pytest.mark.parametrize(
    ("pieces", "passed", "detached"),
    [
        ([b"ls\r"], b"ls\r", False),
        ([b"ab\x10\x11cd"], b"ab", True),  # at once, as a client may send them
        ([b"ab\x10", b"\x11", b"cd"], b"ab", True),  # split, as typed
        ([b"\x10", b"x"], b"\x10x", False),  # begun and broken: the key goes through after all
        ([b"\x10\x10\x11"], b"\x10", True),  # broken by the sequence's own first key
        ([b"\x11\x10"], b"\x11", False),  # the second key alone; the first held back at the end
    ],
)
def test_the_sequence_is_found_however_the_input_is_split(pieces: list[bytes], passed: bytes, detached: bool) -> None:
    scanner = EscapeScanner(DEFAULT_DETACH_KEYS)
    assert feed_all(scanner, pieces) == (passed, detached)


def test_a_held_key_is_known_and_a_custom_sequence_works() -> None:
    scanner = EscapeScanner(b"\x01x")
    assert scanner.feed(b"ab\x01") == (b"ab", False) and scanner.held() == b"\x01"
    assert scanner.feed(b"x") == (b"", True)
    assert EscapeScanner(b"q").feed(b"aqb") == (b"a", True)
