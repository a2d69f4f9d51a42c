"""Go's encoding/json strings and its RFC 3339 times, as pouch's daemon writes them: in the json-file
log, the pull's progress stream and the container records."""

from __future__ import annotations

import calendar
import functools
import re
import time
from json.encoder import encode_basestring  # the C encoder (ensure_ascii=False) under json.dumps
from typing import Final

ZERO_TIME: Final = "0001-01-01T00:00:00Z"

# Beyond what JSON requires Go escapes <, >, & (HTML safety) and U+2028, U+2029 (JavaScript line
# separators); where Python's encoder names \b and \f, Go (before 1.22, pouch's) writes \u00XX.
_NAMED: Final = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TO_ESCAPE: Final = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029]')


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def go_string(text: str) -> str:
    """``text`` as a JSON string, as Go's encoding/json writes it."""
    if "\b" in text or "\f" in text:  # rare: spelt out one by one
        return '"' + _TO_ESCAPE.sub(_escape, text) + '"'
    encoded: str = encode_basestring(text)  # the common case in C (a log line per call)
    if "<" in encoded or ">" in encoded or "&" in encoded:
        encoded = encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    if "\u2028" in encoded or "\u2029" in encoded:
        encoded = encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return encoded


@functools.lru_cache(maxsize=8)
def _second_text(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def go_time(ns: int | None) -> str:
    """``ns`` (Unix nanoseconds; None: Go's zero time) as Go's RFC3339Nano in UTC: the fraction's
    trailing zeros trimmed."""
    if ns is None:
        return ZERO_TIME
    seconds, nanos = divmod(ns, 1_000_000_000)
    if nanos:
        return f"{_second_text(seconds)}.{nanos:09d}".rstrip("0") + "Z"
    return _second_text(seconds) + "Z"


def go_time_fixed(ns: int) -> str:
    """``ns`` with all nine digits of the fraction (Docker's RFC3339NanoFixed, the logs' ``timestamps`` prefix)."""
    seconds, nanos = divmod(ns, 1_000_000_000)
    return f"{_second_text(seconds)}.{nanos:09d}Z"


@functools.lru_cache(maxsize=64)
def _epoch_of(prefix: str) -> int:
    """``YYYY-MM-DDTHH:MM:SS`` (UTC) in Unix seconds; ValueError when it is no such time."""
    if len(prefix) != 19 or prefix[4] != "-" or prefix[7] != "-" or prefix[10] not in "Tt" or prefix[13] != ":":
        raise ValueError(prefix)
    fields = (prefix[0:4], prefix[5:7], prefix[8:10], prefix[11:13], prefix[14:16], prefix[17:19])
    if not all(f.isdigit() and f.isascii() for f in fields):
        raise ValueError(prefix)
    year, month, day, hour, minute, second = (int(f) for f in fields)
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        raise ValueError(prefix)
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError(prefix)
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


_ZONE: Final = re.compile(r"([Zz])|([+-])(\d\d):(\d\d)")


def parse_go_time(text: str) -> int:
    """An RFC 3339 time (``2026-12-05T07:00:00.123456789Z``, any fraction, ``Z`` or ``±hh:mm``) in
    Unix nanoseconds; ValueError otherwise."""
    seconds = _epoch_of(text[:19])
    rest = text[19:]
    nanos = 0
    if rest.startswith("."):
        end = 1
        while end < len(rest) and rest[end].isdigit():
            end += 1
        digits = rest[1:end]
        if not digits or not digits.isascii():
            raise ValueError(text)
        nanos = int(digits[:9].ljust(9, "0"))
        rest = rest[end:]
    zone = _ZONE.fullmatch(rest)
    if zone is None:
        raise ValueError(text)
    if zone.group(2):
        offset = int(zone.group(3)) * 3600 + int(zone.group(4)) * 60
        seconds -= offset if zone.group(2) == "+" else -offset
    return seconds * 1_000_000_000 + nanos
