"""pouch's words for a span of time (pkg/utils/timeutils.go ``FormatTimeInterval``): the CLI's
``Created`` columns and the daemon's container ``Status`` (``Up 5 seconds``) alike."""

from __future__ import annotations

# A month is 30 days, a year 365, as pouch counts them.
_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)


def format_interval(seconds: float) -> str:
    """``1 second``, ``5 minutes``, ``2 years``: the largest unit that fits, counted down; under a
    second (or a time in the future, which pouch refuses) ``0 second``."""
    for name, size in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'s' if count > 1 else ''}"
    return "0 second"
