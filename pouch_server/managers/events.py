"""The in-process event bus behind /events: a bounded history for replay and live fan-out.

:meth:`EventBus.stream` is what one /events request gets: the history it asks for, then live
events, each once and in order. Each subscriber has its own bounded queue. Publishing never
waits for a subscriber: one whose queue is full (a client that stopped reading) is cut off, and
its stream ends; it can reconnect with ``since`` to resume from the history. So a slow client
never blocks the others or the daemon.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pouch_common.jsonutil import parse_json
from pouch_common.limits import MAX_FILTER_VALUES

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
            # pouch and Docker: a container's image (Config.Image), for containers only.
            "from": self.attributes.get("image", "") if self.type == "container" else "",
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
        """The event as one line of a stream, encoded once for all the streams that send it.

        A live event reaches every subscriber in the same turn of the event loop, and a ``daemon
        update`` carries all the daemon's labels (up to 64 Ki characters, twice over on the wire:
        pouch's ``actor`` and docker's ``Actor``): encoded per stream, 100 streams held the loop
        for some 400 ms when labels could reach 1 MiB. Only the last
        event encoded is kept, not one encoding per event (a cached property would keep one for
        each of the 1,024 events of the history: up to 2 GiB).
        """
        last = _last_line
        if last.event is self:
            return last.line
        line = json.dumps(self.to_wire(), separators=(",", ":")).encode() + b"\n"
        last.event, last.line = self, line
        return line


class _LastLine:
    """The one encoding :meth:`Event.to_line` keeps: the last event encoded, and its line."""

    __slots__ = ("event", "line")

    def __init__(self) -> None:
        self.event: Event | None = None
        self.line = b""


_last_line = _LastLine()


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


def parse_filters(value: str | None, keys: Sequence[str] = FILTER_KEYS) -> dict[str, list[str]]:
    """A ``filters`` query parameter: pouch's ``map[string][]string`` JSON, docker's older
    ``map[string]map[string]bool`` too, with only ``keys`` (the event filters by default; the
    container list names its own).

    At most :data:`MAX_FILTER_VALUES` values in all: matching costs the daemon work per value for
    every event a stream replays or sends, and for every container listed.
    """
    if value is None or value.strip() == "":
        return {}
    try:
        raw = parse_json(value)
    except ValueError:  # the value is not echoed: it may be as long as the request's headers
        raise FilterError("invalid filters: not JSON") from None
    except RecursionError:  # arrays in arrays, some thousand deep: fits in a query string
        raise FilterError("invalid filters: nested too deeply") from None
    if not isinstance(raw, dict):
        raise FilterError("invalid filters: want a JSON object of lists")
    out: dict[str, list[str]] = {}
    count = 0
    for key, vals in raw.items():
        if key not in keys:
            raise FilterError(f"invalid filter key {key!r}: supported are {', '.join(keys)}")
        if isinstance(vals, dict) and all(isinstance(b, bool) for b in vals.values()):
            vals = [k for k, on in vals.items() if on]
        if not isinstance(vals, list) or not all(isinstance(x, str) for x in vals):
            raise FilterError(f"invalid filter {key!r}: want a list of strings")
        count += len(vals)
        if count > MAX_FILTER_VALUES:
            raise FilterError(f"too many filter values: at most {MAX_FILTER_VALUES} in all")
        if key == "type":
            bad = [x for x in vals if x not in EVENT_TYPES]
            if bad:
                raise FilterError(f"invalid filter type {bad[0]!r}: want one of {', '.join(EVENT_TYPES)}")
        out[key] = vals
    return out


def compile_filters(filters: dict[str, list[str]]) -> Callable[[Event], bool]:
    """A matcher for parsed filters: values of one key are OR'ed, keys are AND'ed (docker's rule).

    Built once per stream: the values go into sets (and label values into a set of keys and a
    map of key → values), so that matching an event costs no more than its attributes or the
    label filters, whichever are fewer, rather than a scan of every value.
    """
    sets = {key: frozenset(vals) for key, vals in filters.items() if vals}
    types, actions = sets.pop("type", None), sets.pop("event", None)
    labels = sets.pop("label", None)
    objects = sets  # container/image/network/volume/plugin: see object_matches
    label_keys = frozenset(v for v in labels if "=" not in v) if labels else frozenset()
    label_pairs: dict[str, set[str]] = {}
    for want in labels or ():
        key, sep, value = want.partition("=")
        if sep:
            label_pairs.setdefault(key, set()).add(value)

    def label_matches(attrs: dict[str, str]) -> bool:
        if label_keys and not label_keys.isdisjoint(attrs):
            return True
        if len(label_pairs) <= len(attrs):
            return any(key in attrs and attrs[key] in values for key, values in label_pairs.items())
        return any(value in label_pairs.get(key, ()) for key, value in attrs.items())

    def match(event: Event) -> bool:
        if types is not None and event.type not in types:
            return False
        if actions is not None and event.action not in actions:
            return False
        if labels is not None and not label_matches(event.attributes):
            return False
        return all(object_matches(event, key, ids) for key, ids in objects.items())

    return match


def object_matches(event: Event, key: str, ids: frozenset[str]) -> bool:
    """Docker's object filters: ``container`` by ID, ID prefix or name; ``image`` the image's own
    events and those of containers made from it; the other kinds by ID."""
    attrs = event.attributes
    if key == "container":
        if event.type != "container":
            return False
        return event.actor_id in ids or attrs.get("name") in ids or any(event.actor_id.startswith(i) for i in ids)
    if key == "image":
        if event.type == "container":
            return attrs.get("image") in ids
        return event.type == "image" and (event.actor_id in ids or attrs.get("name") in ids or attrs.get("Name") in ids)
    return event.type == key and event.actor_id in ids


@dataclass(eq=False)
class Subscription:
    """One client's view of the bus: a bounded queue of events and a closed flag."""

    maxsize: int
    queue: deque[Event] = field(default_factory=deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False

    def _offer(self, event: Event) -> bool:
        if len(self.queue) >= self.maxsize:
            self.close()
            return False
        self.queue.append(event)
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


#: Subscribers woken per turn of the event loop when an event is published (see EventBus._wake).
WAKE_BATCH = 16


HISTORY_SIZE = 1024  # the events kept for replay


class EventBus:
    def __init__(self, history: int = HISTORY_SIZE, queue_size: int = 1024) -> None:
        self._history: deque[Event] = deque(maxlen=history)
        self._subs: set[Subscription] = set()
        self._seq = itertools.count(1)
        self._queue_size = queue_size
        self._closed = False

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def publish(self, type: str, action: str, actor_id: str, attributes: dict[str, str] | None = None) -> Event:
        event = Event(next(self._seq), type, action, actor_id, dict(attributes or {}), time.time_ns())
        self._history.append(event)
        offered = []
        for sub in list(self._subs):
            if sub._offer(event):
                offered.append(sub)
            else:
                self._subs.discard(sub)
        self._wake(offered, 0)
        return event

    def _wake(self, subs: list[Subscription], start: int) -> None:
        """Wake ``subs`` from ``start`` on, :data:`WAKE_BATCH` per turn of the event loop.

        Every event is queued for every subscriber at once (in order, with no gap); only the
        wake-ups are spread. Woken all together, every stream would send in the same turn of the
        loop, before it looks at any socket again: with 100 streams and an update carrying 1 MiB
        of labels, a /_ping waited some 200 ms. In batches, a turn's work is bounded whatever the
        number of subscribers.
        """
        end = start + WAKE_BATCH
        for sub in subs[start:end]:
            sub.wakeup.set()
        if end < len(subs):
            asyncio.get_running_loop().call_soon(self._wake, subs, end)

    async def stream(
        self, since_ns: int | None = None, until_ns: int | None = None, wanted: Callable[[Event], bool] | None = None
    ) -> AsyncIterator[Event]:
        """The events one /events request gets, each once and in order.

        With ``since_ns`` or ``until_ns`` the history is replayed first (from ``since_ns``, as
        docker does; without either, only live events). Then live events follow until
        ``until_ns`` passes (an ``until_ns`` already past ends the stream after the replay), the
        subscriber is cut off (its queue overflowed: it can resume with ``since``) or the bus
        closes. ``wanted`` (see :func:`compile_filters`) picks the events to send.

        The subscription and the snapshot of the history are taken together when iteration
        starts, with no ``await`` in between, so no event falls in a gap between replay and live
        delivery; the subscription is released however iteration ends (until reached, client
        gone, daemon stopping), so nothing leaks.
        """

        def sent(ev: Event) -> bool:
            if since_ns is not None and ev.time_nano < since_ns:
                return False
            if until_ns is not None and ev.time_nano > until_ns:
                return False
            return wanted is None or wanted(ev)

        sub, history = self._subscribe()
        try:
            last_seq = 0
            if since_ns is not None or until_ns is not None:
                for ev in history:
                    last_seq = ev.seq
                    if sent(ev):
                        yield ev
                        # One replayed event per turn of the event loop. Sending does not
                        # yield while the socket takes the data, so a fast reader got the whole
                        # history in one step: 1,024 updates with all their labels to encode,
                        # 250-700 ms during which no other client was answered.
                        await asyncio.sleep(0)
            elif history:
                last_seq = history[-1].seq
            if until_ns is not None and until_ns <= time.time_ns():
                return
            while True:
                timeout = None if until_ns is None else max(0.0, (until_ns - time.time_ns()) / 1e9)
                live = await sub.get(timeout)
                if live is None:
                    return
                if live.seq <= last_seq:
                    continue
                if until_ns is not None and live.time_nano > until_ns:
                    return
                if sent(live):
                    yield live
        finally:
            self._unsubscribe(sub)

    def _subscribe(self) -> tuple[Subscription, list[Event]]:
        """Register a subscriber; return it with a snapshot of the history."""
        sub = Subscription(self._queue_size)
        if self._closed:
            sub.close()
        else:
            self._subs.add(sub)
        return sub, list(self._history)

    def _unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)
        sub.close()

    def close(self) -> None:
        """End every stream (daemon shutdown)."""
        self._closed = True
        for sub in list(self._subs):
            sub.close()
        self._subs.clear()
