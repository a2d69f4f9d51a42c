"""GET /metrics."""

from __future__ import annotations

from pouch_server.managers.metrics import Metrics


class MetricsHandlers:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def metrics_text(self) -> tuple[str, int]:
        # Served as the spec's text/plain: the Prometheus text exposition format.
        return self.metrics.render().decode(), 200
