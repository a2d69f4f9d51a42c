"""The one error the managers and handlers raise: answer with this status and this message."""

from __future__ import annotations


class APIError(Exception):
    """An HTTP status and the message the client will see (pouch's ``{"message": ...}``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The one error to report of those a task group collected (nested groups included): the
    first APIError, else the first error."""
    errors: list[BaseException] = []
    pending: list[BaseException] = [group]
    while pending:
        item = pending.pop(0)
        if isinstance(item, BaseExceptionGroup):
            pending.extend(item.exceptions)
        else:
            errors.append(item)
    return next((e for e in errors if isinstance(e, APIError)), errors[0])
