from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.container_create_config import ContainerCreateConfig
from ...models.container_create_resp import ContainerCreateResp
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ContainerCreateConfig,
    name: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["name"] = name

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/containers/create",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ContainerCreateResp | Error | None:
    if response.status_code == 201:
        response_201 = ContainerCreateResp.from_dict(response.json())

        return response_201

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
) -> Response[ContainerCreateResp | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ContainerCreateConfig,
    name: str | Unset = UNSET,
) -> Response[ContainerCreateResp | Error]:
    """Create a container

     Makes a container from an image (which must be present: 404 otherwise) with the configuration given;
    the container is `created`, not started. The image's configuration fills what the body leaves unset
    (its command only when neither `Entrypoint` nor `Cmd` is given). pouch's spec gives this operation
    no operationId: `ContainerCreate` is ours, the name pouch's client and Docker's use for it.

    The name, when given, must be two or more characters, `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, with an optional
    leading `/`; a name in use is a 409. Without one, the container is named after its ID.

    Args:
        name (str | Unset):  Example: web.
        body (ContainerCreateConfig): The body of a create: a container's portable configuration
            (`ContainerConfig`'s fields, at the top level) with its host-dependent one (`HostConfig`)
            and its networks (`NetworkingConfig`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContainerCreateResp | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        name=name,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ContainerCreateConfig,
    name: str | Unset = UNSET,
) -> ContainerCreateResp | Error | None:
    """Create a container

     Makes a container from an image (which must be present: 404 otherwise) with the configuration given;
    the container is `created`, not started. The image's configuration fills what the body leaves unset
    (its command only when neither `Entrypoint` nor `Cmd` is given). pouch's spec gives this operation
    no operationId: `ContainerCreate` is ours, the name pouch's client and Docker's use for it.

    The name, when given, must be two or more characters, `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, with an optional
    leading `/`; a name in use is a 409. Without one, the container is named after its ID.

    Args:
        name (str | Unset):  Example: web.
        body (ContainerCreateConfig): The body of a create: a container's portable configuration
            (`ContainerConfig`'s fields, at the top level) with its host-dependent one (`HostConfig`)
            and its networks (`NetworkingConfig`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContainerCreateResp | Error
    """

    return sync_detailed(
        client=client,
        body=body,
        name=name,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ContainerCreateConfig,
    name: str | Unset = UNSET,
) -> Response[ContainerCreateResp | Error]:
    """Create a container

     Makes a container from an image (which must be present: 404 otherwise) with the configuration given;
    the container is `created`, not started. The image's configuration fills what the body leaves unset
    (its command only when neither `Entrypoint` nor `Cmd` is given). pouch's spec gives this operation
    no operationId: `ContainerCreate` is ours, the name pouch's client and Docker's use for it.

    The name, when given, must be two or more characters, `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, with an optional
    leading `/`; a name in use is a 409. Without one, the container is named after its ID.

    Args:
        name (str | Unset):  Example: web.
        body (ContainerCreateConfig): The body of a create: a container's portable configuration
            (`ContainerConfig`'s fields, at the top level) with its host-dependent one (`HostConfig`)
            and its networks (`NetworkingConfig`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContainerCreateResp | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        name=name,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ContainerCreateConfig,
    name: str | Unset = UNSET,
) -> ContainerCreateResp | Error | None:
    """Create a container

     Makes a container from an image (which must be present: 404 otherwise) with the configuration given;
    the container is `created`, not started. The image's configuration fills what the body leaves unset
    (its command only when neither `Entrypoint` nor `Cmd` is given). pouch's spec gives this operation
    no operationId: `ContainerCreate` is ours, the name pouch's client and Docker's use for it.

    The name, when given, must be two or more characters, `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, with an optional
    leading `/`; a name in use is a 409. Without one, the container is named after its ID.

    Args:
        name (str | Unset):  Example: web.
        body (ContainerCreateConfig): The body of a create: a container's portable configuration
            (`ContainerConfig`'s fields, at the top level) with its host-dependent one (`HostConfig`)
            and its networks (`NetworkingConfig`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContainerCreateResp | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            name=name,
        )
    ).parsed
