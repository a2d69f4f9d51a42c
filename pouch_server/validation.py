"""Response validation that also works for streams (/events).

connexion's JSON response validator buffers the whole body before validating it, which would
hold back a live event stream forever. This one keeps that behaviour for ordinary responses and,
for streamed ones (no Content-Length), validates each newline-delimited JSON object as it
passes, forwarding it at once.
"""

from __future__ import annotations

import json
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseBody
from connexion.validators import VALIDATOR_MAP, JSONResponseBodyValidator, TextResponseBodyValidator
from starlette.types import Send


class StreamingJSONResponseValidator(JSONResponseBodyValidator):
    def wrap_send(self, send: Send) -> Send:
        plain_send = super().wrap_send(send)
        streaming = False
        pending = b""

        async def send_(message: t.MutableMapping[str, t.Any]) -> None:
            nonlocal streaming, pending
            if message["type"] == "http.response.start":
                headers = {k.lower() for k, _ in message.get("headers", [])}
                streaming = b"content-length" not in headers
                if streaming:
                    await send(message)
                    return
            if not streaming:
                await plain_send(message)
                return
            pending += message.get("body", b"")
            *lines, pending = pending.split(b"\n")
            if not message.get("more_body", False) and pending:
                lines.append(pending)
                pending = b""
            for line in lines:
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except ValueError as e:
                        raise NonConformingResponseBody(str(e)) from None
                    self._validate(obj)
            await send(message)

        return send_


def validator_map() -> dict[str, t.Any]:
    return {
        **VALIDATOR_MAP,
        "response": MediaTypeDict({
            "*/*json": StreamingJSONResponseValidator,
            "text/plain": TextResponseBodyValidator,
        }),
    }
