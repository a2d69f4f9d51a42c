"""``pouch events``: stream the daemon's events (pouch's cli/events.go).

``--since``/``--until`` take what docker's ``GetTimestamp`` takes (a Unix timestamp, an RFC 3339
date or date-time, a Go duration meaning "that long ago") and are sent as ``seconds.nanoseconds``.
Each event is printed as soon as it arrives; Ctrl-C ends the stream quietly.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import httpx

from pouch_cli._compat import events_request
from pouch_cli.args import Param
from pouch_cli.client import ClientOptions, build_client, client_options, describe_transport_error, error_message
from pouch_cli.errors import CLIError

if TYPE_CHECKING:
    import argparse

NS = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Go's time.ParseDuration units, in nanoseconds (both spellings of the micro sign are accepted).
_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": NS, "m": 60 * NS, "h": 3600 * NS}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNIX = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_INT64_MAX = 2**63 - 1
# docker's accepted layouts: date, date-time down to the hour or minute, seconds with a
# fraction; each with an optional zone (Z or ±hh:mm), local time without one.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?"
)


def parse_duration(value: str) -> int | None:
    """A Go duration (``1h30m``, ``1.5h``, ``-10m``, ``300ms``) in nanoseconds; None if it is not one."""
    s, sign = value, 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total, pos = 0, 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if not m or m.group(1) in ("", "."):
            return None
        whole, _, frac = m.group(1).partition(".")
        if len(whole) > 19:  # beyond int64 nanoseconds in any unit: Go's "invalid duration"
            return None
        frac = frac[:18]  # digits past a nanosecond of an hour change nothing
        unit = _UNITS[m.group(2)]
        # Integer arithmetic: 1.1s is 1100000000ns exactly, as in Go.
        total += int(whole or 0) * unit + (int(frac) * unit // 10 ** len(frac) if frac else 0)
        pos = m.end()
    return sign * total


def _wire(ns: int, flag: str, value: str) -> str:
    if ns < 0:
        raise CLIError(f"invalid value for {flag}: {value!r} is before 1970-01-01")
    return f"{ns // NS}.{ns % NS:09d}"


def get_timestamp(value: str, flag: str = "--since", now_ns: int | None = None) -> str | None:
    """``value`` as ``seconds.nanoseconds`` for the daemon, following docker's GetTimestamp.

    Empty means not given (None). ``now_ns`` is the reference for durations (default: now).
    """
    if value == "":
        return None
    invalid = CLIError(
        f"invalid value for {flag}: {value!r}: want a Unix timestamp, an RFC 3339 date or date-time "
        "(2026-11-28, 2026-11-28T10:00:00[.123][Z|+08:00]) or a duration ago (10m, 1h30m)"
    )
    # "0" is the Unix epoch, not a zero duration (docker's special case).
    duration = parse_duration(value) if value != "0" else None
    if duration is not None:
        now = time.time_ns() if now_ns is None else now_ns
        return _wire(now - duration, flag, value)
    m = _UNIX.fullmatch(value)
    if m:
        secs, frac = m.group(1).lstrip("0") or "0", m.group(2) or ""
        if len(secs) > 19 or int(secs) > _INT64_MAX:  # as docker's strconv.ParseInt
            raise CLIError(f"invalid value for {flag}: seconds out of range (at most {_INT64_MAX})")
        return f"{int(secs)}.{frac[:9].ljust(9, '0')}"
    m = _RFC3339.fullmatch(value)
    if not m:
        raise invalid
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        naive = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        if zone is None:
            aware = naive.astimezone()  # no zone: local time, as docker does
        else:
            offset = timedelta(0)
            if zone != "Z":
                offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
                offset = -offset if zone[0] == "-" else offset
            aware = naive.replace(tzinfo=timezone(offset))
    except (ValueError, OverflowError):
        raise invalid from None
    secs = (aware - _EPOCH) // timedelta(seconds=1)
    nanos = int((frac or "")[:9].ljust(9, "0"))
    return _wire(secs * NS + nanos, flag, value)


def parse_filters(values: Sequence[str]) -> dict[str, list[str]]:
    """Repeated ``key=value`` flags as ``map[string][]string``, as docker's filters.ParseFlag reads them."""
    out: dict[str, list[str]] = {}
    for arg in values:
        if not arg:
            continue
        if "=" not in arg:
            raise CLIError(f"bad format of filter {arg!r} (expected name=value)")
        name, value = arg.split("=", 1)
        vals = out.setdefault(name.strip().lower(), [])
        if value.strip() not in vals:
            vals.append(value.strip())
    return out


def format_time(time_nano: int) -> str:
    """Go's RFC3339NanoFixed in the local zone: 9 fraction digits, ``Z`` or ``±hh:mm``."""
    secs, nanos = divmod(time_nano, NS)
    local = datetime.fromtimestamp(secs, tz=UTC).astimezone()
    offset_min = int((local.utcoffset() or timedelta(0)).total_seconds()) // 60
    if offset_min == 0:
        zone = "Z"
    else:
        sign = "-" if offset_min < 0 else "+"
        zone = f"{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"
    return f"{local:%Y-%m-%dT%H:%M:%S}.{nanos:09d}{zone}"


def format_event(event: dict[str, Any]) -> str:
    """``<time> <type> <action> <actor id> (k=v, k=v)`` with the attributes sorted by key."""
    actor = event.get("actor") or {}
    parts = []
    if event.get("timeNano"):
        parts.append(format_time(int(event["timeNano"])))
    elif event.get("time"):
        parts.append(format_time(int(event["time"]) * NS))
    parts.append(f"{event.get('type', '')} {event.get('action', '')} {actor.get('ID', '')}")
    line = " ".join(parts)
    attributes = actor.get("Attributes") or {}
    if attributes:
        line += " (" + ", ".join(f"{k}={attributes[k]}" for k in sorted(attributes)) + ")"
    return line


def stream_events(opts: ClientOptions, since: str | None, until: str | None, filters: dict[str, list[str]]) -> None:
    """Print the daemon's events, one line each as it arrives, until the stream ends."""
    kwargs = events_request(since, until, json.dumps(filters, separators=(",", ":")) if filters else None)
    action = "failed to get events"
    try:
        # A live stream may stay silent for hours: no read timeout, but connecting still times out.
        client = build_client(opts).with_timeout(httpx.Timeout(opts.timeout, read=None))
        with client, client.get_httpx_client().stream(**kwargs) as response:
            if response.status_code != 200:
                response.read()
                raise CLIError(f"{action}: {error_message(response.status_code, response.content)}")
            for line in response.iter_lines():
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError as e:
                    raise CLIError(f"{action}: cannot decode event {line[:100]!r}: {e}") from None
                print(format_event(event), flush=True)  # each line shows at once
    except httpx.TransportError as e:
        raise CLIError(f"{action}: {describe_transport_error(opts, e)}") from None


HELP = "Get real time events from the daemon."
EXAMPLE = (
    "Examples:\n"
    "  $ pouch events -s 10m -f type=daemon\n"
    "  2026-11-28T10:53:15.071664386+08:00 daemon update 7X3M:...:QZN2 (image-proxy=http://p:8080, zone=a)\n"
    "  $ pouch events --since 2026-11-28 --until 2026-11-28T12:00:00 -f event=update -f label=zone=a"
)
PARAMS = (
    Param(
        ("-s", "--since"),
        "Show events since TIME: Unix timestamp, RFC 3339 date or date-time, or duration ago (10m).",
        metavar="TIME",
    ),
    Param(("-u", "--until"), "Stream events until TIME (same formats).", metavar="TIME"),
    Param(
        ("-f", "--filter"),
        "Filter events: type=daemon, event=update, label=key or label=key=value (repeatable).",
        metavar="KEY=VALUE",
        dest="filters",
        repeat=True,
    ),
)


def run(args: argparse.Namespace) -> None:
    opts = client_options(args)
    try:
        now = time.time_ns()  # one reference, so that -s 10m -u 5m is exactly five minutes
        since_ts = get_timestamp(args.since or "", "--since", now)
        until_ts = get_timestamp(args.until or "", "--until", now)
        stream_events(opts, since_ts, until_ts, parse_filters(args.filters))
    except KeyboardInterrupt:
        # Ctrl-C is how a live stream is meant to end: no traceback, no "Aborted!", status 0.
        return
