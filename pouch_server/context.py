"""Per-request context shared by the middleware, the error handlers and the logs."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
