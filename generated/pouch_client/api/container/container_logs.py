from http import HTTPStatus
from io import BytesIO
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    id: str,
    *,
    follow: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    timestamps: bool | Unset = False,
    tail: str | Unset = "all",
    details: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["follow"] = follow

    params["stdout"] = stdout

    params["stderr"] = stderr

    params["since"] = since

    params["until"] = until

    params["timestamps"] = timestamps

    params["tail"] = tail

    params["details"] = details

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/containers/{id}/logs".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | File | None:
    if response.status_code == 101:
        response_101 = cast(Any, None)
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
) -> Response[Any | Error | File]:
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
    follow: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    timestamps: bool | Unset = False,
    tail: str | Unset = "all",
    details: bool | Unset = UNSET,
) -> Response[Any | Error | File]:
    """Read a container's output

     The container's standard output and error as logged (the `json-file` driver only: 400 for another),
    then, with `follow`, what it writes while it runs; the answer ends when it stops. Without a
    terminal, the output is multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1
    for standard output, 2 for standard error; size a big-endian uint32) and then `size` bytes of that
    stream. With a terminal, the bytes are the terminal's, unframed. The answer has no `Content-Type`
    header, as neither pouch's daemon nor Docker's sends one; its body is the bytes described here. One
    of `stdout` and `stderr` must be asked for (400 otherwise).

    Args:
        id (str):
        follow (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.
        since (str | Unset):  Example: 1764331200.5.
        until (str | Unset):  Example: 1764331200.5.
        timestamps (bool | Unset):  Default: False.
        tail (str | Unset):  Default: 'all'.
        details (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error | File]
    """

    kwargs = _get_kwargs(
        id=id,
        follow=follow,
        stdout=stdout,
        stderr=stderr,
        since=since,
        until=until,
        timestamps=timestamps,
        tail=tail,
        details=details,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    follow: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    timestamps: bool | Unset = False,
    tail: str | Unset = "all",
    details: bool | Unset = UNSET,
) -> Any | Error | File | None:
    """Read a container's output

     The container's standard output and error as logged (the `json-file` driver only: 400 for another),
    then, with `follow`, what it writes while it runs; the answer ends when it stops. Without a
    terminal, the output is multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1
    for standard output, 2 for standard error; size a big-endian uint32) and then `size` bytes of that
    stream. With a terminal, the bytes are the terminal's, unframed. The answer has no `Content-Type`
    header, as neither pouch's daemon nor Docker's sends one; its body is the bytes described here. One
    of `stdout` and `stderr` must be asked for (400 otherwise).

    Args:
        id (str):
        follow (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.
        since (str | Unset):  Example: 1764331200.5.
        until (str | Unset):  Example: 1764331200.5.
        timestamps (bool | Unset):  Default: False.
        tail (str | Unset):  Default: 'all'.
        details (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error | File
    """

    return sync_detailed(
        id=id,
        client=client,
        follow=follow,
        stdout=stdout,
        stderr=stderr,
        since=since,
        until=until,
        timestamps=timestamps,
        tail=tail,
        details=details,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    follow: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    timestamps: bool | Unset = False,
    tail: str | Unset = "all",
    details: bool | Unset = UNSET,
) -> Response[Any | Error | File]:
    """Read a container's output

     The container's standard output and error as logged (the `json-file` driver only: 400 for another),
    then, with `follow`, what it writes while it runs; the answer ends when it stops. Without a
    terminal, the output is multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1
    for standard output, 2 for standard error; size a big-endian uint32) and then `size` bytes of that
    stream. With a terminal, the bytes are the terminal's, unframed. The answer has no `Content-Type`
    header, as neither pouch's daemon nor Docker's sends one; its body is the bytes described here. One
    of `stdout` and `stderr` must be asked for (400 otherwise).

    Args:
        id (str):
        follow (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.
        since (str | Unset):  Example: 1764331200.5.
        until (str | Unset):  Example: 1764331200.5.
        timestamps (bool | Unset):  Default: False.
        tail (str | Unset):  Default: 'all'.
        details (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error | File]
    """

    kwargs = _get_kwargs(
        id=id,
        follow=follow,
        stdout=stdout,
        stderr=stderr,
        since=since,
        until=until,
        timestamps=timestamps,
        tail=tail,
        details=details,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    follow: bool | Unset = False,
    stdout: bool | Unset = False,
    stderr: bool | Unset = False,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    timestamps: bool | Unset = False,
    tail: str | Unset = "all",
    details: bool | Unset = UNSET,
) -> Any | Error | File | None:
    """Read a container's output

     The container's standard output and error as logged (the `json-file` driver only: 400 for another),
    then, with `follow`, what it writes while it runs; the answer ends when it stops. Without a
    terminal, the output is multiplexed in frames: an 8-byte header `[stream, 0, 0, 0, size]` (stream 1
    for standard output, 2 for standard error; size a big-endian uint32) and then `size` bytes of that
    stream. With a terminal, the bytes are the terminal's, unframed. The answer has no `Content-Type`
    header, as neither pouch's daemon nor Docker's sends one; its body is the bytes described here. One
    of `stdout` and `stderr` must be asked for (400 otherwise).

    Args:
        id (str):
        follow (bool | Unset):  Default: False.
        stdout (bool | Unset):  Default: False.
        stderr (bool | Unset):  Default: False.
        since (str | Unset):  Example: 1764331200.5.
        until (str | Unset):  Example: 1764331200.5.
        timestamps (bool | Unset):  Default: False.
        tail (str | Unset):  Default: 'all'.
        details (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error | File
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            follow=follow,
            stdout=stdout,
            stderr=stderr,
            since=since,
            until=until,
            timestamps=timestamps,
            tail=tail,
            details=details,
        )
    ).parsed
