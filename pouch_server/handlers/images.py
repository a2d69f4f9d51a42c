"""The image group (pouch's apis/server/image_bridge.go): each operation's parameters to the
image manager, its answer back. Streams (pull and push progress, saved archives) are the
manager's; a failure found before one starts is an error answer, as pouch gives it."""

from __future__ import annotations

import json
from typing import Any, cast

from connexion import request
from connexion.lifecycle import ConnexionRequest
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response, StreamingResponse

from pouch_common.limits import MAX_ARCHIVE_BYTES
from pouch_server.errors import APIError
from pouch_server.managers.images import archive
from pouch_server.managers.images.manager import ImageManager
from pouch_server.managers.images.push import push
from pouch_server.managers.images.search import search
from pouch_server.managers.registry.credentials import Credentials, from_registry_auth

#: Where a Docker client is named in its User-Agent (the Docker CLI's ``Docker-Client/...``,
#: docker-py's ``docker-sdk-python/...``): they read a JSON answer where pouch sends none.
_DOCKER_AGENTS = ("Docker-Client/", "docker-sdk-python/")


def _headers() -> Headers:
    """The request's headers (connexion passes no header parameter to a handler)."""
    headers: Headers = cast(ConnexionRequest, request).headers
    return headers


def _credentials() -> Credentials | None:
    return from_registry_auth(_headers().get("X-Registry-Auth"))


def _docker_client() -> bool:
    return _headers().get("User-Agent", "").startswith(_DOCKER_AGENTS)


class ImageHandlers:
    def __init__(self, images: ImageManager) -> None:
        self.images = images

    async def pull(
        self,
        fromImage: str | None = None,
        tag: str | None = None,
        fromSrc: str | None = None,
        repo: str | None = None,
        body: Any = None,
    ) -> StreamingResponse:
        """pouch ignores ``fromSrc``, ``repo`` and the body (importing is not done); so does pouchd."""
        session = await self.images.pull(fromImage or "", tag, _credentials())
        # pouch sets no Content-Type (Go then sniffs text/plain); JSON is what the stream is, and
        # what the Docker clients look for to decode it.
        return StreamingResponse(session.stream(), media_type="application/json")

    async def list_images(
        self,
        all: bool | None = None,
        filters: str | None = None,
        filter: str | None = None,
        digests: bool | None = None,
    ) -> Any:
        """``all`` and ``digests`` are accepted and change nothing, as in pouch (no intermediate
        images; RepoDigests always shown). ``filter`` is Docker's older name filter."""
        return self.images.list_images(filters, name=filter)

    async def inspect(self, imageid: str) -> Any:
        return self.images.inspect(imageid)

    async def history(self, imageid: str) -> Any:
        return self.images.history(imageid)

    async def tag(self, imageid: str, repo: str | None = None, tag: str | None = None) -> Response:
        await self.images.tag(imageid, repo or "", tag)
        return Response(status_code=201)

    async def remove(self, imageid: str, force: bool = False) -> Response:
        """pouch answers 204 with no body; the Docker clients decode a JSON list of what was
        untagged and deleted, and get it (docs/compatibility.md)."""
        removed = await self.images.remove(imageid, force)
        if _docker_client():
            return JSONResponse(removed)
        return Response(status_code=204)

    async def load(self, name: str | None = None) -> Response:
        """The body is read as it arrives (no ``body`` parameter: connexion then leaves it
        unread), spooled under pouchd's home and loaded from there. pouch answers 200 with no
        body; the Docker clients read ``{"stream": "Loaded image: ..."}`` lines, and get them."""
        images = self.images
        body = cast(ConnexionRequest, request).stream()
        loaded = await archive.load(images, body, name, spool_dir=images.spool_dir, max_bytes=MAX_ARCHIVE_BYTES)
        event = archive.load_event_name(name)
        images.events.publish("image", "load", event, {"Name": event, "name": event})
        if _docker_client():
            # chunked, as Docker sends it: docker-py reads a body of known length as one JSON value
            lines = [json.dumps({"stream": f"Loaded image: {ref}\n"}).encode() + b"\n" for ref in loaded]
            return StreamingResponse(iter(lines), media_type="application/json")
        return Response(status_code=200)

    async def save(self, name: str | None = None) -> StreamingResponse:
        return await self._save([name] if name else [])

    async def get(self, names: list[str] | None = None) -> StreamingResponse:
        return await self._save(names or [])

    async def get_one(self, imageid: str) -> StreamingResponse:
        return await self._save([imageid])

    async def _save(self, names: list[str]) -> StreamingResponse:
        if not names:
            raise APIError(400, "no image named to save")
        stream = await archive.prepare_save(self.images, names)
        for name in names:
            self.images.events.publish("image", "save", name, {"Name": name, "name": name})
        return StreamingResponse(stream, media_type="application/x-tar")

    async def push(self, imageid: str, tag: str | None = None) -> StreamingResponse:
        """The progress stream, once the image is found and the registry has taken the
        credentials (a failure before is an error answer); event ``push`` as pouch sends it,
        before the bytes go (here: once the push can start)."""
        session = await push(self.images, imageid, tag, _credentials())
        self.images.events.publish("image", "push", session.name, {"Name": session.name, "name": session.name})
        return StreamingResponse(session.stream(), media_type="application/json")

    async def search(self, term: str, registry: str | None = None) -> Any:
        images = self.images
        return await search(
            term,
            registry,
            default_registry=images.store.default_registry,
            insecure=images.insecure,
            credentials=_credentials(),
        )
