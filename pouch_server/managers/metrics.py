"""Prometheus metrics of the daemon (GET /metrics), on a registry of its own.

``engine_daemon_engine_info`` is what pouch exports, beside the standard process metrics; the
request metrics are labelled by the spec's operationId (``none`` for requests that matched no
operation, so that scanners hitting random paths cannot blow up the label set) and by status code.

Every request is observed, so observing must cost next to nothing: prometheus_client's Counter
and Histogram take a lock and walk the buckets in Python on each call (several microseconds per
request, a visible share of pouchd's per-request time). Requests are counted here in plain lists,
without locks (pouchd serves from one event loop thread), and turned into metric families only
when /metrics is scraped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _Series:
    """One (operation, status) pair: a bucket count per upper bound (the last is +Inf) and a sum."""

    __slots__ = ("buckets", "total")

    def __init__(self) -> None:
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.total = 0.0


class RequestCollector(Collector):
    def __init__(self) -> None:
        self.series: dict[tuple[str | None, int], _Series] = {}

    def observe(self, operation: str | None, status: int, seconds: float) -> None:
        series = self.series.get((operation, status))
        if series is None:
            series = self.series[(operation, status)] = _Series()
        # bisect_left: a value equal to a bound belongs to that bucket (Prometheus's `le`).
        series.buckets[bisect_left(BUCKETS, seconds)] += 1
        series.total += seconds

    def collect(self) -> Iterator[Metric]:
        labels = ["operation", "status"]
        requests = CounterMetricFamily(
            "pouchd_http_requests", "HTTP requests served, by operation and status", labels=labels
        )
        latency = HistogramMetricFamily(
            "pouchd_http_request_duration_seconds",
            "Time to answer HTTP requests, by operation and status",
            labels=labels,
        )
        for (operation, status), series in list(self.series.items()):
            values = [operation or "none", str(status)]
            cumulative, count = [], 0
            for bound, n in zip((*map(float, BUCKETS), float("inf")), series.buckets, strict=True):
                count += n
                cumulative.append((_bound_text(bound), count))
            requests.add_metric(values, count)
            latency.add_metric(values, cumulative, series.total)
        yield requests
        yield latency


def _bound_text(bound: float) -> str:
    """Bucket bounds as prometheus_client writes them: ``0.005``, ``1.0``, ``+Inf``."""
    return "+Inf" if bound == float("inf") else repr(bound)


class Metrics:
    def __init__(
        self, *, version: str, commit: str, kernel: str, os: str, arch: str, subscribers: Callable[[], int]
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        info = Gauge(
            "engine_daemon_engine_info",
            "The information related to the engine and the OS it runs on",
            ["commit", "version", "kernel", "os", "arch"],
            registry=self.registry,
        )
        info.labels(commit=commit, version=version, kernel=kernel, os=os, arch=arch).set(1)
        self.requests = RequestCollector()
        self.registry.register(self.requests)
        subs = Gauge("pouchd_event_subscribers", "Clients currently streaming /events", registry=self.registry)
        subs.set_function(lambda: float(subscribers()))
        self.containerd_restarts = Counter(
            "pouchd_containerd_restarts",
            "Times pouchd restarted its containerd after it died",
            registry=self.registry,
        )
        # The standard process_* metrics (memory, CPU, open fds, start time; read from /proc at
        # scrape time) and the runtime's own (python_info, python_gc_*), as pouch's Go daemon
        # exports its process and go_* metrics.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.observe = self.requests.observe  # called once per request: no extra indirection

    def render(self) -> bytes:
        return generate_latest(self.registry)
