"""pouchd's pidfile (``--pidfile``), kept as pouch keeps its own (pkg/utils: NewPidfile).

A pidfile naming a process that is alive means another daemon runs with it: pouchd refuses to
start with pouch's words, ``found daemon pid N, check it status``. One naming no live process (left
by a daemon that was killed) is replaced. The file holds the pid alone, no newline, mode 0644, and
is removed at exit if it still names this process.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from pouch_server.config import ConfigError

log = logging.getLogger("pouchd")


def _recorded_pid(path: Path) -> int | None:
    """The pid the file names, or None when there is no file or no pid in it."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as e:
        raise ConfigError(f"cannot read pidfile {path}: {e.strerror}") from None
    return int(text) if text.isdigit() else None


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


class Pidfile:
    """The pidfile this process wrote; :meth:`create` writes it, :meth:`remove` removes it."""

    def __init__(self, path: Path, pid: int) -> None:
        self.path = path
        self.pid = pid

    @classmethod
    def create(cls, path: str) -> Pidfile:
        """Write this process's pid to ``path``, unless the file names another live process."""
        target = Path(path)
        pid = os.getpid()
        recorded = _recorded_pid(target)
        # Its own pid is no other daemon: a pid reused after a restart (pid 1 in a container).
        if recorded is not None and recorded > 0 and recorded != pid and _is_alive(recorded):
            raise ConfigError(f"found daemon pid {recorded}, check it status")
        # Written beside it and renamed into place, so that nobody reads a half-written pid.
        partial = target.with_name(f".{target.name}.{pid}")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(str(pid))
            os.replace(partial, target)
        except OSError as e:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise ConfigError(f"cannot write pidfile {path}: {e.strerror}") from None
        return cls(target, pid)

    def remove(self) -> None:
        """Remove the file if it still names this process (never another daemon's)."""
        try:
            if _recorded_pid(self.path) == self.pid:
                self.path.unlink()
        except FileNotFoundError:
            pass
        except (ConfigError, OSError) as e:
            log.warning("cannot remove pidfile %s: %s", self.path, e)
