"""What the container commands share: calling an operation whose answer may not parse, acting on
each container named (pouch's "print each name, collect the errors"), pouch's time intervals,
the create request of ``run`` and ``create``, and exiting with a container's code.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pouch_cli.client import ClientOptions, call
from pouch_cli.errors import CLIError
from pouch_common.timeutils import format_interval

if TYPE_CHECKING:
    from pouch_client.models.container_create_resp import ContainerCreateResp
    from pouch_client.models.error import Error
    from pouch_client.types import Response

T = TypeVar("T")


def call_op(opts: ClientOptions, action: str, op: Callable[..., Response[T | Error]], **kwargs: Any) -> T | None:
    """:func:`pouch_cli.client.call`, with an answer the generated model cannot read (a field it
    requires is missing) reported as one line rather than a traceback."""
    try:
        return call(opts, action, op, **kwargs)
    except KeyError as e:
        prefix = f"{action}: " if action else ""
        raise CLIError(f"{prefix}pouchd's answer lacks the field {e}") from None


def with_timeout(opts: ClientOptions, timeout: float | None) -> ClientOptions:
    """``opts`` with another per-request timeout (None: wait as long as it takes, for wait and stop)."""
    copy = ClientOptions(opts.host, opts.debug, timeout, opts.tls)
    copy.api_version = opts.api_version
    return copy


def combine(errors: Sequence[str]) -> str:
    """Several failures as main prints them: one ``Error: ...`` line each (main adds the first prefix)."""
    return "\n".join(e if i == 0 else f"Error: {e}" for i, e in enumerate(errors))


def for_each(names: Sequence[str], act: Callable[[str], object], prefix: str = "") -> None:
    """Call ``act`` for each name, printing what it returns when that is a string (``wait``'s exit
    code), else the name itself, as each succeeds; the failures (CLIError) are collected and
    raised together after all were tried, ``prefix`` before the first (pouch's ``failed to start
    containers: ``)."""
    errors: list[str] = []
    for name in names:
        try:
            shown = act(name)
        except CLIError as e:
            errors.append(str(e))
            continue
        print(shown if isinstance(shown, str) else name, flush=True)
    if errors:
        raise CLIError(prefix + combine(errors))


def time_ago(unix: float, now: float | None = None) -> str:
    """``ps``'s Created column: ``<interval> ago``."""
    return format_interval((time.time() if now is None else now) - unix) + " ago"


def create_request(opts: ClientOptions, body: dict[str, Any], name: str | None) -> ContainerCreateResp | str | None:
    """``POST /containers/create``: the answer, None when pouchd has no such image (a 404: the
    only one create answers), or the daemon's message for any other failure."""
    import httpx

    from pouch_cli.client import build_client, describe_transport_error, error_message
    from pouch_client.api.container import container_create
    from pouch_client.models.container_create_config import ContainerCreateConfig
    from pouch_client.models.container_create_resp import ContainerCreateResp
    from pouch_client.types import UNSET

    try:
        with build_client(opts) as client:
            client.raise_on_unexpected_status = False
            response = container_create.sync_detailed(
                client=client, body=ContainerCreateConfig.from_dict(body), name=name or UNSET
            )
    except httpx.TransportError as e:
        raise CLIError(describe_transport_error(opts, e)) from None
    if response.status_code == 404:
        return None
    if response.status_code >= 400 or not isinstance(response.parsed, ContainerCreateResp):
        return error_message(response.status_code, response.content)
    return response.parsed


def exit_with(code: int) -> None:
    """pouch's ExitError: a container's non-zero code becomes ours, with nothing printed (a code
    beyond 0-255 as the shell would see it; one that wraps to 0 is 1, never a success)."""
    if code != 0:
        sys.stdout.flush()
        raise SystemExit(code & 0xFF or 1)


def parse_int(value: str | None, flag: str, default: int = 0) -> int:
    """An integer flag's value (``--cpu-shares 512``), with pflag's complaint when it is not one."""
    if value is None:
        return default
    try:
        return int(value, 10)
    except ValueError:
        raise CLIError(
            f'invalid argument "{value}" for "{flag}" flag: strconv.ParseInt: parsing "{value}": invalid syntax'
        ) from None
