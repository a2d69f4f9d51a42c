"""Prometheus metrics of the daemon (GET /metrics), on a registry of its own.

``engine_daemon_engine_info`` is what pouch exports; the request metrics are labelled by the
spec's operationId (``none`` for requests that matched no operation, so that scanners hitting
random paths cannot blow up the label set) and by status code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self, *, version: str, commit: str, kernel: str, os: str, arch: str,
                 subscribers: Callable[[], int]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        info = Gauge("engine_daemon_engine_info", "The information related to the engine and the OS it runs on",
                     ["commit", "version", "kernel", "os", "arch"], registry=self.registry)
        info.labels(commit=commit, version=version, kernel=kernel, os=os, arch=arch).set(1)
        self.requests = Counter("pouchd_http_requests_total", "HTTP requests served, by operation and status",
                                ["operation", "status"], registry=self.registry)
        self.latency = Histogram("pouchd_http_request_duration_seconds",
                                 "Time to answer HTTP requests, by operation and status",
                                 ["operation", "status"], registry=self.registry,
                                 buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5, 1, 2.5, 5, 10))
        subs = Gauge("pouchd_event_subscribers", "Clients currently streaming /events", registry=self.registry)
        subs.set_function(lambda: float(subscribers()))

        # (operation, status) -> (counter child, histogram child): labels() costs a lock and a
        # tuple build per call; the label set is small and bounded, so keep the children.
        self._children: dict[tuple[str | None, int], tuple[Any, Any]] = {}

    def observe(self, operation: str | None, status: int, seconds: float) -> None:
        children = self._children.get((operation, status))
        if children is None:
            op, code = operation or "none", str(status)
            children = self._children[(operation, status)] = (self.requests.labels(op, code),
                                                               self.latency.labels(op, code))
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
