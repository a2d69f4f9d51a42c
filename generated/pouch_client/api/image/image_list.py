from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.image_info import ImageInfo
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    all_: bool | Unset = UNSET,
    filters: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    digests: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["all"] = all_

    params["filters"] = filters

    params["filter"] = filter_

    params["digests"] = digests

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/images/json",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[ImageInfo] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = ImageInfo.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

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
) -> Response[Error | list[ImageInfo]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    filters: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    digests: bool | Unset = UNSET,
) -> Response[Error | list[ImageInfo]]:
    """List images

     Every image the daemon holds, tagged or not, with the names each is known by.

    Args:
        all_ (bool | Unset):
        filters (str | Unset):
        filter_ (str | Unset):
        digests (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[ImageInfo]]
    """

    kwargs = _get_kwargs(
        all_=all_,
        filters=filters,
        filter_=filter_,
        digests=digests,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    filters: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    digests: bool | Unset = UNSET,
) -> Error | list[ImageInfo] | None:
    """List images

     Every image the daemon holds, tagged or not, with the names each is known by.

    Args:
        all_ (bool | Unset):
        filters (str | Unset):
        filter_ (str | Unset):
        digests (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[ImageInfo]
    """

    return sync_detailed(
        client=client,
        all_=all_,
        filters=filters,
        filter_=filter_,
        digests=digests,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    filters: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    digests: bool | Unset = UNSET,
) -> Response[Error | list[ImageInfo]]:
    """List images

     Every image the daemon holds, tagged or not, with the names each is known by.

    Args:
        all_ (bool | Unset):
        filters (str | Unset):
        filter_ (str | Unset):
        digests (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[ImageInfo]]
    """

    kwargs = _get_kwargs(
        all_=all_,
        filters=filters,
        filter_=filter_,
        digests=digests,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    all_: bool | Unset = UNSET,
    filters: str | Unset = UNSET,
    filter_: str | Unset = UNSET,
    digests: bool | Unset = UNSET,
) -> Error | list[ImageInfo] | None:
    """List images

     Every image the daemon holds, tagged or not, with the names each is known by.

    Args:
        all_ (bool | Unset):
        filters (str | Unset):
        filter_ (str | Unset):
        digests (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[ImageInfo]
    """

    return (
        await asyncio_detailed(
            client=client,
            all_=all_,
            filters=filters,
            filter_=filter_,
            digests=digests,
        )
    ).parsed
