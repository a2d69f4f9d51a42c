from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.search_result_item import SearchResultItem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    term: str,
    registry: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_registry_auth, Unset):
        headers["X-Registry-Auth"] = x_registry_auth

    params: dict[str, Any] = {}

    params["term"] = term

    params["registry"] = registry

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/images/search",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[SearchResultItem] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = SearchResultItem.from_dict(response_200_item_data)

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
) -> Response[Error | list[SearchResultItem]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    term: str,
    registry: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Response[Error | list[SearchResultItem]]:
    """Search a registry for images (pouch's client's method)

     `ImageSearch` asked with POST, as pouch's Go client asks and pouch's daemon routes it (its spec says
    GET), with the credentials for the registry in `X-Registry-Auth`. No body.

    Args:
        term (str):
        registry (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[SearchResultItem]]
    """

    kwargs = _get_kwargs(
        term=term,
        registry=registry,
        x_registry_auth=x_registry_auth,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    term: str,
    registry: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Error | list[SearchResultItem] | None:
    """Search a registry for images (pouch's client's method)

     `ImageSearch` asked with POST, as pouch's Go client asks and pouch's daemon routes it (its spec says
    GET), with the credentials for the registry in `X-Registry-Auth`. No body.

    Args:
        term (str):
        registry (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[SearchResultItem]
    """

    return sync_detailed(
        client=client,
        term=term,
        registry=registry,
        x_registry_auth=x_registry_auth,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    term: str,
    registry: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Response[Error | list[SearchResultItem]]:
    """Search a registry for images (pouch's client's method)

     `ImageSearch` asked with POST, as pouch's Go client asks and pouch's daemon routes it (its spec says
    GET), with the credentials for the registry in `X-Registry-Auth`. No body.

    Args:
        term (str):
        registry (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[SearchResultItem]]
    """

    kwargs = _get_kwargs(
        term=term,
        registry=registry,
        x_registry_auth=x_registry_auth,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    term: str,
    registry: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Error | list[SearchResultItem] | None:
    """Search a registry for images (pouch's client's method)

     `ImageSearch` asked with POST, as pouch's Go client asks and pouch's daemon routes it (its spec says
    GET), with the credentials for the registry in `X-Registry-Auth`. No body.

    Args:
        term (str):
        registry (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[SearchResultItem]
    """

    return (
        await asyncio_detailed(
            client=client,
            term=term,
            registry=registry,
            x_registry_auth=x_registry_auth,
        )
    ).parsed
