"""starlette's private names that pouchd uses, written for starlette 1.10.0.

To move to another starlette: check each symbol against its source, adjust, update WRITTEN_FOR.
"""

from __future__ import annotations

from starlette._exception_handler import _lookup_exception_handler
from starlette._utils import get_route_path, is_async_callable

UPSTREAM = "starlette"
WRITTEN_FOR = "1.10.0"

#: ``starlette._utils.get_route_path(scope)``: the path a Starlette router matches routes against
#: (``path`` less ``root_path``, which PouchMiddleware sets to a ``/v1.24`` prefix). The Swagger UI
#: layer and the route index (pouch_server/_compat/connexion.py) and the 405's ``Allow``
#: (pouch_server/error_handlers.py) read paths by it, so that they always see the request as the
#: router does. Reimplementing it would risk a difference.
route_path = get_route_path

#: ``starlette._exception_handler._lookup_exception_handler(handlers, exc)``: the handler of the
#: nearest class in ``type(exc).__mro__`` that has one, as Starlette's exception layer picks it.
lookup_exception_handler = _lookup_exception_handler

#: ``starlette._utils.is_async_callable(obj)``: whether Starlette's exception layer awaits a handler
#: (else it runs it in the thread pool).
is_async_handler = is_async_callable

__all__ = ["UPSTREAM", "WRITTEN_FOR", "is_async_handler", "lookup_exception_handler", "route_path"]
