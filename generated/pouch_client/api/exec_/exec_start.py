from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.exec_start_config import ExecStartConfig
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: str,
    *,
    body: ExecStartConfig | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/exec/{id}/start".format(
            id=quote(str(id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
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

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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
    body: ExecStartConfig | Unset = UNSET,
) -> Response[Error | File]:
    """Run an exec

     Runs the exec's command. With `Detach` the answer is an empty 200 at once. Otherwise the connection
    is hijacked: the answer's status line and headers are written as they are, then the connection
    carries the streams both ways until they end. A request with `Upgrade: tcp` and `Connection:
    Upgrade` (as the Docker CLI sends) is answered `101 UPGRADED` with `Content-Type:
    application/vnd.docker.raw-stream`, `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK`
    with that Content-Type. (pouch's spec names the type `application/vnd.raw-stream`; both pouch's
    daemon and Docker's send `application/vnd.docker.raw-stream`.) Without a terminal, the output is
    multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2
    for standard error; size a big-endian uint32) and then `size` bytes of that stream. With a terminal,
    the bytes are the terminal's, unframed. An error once the connection is hijacked is written into it
    as text, and the exec's exit code is then 126.

    Args:
        id (str):
        body (ExecStartConfig | Unset): How an exec is started.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | File]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExecStartConfig | Unset = UNSET,
) -> Error | File | None:
    """Run an exec

     Runs the exec's command. With `Detach` the answer is an empty 200 at once. Otherwise the connection
    is hijacked: the answer's status line and headers are written as they are, then the connection
    carries the streams both ways until they end. A request with `Upgrade: tcp` and `Connection:
    Upgrade` (as the Docker CLI sends) is answered `101 UPGRADED` with `Content-Type:
    application/vnd.docker.raw-stream`, `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK`
    with that Content-Type. (pouch's spec names the type `application/vnd.raw-stream`; both pouch's
    daemon and Docker's send `application/vnd.docker.raw-stream`.) Without a terminal, the output is
    multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2
    for standard error; size a big-endian uint32) and then `size` bytes of that stream. With a terminal,
    the bytes are the terminal's, unframed. An error once the connection is hijacked is written into it
    as text, and the exec's exit code is then 126.

    Args:
        id (str):
        body (ExecStartConfig | Unset): How an exec is started.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | File
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExecStartConfig | Unset = UNSET,
) -> Response[Error | File]:
    """Run an exec

     Runs the exec's command. With `Detach` the answer is an empty 200 at once. Otherwise the connection
    is hijacked: the answer's status line and headers are written as they are, then the connection
    carries the streams both ways until they end. A request with `Upgrade: tcp` and `Connection:
    Upgrade` (as the Docker CLI sends) is answered `101 UPGRADED` with `Content-Type:
    application/vnd.docker.raw-stream`, `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK`
    with that Content-Type. (pouch's spec names the type `application/vnd.raw-stream`; both pouch's
    daemon and Docker's send `application/vnd.docker.raw-stream`.) Without a terminal, the output is
    multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2
    for standard error; size a big-endian uint32) and then `size` bytes of that stream. With a terminal,
    the bytes are the terminal's, unframed. An error once the connection is hijacked is written into it
    as text, and the exec's exit code is then 126.

    Args:
        id (str):
        body (ExecStartConfig | Unset): How an exec is started.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | File]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExecStartConfig | Unset = UNSET,
) -> Error | File | None:
    """Run an exec

     Runs the exec's command. With `Detach` the answer is an empty 200 at once. Otherwise the connection
    is hijacked: the answer's status line and headers are written as they are, then the connection
    carries the streams both ways until they end. A request with `Upgrade: tcp` and `Connection:
    Upgrade` (as the Docker CLI sends) is answered `101 UPGRADED` with `Content-Type:
    application/vnd.docker.raw-stream`, `Connection: Upgrade` and `Upgrade: tcp`; one without, `200 OK`
    with that Content-Type. (pouch's spec names the type `application/vnd.raw-stream`; both pouch's
    daemon and Docker's send `application/vnd.docker.raw-stream`.) Without a terminal, the output is
    multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1 for standard output, 2
    for standard error; size a big-endian uint32) and then `size` bytes of that stream. With a terminal,
    the bytes are the terminal's, unframed. An error once the connection is hijacked is written into it
    as text, and the exec's exit code is then 126.

    Args:
        id (str):
        body (ExecStartConfig | Unset): How an exec is started.

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
            body=body,
        )
    ).parsed
