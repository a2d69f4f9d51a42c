"""The one error the managers and handlers raise: answer with this status and this message."""

from __future__ import annotations


class APIError(Exception):
    """An HTTP status and the message the client will see (pouch's ``{"message": ...}``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
