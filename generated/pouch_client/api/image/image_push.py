from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    imageid: str,
    *,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_registry_auth, Unset):
        headers["X-Registry-Auth"] = x_registry_auth

    params: dict[str, Any] = {}

    params["tag"] = tag

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/images/{imageid}/push".format(
            imageid=quote(str(imageid), safe=""),
        ),
        "params": params,
    }

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
) -> Response[Any | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    imageid: str,
    *,
    client: AuthenticatedClient | Client,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Response[Any | Error]:
    """Push an image to its registry

     Uploads the image named `imageid:tag` to the registry its name names (the layers and configuration
    the registry lacks, then the manifest), answering with its progress as `ImagePull` does: a stream of
    JSON objects, one per part uploaded (`waiting`, `uploading`, `committing`, `done`). No body.

    Args:
        imageid (str):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        imageid=imageid,
        tag=tag,
        x_registry_auth=x_registry_auth,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    imageid: str,
    *,
    client: AuthenticatedClient | Client,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Any | Error | None:
    """Push an image to its registry

     Uploads the image named `imageid:tag` to the registry its name names (the layers and configuration
    the registry lacks, then the manifest), answering with its progress as `ImagePull` does: a stream of
    JSON objects, one per part uploaded (`waiting`, `uploading`, `committing`, `done`). No body.

    Args:
        imageid (str):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        imageid=imageid,
        client=client,
        tag=tag,
        x_registry_auth=x_registry_auth,
    ).parsed


async def asyncio_detailed(
    imageid: str,
    *,
    client: AuthenticatedClient | Client,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Response[Any | Error]:
    """Push an image to its registry

     Uploads the image named `imageid:tag` to the registry its name names (the layers and configuration
    the registry lacks, then the manifest), answering with its progress as `ImagePull` does: a stream of
    JSON objects, one per part uploaded (`waiting`, `uploading`, `committing`, `done`). No body.

    Args:
        imageid (str):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        imageid=imageid,
        tag=tag,
        x_registry_auth=x_registry_auth,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    imageid: str,
    *,
    client: AuthenticatedClient | Client,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Any | Error | None:
    """Push an image to its registry

     Uploads the image named `imageid:tag` to the registry its name names (the layers and configuration
    the registry lacks, then the manifest), answering with its progress as `ImagePull` does: a stream of
    JSON objects, one per part uploaded (`waiting`, `uploading`, `committing`, `done`). No body.

    Args:
        imageid (str):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            imageid=imageid,
            client=client,
            tag=tag,
            x_registry_auth=x_registry_auth,
        )
    ).parsed
