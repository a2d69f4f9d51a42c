"""The spec as Swagger UI gets it: its ``servers`` name a real server.

connexion serves ``/openapi.json`` with ``servers`` rewritten to the prefix it was fetched under,
so that "Try it out" calls the API there: ``[{"url": "/v1.24"}]`` under ``/v1.24/``, but
``[{"url": ""}]`` at the root, which Swagger UI lists as an empty entry in its "Servers" box.
The root of the daemon is ``/``: that is the server named there instead (requests go to the same
URLs, since Swagger UI joins a server ending in ``/`` and a path without doubling the slash).
"""

from __future__ import annotations

from typing import Any

from connexion.middleware.swagger_ui import SwaggerUIAPI
from starlette.requests import Request


class ServersSwaggerUIAPI(SwaggerUIAPI):
    def _spec_for_prefix(self, request: Request) -> dict[str, Any]:
        spec: dict[str, Any] = super()._spec_for_prefix(request)  # a copy made for this request
        for server in spec.get("servers") or ():
            if server.get("url") == "":
                server["url"] = "/"
        return spec
