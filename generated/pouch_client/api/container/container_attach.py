from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: str,
    *,
    detach_keys: str | Unset = UNSET,
    logs: bool | Unset = False,
    stream: bool | Unset = False,
    stdin: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["detachKeys"] = detach_keys

    params["logs"] = logs

    params["stream"] = stream

    params["stdin"] = stdin

    params["stdout"] = stdout

    params["stderr"] = stderr

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/containers/{id}/attach".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | File | None:
    if response.status_code == 101:
        response_101 = File(payload=BytesIO(response.content))

        return response_101

    if response.status_code == 200:
        response_200 = File(payload=BytesIO(response.content))

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = Error.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 431:
        response_431 = Error.from_dict(response.json())

        return response_431

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | File]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    detach_keys: str | Unset = UNSET,
    logs: bool | Unset = False,
    stream: bool | Unset = False,
    stdin: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
) -> Response[Error | File]:
    """Attach to a container's streams

     Connects to the container's standard streams: what the client sends is the container's standard
    input (when its configuration opens it), what the container writes comes back. Attaching to a
    container that is not started yet is how a run loses no output. The connection is hijacked: the
    answer's status line and headers are written as they are, then the connection carries the streams
    both ways until they end. A request with `Upgrade: tcp` and `Connection: Upgrade` (as the Docker CLI
    sends) is answered `101 UPGRADED` with `Content-Type: application/vnd.docker.raw-stream`,
    `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK` with that Content-Type. (pouch's
    spec names the type `application/vnd.raw-stream`; both pouch's daemon and Docker's send
    `application/vnd.docker.raw-stream`.) Without a terminal, the output is multiplexed in frames: an
    8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2 for standard error; size a
    big-endian uint32) and then `size` bytes of that stream. With a terminal, the bytes are the
    terminal's, unframed. (pouch's daemon writes the output unframed even without a terminal; the Docker
    CLI needs the frames.) No body.

    Args:
        id (str):
        detach_keys (str | Unset):
        logs (bool | Unset):  Default: False.
        stream (bool | Unset):  Default: False.
        stdin (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | File]
    """

    kwargs = _get_kwargs(
        id=id,
        detach_keys=detach_keys,
        logs=logs,
        stream=stream,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    detach_keys: str | Unset = UNSET,
    logs: bool | Unset = False,
    stream: bool | Unset = False,
    stdin: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
) -> Error | File | None:
    """Attach to a container's streams

     Connects to the container's standard streams: what the client sends is the container's standard
    input (when its configuration opens it), what the container writes comes back. Attaching to a
    container that is not started yet is how a run loses no output. The connection is hijacked: the
    answer's status line and headers are written as they are, then the connection carries the streams
    both ways until they end. A request with `Upgrade: tcp` and `Connection: Upgrade` (as the Docker CLI
    sends) is answered `101 UPGRADED` with `Content-Type: application/vnd.docker.raw-stream`,
    `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK` with that Content-Type. (pouch's
    spec names the type `application/vnd.raw-stream`; both pouch's daemon and Docker's send
    `application/vnd.docker.raw-stream`.) Without a terminal, the output is multiplexed in frames: an
    8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2 for standard error; size a
    big-endian uint32) and then `size` bytes of that stream. With a terminal, the bytes are the
    terminal's, unframed. (pouch's daemon writes the output unframed even without a terminal; the Docker
    CLI needs the frames.) No body.

    Args:
        id (str):
        detach_keys (str | Unset):
        logs (bool | Unset):  Default: False.
        stream (bool | Unset):  Default: False.
        stdin (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | File
    """

    return sync_detailed(
        id=id,
        client=client,
        detach_keys=detach_keys,
        logs=logs,
        stream=stream,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    detach_keys: str | Unset = UNSET,
    logs: bool | Unset = False,
    stream: bool | Unset = False,
    stdin: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
) -> Response[Error | File]:
    """Attach to a container's streams

     Connects to the container's standard streams: what the client sends is the container's standard
    input (when its configuration opens it), what the container writes comes back. Attaching to a
    container that is not started yet is how a run loses no output. The connection is hijacked: the
    answer's status line and headers are written as they are, then the connection carries the streams
    both ways until they end. A request with `Upgrade: tcp` and `Connection: Upgrade` (as the Docker CLI
    sends) is answered `101 UPGRADED` with `Content-Type: application/vnd.docker.raw-stream`,
    `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK` with that Content-Type. (pouch's
    spec names the type `application/vnd.raw-stream`; both pouch's daemon and Docker's send
    `application/vnd.docker.raw-stream`.) Without a terminal, the output is multiplexed in frames: an
    8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2 for standard error; size a
    big-endian uint32) and then `size` bytes of that stream. With a terminal, the bytes are the
    terminal's, unframed. (pouch's daemon writes the output unframed even without a terminal; the Docker
    CLI needs the frames.) No body.

    Args:
        id (str):
        detach_keys (str | Unset):
        logs (bool | Unset):  Default: False.
        stream (bool | Unset):  Default: False.
        stdin (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | File]
    """

    kwargs = _get_kwargs(
        id=id,
        detach_keys=detach_keys,
        logs=logs,
        stream=stream,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    detach_keys: str | Unset = UNSET,
    logs: bool | Unset = False,
    stream: bool | Unset = False,
    stdin: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
) -> Error | File | None:
    """Attach to a container's streams

     Connects to the container's standard streams: what the client sends is the container's standard
    input (when its configuration opens it), what the container writes comes back. Attaching to a
    container that is not started yet is how a run loses no output. The connection is hijacked: the
    answer's status line and headers are written as they are, then the connection carries the streams
    both ways until they end. A request with `Upgrade: tcp` and `Connection: Upgrade` (as the Docker CLI
    sends) is answered `101 UPGRADED` with `Content-Type: application/vnd.docker.raw-stream`,
    `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK` with that Content-Type. (pouch's
    spec names the type `application/vnd.raw-stream`; both pouch's daemon and Docker's send
    `application/vnd.docker.raw-stream`.) Without a terminal, the output is multiplexed in frames: an
    8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2 for standard error; size a
    big-endian uint32) and then `size` bytes of that stream. With a terminal, the bytes are the
    terminal's, unframed. (pouch's daemon writes the output unframed even without a terminal; the Docker
    CLI needs the frames.) No body.

    Args:
        id (str):
        detach_keys (str | Unset):
        logs (bool | Unset):  Default: False.
        stream (bool | Unset):  Default: False.
        stdin (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | File
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            detach_keys=detach_keys,
            logs=logs,
            stream=stream,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
        )
    ).parsed
