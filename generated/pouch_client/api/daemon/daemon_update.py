from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.daemon_update_config import DaemonUpdateConfig
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: DaemonUpdateConfig,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/daemon/update",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

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
    *,
    client: AuthenticatedClient | Client,
    body: DaemonUpdateConfig,
) -> Response[Any | Error]:
    """Update the daemon's labels and image proxy

     Merges labels into the daemon's labels (a label whose key is already present
    replaces it, a new key is appended) and replaces the image proxy. The change is
    kept across restarts.

    Args:
        body (DaemonUpdateConfig): The parts of the daemon's configuration that may change while
            it runs; at least one must be set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: DaemonUpdateConfig,
) -> Any | Error | None:
    """Update the daemon's labels and image proxy

     Merges labels into the daemon's labels (a label whose key is already present
    replaces it, a new key is appended) and replaces the image proxy. The change is
    kept across restarts.

    Args:
        body (DaemonUpdateConfig): The parts of the daemon's configuration that may change while
            it runs; at least one must be set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: DaemonUpdateConfig,
) -> Response[Any | Error]:
    """Update the daemon's labels and image proxy

     Merges labels into the daemon's labels (a label whose key is already present
    replaces it, a new key is appended) and replaces the image proxy. The change is
    kept across restarts.

    Args:
        body (DaemonUpdateConfig): The parts of the daemon's configuration that may change while
            it runs; at least one must be set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: DaemonUpdateConfig,
) -> Any | Error | None:
    """Update the daemon's labels and image proxy

     Merges labels into the daemon's labels (a label whose key is already present
    replaces it, a new key is appended) and replaces the image proxy. The change is
    kept across restarts.

    Args:
        body (DaemonUpdateConfig): The parts of the daemon's configuration that may change while
            it runs; at least one must be set.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
