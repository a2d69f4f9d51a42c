"""Swagger UI at ``/ui/``, and the spec it reads with ``servers`` naming a real server.

connexion serves ``/openapi.json`` with ``servers`` rewritten to the prefix it was fetched under,
so that "Try it out" calls the API there: ``[{"url": "/v1.24"}]`` under ``/v1.24/``, but
``[{"url": ""}]`` at the root, which Swagger UI lists as an empty entry in its "Servers" box.
The root of the daemon is ``/``: that is the server named there instead (requests go to the same
URLs, since Swagger UI joins a server ending in ``/`` and a path without doubling the slash).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from pouch_server._compat.connexion import SwaggerUIAPIHooks, UIOnlySwaggerUIMiddleware


class ServersSwaggerUIAPI(SwaggerUIAPIHooks):
    def spec_for_request(self, request: Request) -> dict[str, Any]:
        spec = super().spec_for_request(request)  # a copy made for this request
        for server in spec.get("servers") or ():
            if server.get("url") == "":
                server["url"] = "/"
        return spec


class SwaggerUIMiddleware(UIOnlySwaggerUIMiddleware):
    """connexion's Swagger UI layer, only for ``/ui`` and ``/openapi.*``, serving the spec above."""

    ui_api = ServersSwaggerUIAPI
