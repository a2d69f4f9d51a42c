"""starlette's private names that pouchd uses, written for starlette 1.10.0.

To move to another starlette: check each symbol against its source, adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

from starlette._utils import get_route_path

UPSTREAM = "starlette"
WRITTEN_FOR = "1.10.0"

#: ``starlette._utils.get_route_path(scope)``: the path a Starlette router matches routes against
#: (``path`` less ``root_path``, which PouchMiddleware sets to a ``/v1.24`` prefix). pouchd's own
#: routing tables (pouch_server/fastpath.py) look paths up by it, so that they always see the
#: request as the router they stand in front of does. Reimplementing it would risk a difference.
route_path = get_route_path

__all__ = ["UPSTREAM", "WRITTEN_FOR", "route_path"]
