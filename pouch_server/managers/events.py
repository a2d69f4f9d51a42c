"""The in-process event bus behind /events: a bounded history for replay and live fan-out.

Each subscriber has its own bounded queue. Publishing never waits for a subscriber: one whose
queue is full (a client that stopped reading) is cut off, and its stream ends; it can reconnect
with ``since`` to resume from the history. So a slow client never blocks the others or the daemon.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

EVENT_TYPES = ("container", "daemon", "image", "network", "plugin", "volume")
FILTER_KEYS = ("type", "event", "label", "container", "image", "network", "volume", "plugin")


class FilterError(ValueError):
    """A bad ``since``/``until``/``filters`` value (a 400)."""


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    action: str
    actor_id: str
    attributes: dict[str, str]
    time_nano: int

    def to_wire(self) -> dict[str, Any]:
        """pouch's lowercase fields, then docker's names for the same facts (``Type``, ``Action``,
        ``Actor``, ``scope``) with the same values: Go clients match keys case-insensitively (the
        last one wins, and both say the same); docker-py users index by docker's names."""
        actor = {"ID": self.actor_id, "Attributes": dict(self.attributes)}
        return {
            "status": self.action,
            "id": self.actor_id,
            "from": "",
            "type": self.type,
            "action": self.action,
            "actor": actor,
            "time": self.time_nano // 1_000_000_000,
            "timeNano": self.time_nano,
            "Type": self.type,
            "Action": self.action,
            "Actor": actor,
            "scope": "local",
        }

    def to_line(self) -> bytes:
        return self._line

    @functools.cached_property
    def _line(self) -> bytes:
        # Serialized once, however many streams send it (cached_property writes the instance's
        # __dict__ directly, which a frozen dataclass allows).
        return json.dumps(self.to_wire(), separators=(",", ":")).encode() + b"\n"


def parse_timestamp(name: str, value: str | None) -> int | None:
    """``seconds[.nanoseconds]`` → integer nanoseconds, exactly (no float rounding)."""
    if value is None or value == "":
        return None
    secs, dot, frac = value.partition(".")
    # ASCII digits only: str.isdigit() also accepts other scripts' digits, which int() would take.
    if not (secs.isascii() and secs.isdigit()) or (dot and (not (frac.isascii() and frac.isdigit()) or len(frac) > 9)):
        raise FilterError(f"invalid value for {name}: {value!r}: want Unix seconds[.nanoseconds]")
    # The spec allows any number of digits. Beyond a signed 64-bit count of seconds (some 292
    # billion years) every value means the same: later than any event; checking the length first
    # also keeps int() from refusing a string of thousands of digits.
    digits = secs.lstrip("0") or "0"
    seconds = _INT64_MAX if len(digits) > 19 else min(int(digits), _INT64_MAX)
    return seconds * 1_000_000_000 + int(frac.ljust(9, "0") if frac else 0)


_INT64_MAX = 2**63 - 1


def parse_filters(value: str | None) -> dict[str, list[str]]:
    """pouch's ``map[string][]string`` JSON; docker's older ``map[string]map[string]bool`` too."""
    if value is None or value.strip() == "":
        return {}
    try:
        raw = json.loads(value)
    except ValueError:
        raise FilterError(f"invalid filters {value!r}: not JSON") from None
    if not isinstance(raw, dict):
        raise FilterError("invalid filters: want a JSON object of lists")
    out: dict[str, list[str]] = {}
    for key, vals in raw.items():
        if key not in FILTER_KEYS:
            raise FilterError(f"invalid filter key {key!r}: supported are {', '.join(FILTER_KEYS)}")
        if isinstance(vals, dict) and all(isinstance(b, bool) for b in vals.values()):
            vals = [k for k, on in vals.items() if on]
        if not isinstance(vals, list) or not all(isinstance(x, str) for x in vals):
            raise FilterError(f"invalid filter {key!r}: want a list of strings")
        if key == "type":
            bad = [x for x in vals if x not in EVENT_TYPES]
            if bad:
                raise FilterError(f"invalid filter type {bad[0]!r}: want one of {', '.join(EVENT_TYPES)}")
        out[key] = vals
    return out


def matches(event: Event, filters: dict[str, list[str]]) -> bool:
    """Values of one key are OR'ed, keys are AND'ed (docker's rule)."""
    for key, vals in filters.items():
        if not vals:
            continue
        if key == "type":
            ok = event.type in vals
        elif key == "event":
            ok = event.action in vals
        elif key == "label":
            ok = any(_label_matches(event.attributes, v) for v in vals)
        else:  # container/image/network/volume/plugin: objects of that type, by ID
            ok = event.type == key and event.actor_id in vals
        if not ok:
            return False
    return True


def _label_matches(attrs: dict[str, str], want: str) -> bool:
    key, sep, value = want.partition("=")
    if key not in attrs:
        return False
    return not sep or attrs[key] == value


@dataclass(eq=False)
class Subscription:
    """One client's view of the bus: a bounded queue of events and a closed flag."""

    maxsize: int
    queue: deque[Event] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    overflowed: bool = False

    def _offer(self, event: Event) -> bool:
        if len(self.queue) >= self.maxsize:
            self.overflowed = True
            self.close()
            return False
        self.queue.append(event)
        self.wakeup.set()
        return True

    def close(self) -> None:
        self.closed = True
        self.wakeup.set()

    async def get(self, timeout: float | None) -> Event | None:
        """The next event; None when closed, or when ``timeout`` seconds pass."""
        while not self.queue:
            if self.closed:
                return None
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout)
            except TimeoutError:
                return None
        return self.queue.popleft()


class EventBus:
    def __init__(self, history: int = 1024, queue_size: int = 1024) -> None:
        self._history: deque[Event] = deque(maxlen=history)
        self._subs: set[Subscription] = set()
        self._seq = itertools.count(1)
        self._queue_size = queue_size
        self._closed = False
        self.dropped_subscribers = 0

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def publish(self, type: str, action: str, actor_id: str,
                attributes: dict[str, str] | None = None) -> Event:
        event = Event(next(self._seq), type, action, actor_id, dict(attributes or {}), time.time_ns())
        self._history.append(event)
        for sub in list(self._subs):
            if not sub._offer(event):
                self._subs.discard(sub)
                self.dropped_subscribers += 1
        return event

    def subscribe(self) -> tuple[Subscription, list[Event]]:
        """Register a subscriber and return it with a snapshot of the history.

        Both happen without an ``await`` in between, so no event falls in a gap between
        replay and live delivery, and none is delivered twice.
        """
        sub = Subscription(self._queue_size)
        if self._closed:
            sub.close()
        else:
            self._subs.add(sub)
        return sub, list(self._history)

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)
        sub.close()

    def history(self) -> Iterable[Event]:
        return list(self._history)

    def close(self) -> None:
        """End every stream (daemon shutdown)."""
        self._closed = True
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()
