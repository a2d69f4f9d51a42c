"""What the harness's processes (pouchd, containerd) have in common: a log file, and the error
raised when one does not come up."""

from __future__ import annotations

from pathlib import Path


class NotReady(RuntimeError):
    """The process exited, or did not answer in time; the message carries its log."""


class LoggedProcess:
    """A process whose output goes to ``log_path``, appended over all its starts."""

    log_path: Path

    def logs(self) -> str:
        """Everything the process wrote to stdout and stderr, over all its starts."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, n: int = 30) -> str:
        return "\n".join(self.logs().splitlines()[-n:]) or "(no log)"
