"""``pouch logs [-f] [--tail N] [--since T] [--until T] [-t] [--details] CONTAINER``: a container's
output (pouch's cli/logs.go, client/container_logs.go).

As pouch: ``GET /containers/<c>/logs?stdout=1&stderr=1&tail=<N|all>[&since=][&until=]...`` first,
then ``GET /containers/<c>/json`` to learn whether the container has a TTY: without one the
stream is Docker's stdcopy frames, shown on stdout and stderr as written; with one, raw bytes.
``--since``/``--until`` take pouch's ``GetUnixTimestamp``: a Go duration (``42m``: that long ago,
sent as whole seconds), a Unix timestamp (sent as given) or an RFC 3339 date or date-time (sent as
``seconds.nanoseconds``; local time without a zone). ``-f`` follows the output until the
container stops; Ctrl-C ends it quietly.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import httpx

from pouch_cli.args import Param
from pouch_cli.client import build_client, client_options, describe_transport_error, error_message
from pouch_cli.container_common import call_op
from pouch_cli.errors import CLIError
from pouch_cli.events import NS, get_timestamp, parse_duration

if TYPE_CHECKING:
    import argparse

_ZONE_OR_TIME = set("zZ+.:T-")


def unix_timestamp(value: str, flag: str = "--since", now_ns: int | None = None) -> str:
    """pouch's GetUnixTimestamp: what the daemon gets for ``--since``/``--until``."""
    duration = parse_duration(value) if value != "0" else None
    if duration is not None:
        now = time.time_ns() if now_ns is None else now_ns
        return str((now - duration) // NS)
    if not set(value) & _ZONE_OR_TIME:
        if not value.isdigit():
            raise CLIError(f"invalid value for {flag}: {value!r}: want a duration (42m), a Unix timestamp or RFC 3339")
        return value
    stamp = get_timestamp(value, flag, now_ns)
    assert stamp is not None  # only "" gives None, and "" has no zone or time characters
    return stamp


def log_params(
    *,
    follow: bool = False,
    tail: str = "all",
    since: str | None = None,
    until: str | None = None,
    timestamps: bool = False,
    details: bool = False,
    now_ns: int | None = None,
) -> dict[str, str]:
    """The query pouch's client sends for these flags (in its order)."""
    params = {"stdout": "1", "stderr": "1"}
    if since:
        params["since"] = unix_timestamp(since, "--since", now_ns)
    if until:
        params["until"] = unix_timestamp(until, "--until", now_ns)
    if timestamps:
        params["timestamps"] = "1"
    if follow:
        params["follow"] = "1"
    if details:
        params["details"] = "1"
    params["tail"] = tail
    return params


HELP = "Get a container's logs: what it wrote on its standard output and error."
EXAMPLE = """Examples:
  $ pouch logs --tail 2 -t 073f29
  2026-11-28T10:53:15.071664386Z 1:M Server initialized
  2026-11-28T10:53:15.071934Z 1:M Ready to accept connections
  $ pouch logs -f --since 10m web"""
PARAMS = (
    Param(("-f", "--follow"), "Follow log output."),
    Param(
        ("--since",),
        "Show logs since timestamp (e.g. 2013-01-02T13:23:37) or relative (e.g. 42m for 42 minutes).",
        metavar="TIME",
    ),
    Param(
        ("--until",),
        "Show logs before timestamp (e.g. 2013-01-02T13:23:37) or relative (e.g. 42m for 42 minutes).",
        metavar="TIME",
    ),
    Param(("--tail",), "Number of lines to show from the end of the logs [all].", metavar="N"),
    Param(("-t", "--timestamps"), "Show timestamps."),
    Param(("--details",), "Show extra details provided to logs."),
    Param(("container",), "The container: name or ID (prefix).", metavar="CONTAINER", required=True),
)


def run(args: argparse.Namespace) -> None:
    from urllib.parse import quote

    from pouch_cli.attach import write_output
    from pouch_client.api.container import container_inspect

    opts = client_options(args)
    params = log_params(
        follow=args.follow,
        tail=args.tail or "all",
        since=args.since,
        until=args.until,
        timestamps=args.timestamps,
        details=args.details,
    )
    path = f"/containers/{quote(args.container, safe='')}/logs"
    try:
        client = build_client(opts).with_timeout(httpx.Timeout(opts.timeout, read=None))
        with client, client.get_httpx_client().stream("GET", path, params=params) as response:
            if response.status_code >= 400:
                response.read()
                raise CLIError(error_message(response.status_code, response.content))
            info = call_op(opts, "", container_inspect.sync_detailed, id=args.container)
            config = (info.to_dict().get("Config") if info is not None else None) or {}
            write_output(response.iter_raw(), bool(config.get("Tty")), sys.stdout.buffer, sys.stderr.buffer)
    except httpx.TransportError as e:
        raise CLIError(describe_transport_error(opts, e)) from None
