"""The generated client's private names that pouch uses, written for openapi-python-client 0.29.1.

The generated endpoint functions read a whole response before they return it, and an event stream
may never end; so ``pouch events`` streams the very request the generated ``system_events`` would
send (method, path and query parameters, from the spec), built by that module's private
``_get_kwargs`` (the generator's ``templates/endpoint_module.py.jinja``). This is the only private
name of the generated client that pouch uses; tests/test_compat.py checks that nothing else in
pouch_cli reaches one and that the installed generator is the version below.

To move to another generator version: check ``_get_kwargs`` in that version's endpoint template,
adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

from typing import Any

from pouch_client.api.system import system_events
from pouch_client.types import UNSET

UPSTREAM = "openapi-python-client"
WRITTEN_FOR = "0.29.1"


def events_request(since: str | None, until: str | None, filters: str | None) -> dict[str, Any]:
    """The keyword arguments of ``httpx.Client.stream`` for ``GET /events`` (SystemEvents)."""
    return system_events._get_kwargs(
        since=UNSET if since is None else since,
        until=UNSET if until is None else until,
        filters=UNSET if filters is None else filters,
    )
