from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.container_stats import ContainerStats
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    stream: bool | Unset = True,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["stream"] = stream

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/containers/{id}/stats".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ContainerStats | Error | None:
    if response.status_code == 200:
        response_200 = ContainerStats.from_dict(response.json())

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
) -> Response[ContainerStats | Error]:
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
    stream: bool | Unset = True,
) -> Response[ContainerStats | Error]:
    """Stream a container's resource usage

     Samples of the container's resource usage, each a `ContainerStats` JSON object: with `stream`, one a
    second until the client disconnects (a stream of JSON objects one after another, as a pull's
    progress); without it, one. `precpu_stats` is the previous sample's CPU usage, for a CPU percentage.
    A container that is not running gives empty samples.

    Args:
        id (str):
        stream (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContainerStats | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        stream=stream,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    stream: bool | Unset = True,
) -> ContainerStats | Error | None:
    """Stream a container's resource usage

     Samples of the container's resource usage, each a `ContainerStats` JSON object: with `stream`, one a
    second until the client disconnects (a stream of JSON objects one after another, as a pull's
    progress); without it, one. `precpu_stats` is the previous sample's CPU usage, for a CPU percentage.
    A container that is not running gives empty samples.

    Args:
        id (str):
        stream (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContainerStats | Error
    """

    return sync_detailed(
        id=id,
        client=client,
        stream=stream,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    stream: bool | Unset = True,
) -> Response[ContainerStats | Error]:
    """Stream a container's resource usage

     Samples of the container's resource usage, each a `ContainerStats` JSON object: with `stream`, one a
    second until the client disconnects (a stream of JSON objects one after another, as a pull's
    progress); without it, one. `precpu_stats` is the previous sample's CPU usage, for a CPU percentage.
    A container that is not running gives empty samples.

    Args:
        id (str):
        stream (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContainerStats | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        stream=stream,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    stream: bool | Unset = True,
) -> ContainerStats | Error | None:
    """Stream a container's resource usage

     Samples of the container's resource usage, each a `ContainerStats` JSON object: with `stream`, one a
    second until the client disconnects (a stream of JSON objects one after another, as a pull's
    progress); without it, one. `precpu_stats` is the previous sample's CPU usage, for a CPU percentage.
    A container that is not running gives empty samples.

    Args:
        id (str):
        stream (bool | Unset):  Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContainerStats | Error
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            stream=stream,
        )
    ).parsed
