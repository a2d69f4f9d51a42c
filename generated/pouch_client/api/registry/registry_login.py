from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auth_config import AuthConfig
from ...models.auth_response import AuthResponse
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: AuthConfig,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/auth",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuthResponse | Error | None:
    if response.status_code == 200:
        response_200 = AuthResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

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
) -> Response[AuthResponse | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthConfig,
) -> Response[AuthResponse | Error]:
    """Check registry credentials

     Logs in to a Docker Registry v2 endpoint with the given credentials and, when the
    registry issues one, returns an identity token usable instead of the password.
    An empty `ServerAddress` means the daemon's default registry.

    Args:
        body (AuthConfig): Credentials for a registry. Each field has a maximum length, far above
            what registries use, so that what a login costs the daemon is bounded whatever is sent
            (400 beyond).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthResponse | Error]
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
    body: AuthConfig,
) -> AuthResponse | Error | None:
    """Check registry credentials

     Logs in to a Docker Registry v2 endpoint with the given credentials and, when the
    registry issues one, returns an identity token usable instead of the password.
    An empty `ServerAddress` means the daemon's default registry.

    Args:
        body (AuthConfig): Credentials for a registry. Each field has a maximum length, far above
            what registries use, so that what a login costs the daemon is bounded whatever is sent
            (400 beyond).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthResponse | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthConfig,
) -> Response[AuthResponse | Error]:
    """Check registry credentials

     Logs in to a Docker Registry v2 endpoint with the given credentials and, when the
    registry issues one, returns an identity token usable instead of the password.
    An empty `ServerAddress` means the daemon's default registry.

    Args:
        body (AuthConfig): Credentials for a registry. Each field has a maximum length, far above
            what registries use, so that what a login costs the daemon is bounded whatever is sent
            (400 beyond).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthResponse | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AuthConfig,
) -> AuthResponse | Error | None:
    """Check registry credentials

     Logs in to a Docker Registry v2 endpoint with the given credentials and, when the
    registry issues one, returns an identity token usable instead of the password.
    An empty `ServerAddress` means the daemon's default registry.

    Args:
        body (AuthConfig): Credentials for a registry. Each field has a maximum length, far above
            what registries use, so that what a login costs the daemon is bounded whatever is sent
            (400 beyond).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthResponse | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
