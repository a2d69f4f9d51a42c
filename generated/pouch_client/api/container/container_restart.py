from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    name: str | Unset = UNSET,
    t: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["name"] = name

    params["t"] = t

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/containers/{id}/restart".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | Error]:
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
    name: str | Unset = UNSET,
    t: int | Unset = UNSET,
) -> Response[Any | Error]:
    """Restart a container

     Stops the container when it runs (as `ContainerStop`, waiting `t` seconds), then starts it. No body.
    pouch's spec lists a required `name` here, copied from rename; pouch's daemon neither needs nor
    reads it, and no client sends it: it is optional and ignored.

    Args:
        id (str):
        name (str | Unset):
        t (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        name=name,
        t=t,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    t: int | Unset = UNSET,
) -> Any | Error | None:
    """Restart a container

     Stops the container when it runs (as `ContainerStop`, waiting `t` seconds), then starts it. No body.
    pouch's spec lists a required `name` here, copied from rename; pouch's daemon neither needs nor
    reads it, and no client sends it: it is optional and ignored.

    Args:
        id (str):
        name (str | Unset):
        t (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        id=id,
        client=client,
        name=name,
        t=t,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    t: int | Unset = UNSET,
) -> Response[Any | Error]:
    """Restart a container

     Stops the container when it runs (as `ContainerStop`, waiting `t` seconds), then starts it. No body.
    pouch's spec lists a required `name` here, copied from rename; pouch's daemon neither needs nor
    reads it, and no client sends it: it is optional and ignored.

    Args:
        id (str):
        name (str | Unset):
        t (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        id=id,
        name=name,
        t=t,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    name: str | Unset = UNSET,
    t: int | Unset = UNSET,
) -> Any | Error | None:
    """Restart a container

     Stops the container when it runs (as `ContainerStop`, waiting `t` seconds), then starts it. No body.
    pouch's spec lists a required `name` here, copied from rename; pouch's daemon neither needs nor
    reads it, and no client sends it: it is optional and ignored.

    Args:
        id (str):
        name (str | Unset):
        t (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            name=name,
            t=t,
        )
    ).parsed
