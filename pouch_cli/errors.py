"""The one way a command fails: ``Error: <message>`` on stderr and exit status 1."""

from __future__ import annotations


class CLIError(Exception):
    """A failure to report to the user as one line, without a traceback."""


class Abort(Exception):
    """The user ended an interactive prompt (end of input): exit status 130, as for Ctrl-C."""
