from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    from_image: str | Unset = UNSET,
    from_src: str | Unset = UNSET,
    repo: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_registry_auth, Unset):
        headers["X-Registry-Auth"] = x_registry_auth

    params: dict[str, Any] = {}

    params["fromImage"] = from_image

    params["fromSrc"] = from_src

    params["repo"] = repo

    params["tag"] = tag

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/images/create",
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
    *,
    client: AuthenticatedClient | Client,
    from_image: str | Unset = UNSET,
    from_src: str | Unset = UNSET,
    repo: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Response[Any | Error]:
    """Pull an image from a registry

     Fetches the image `fromImage` (with `tag`, when given) from its registry and unpacks it,
    answering with its progress as it goes: a stream of JSON objects sent one after another,
    not as an array and with no separator between them (as pouch's daemon sends it; Go's and
    docker-py's JSON stream readers take it as it is). Each object tells the state of one part
    of the pull (`id`, `status`, `progressDetail` with `current` and `total` bytes,
    `started_at`, `updated_at`); the whole table is sent again as it changes. A failure once
    the stream has begun is one last object with `errorDetail` and `error`; one found before,
    an error status with the usual `Error` body. Closing the connection cancels the pull.

    A digest is sent either in `fromImage` (`name@sha256:...`) or, as the Docker CLI and
    docker-py send it, as the `tag` (`tag=sha256:...`). Importing (`fromSrc`, `repo` and a
    body) is part of pouch's contract but not done: those are accepted and ignored, as pouch
    ignores them.

    No request body is declared, though pouch's spec names one (the content to import, as
    `text/plain` or `application/octet-stream`): pouch's daemon never reads it and takes a
    request of any `Content-Type`, and so does this one. The Docker CLI sends an empty
    `text/plain` body; pouch's CLI and docker-py send none.

    Args:
        from_image (str | Unset):
        from_src (str | Unset):
        repo (str | Unset):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        from_image=from_image,
        from_src=from_src,
        repo=repo,
        tag=tag,
        x_registry_auth=x_registry_auth,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    from_image: str | Unset = UNSET,
    from_src: str | Unset = UNSET,
    repo: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Any | Error | None:
    """Pull an image from a registry

     Fetches the image `fromImage` (with `tag`, when given) from its registry and unpacks it,
    answering with its progress as it goes: a stream of JSON objects sent one after another,
    not as an array and with no separator between them (as pouch's daemon sends it; Go's and
    docker-py's JSON stream readers take it as it is). Each object tells the state of one part
    of the pull (`id`, `status`, `progressDetail` with `current` and `total` bytes,
    `started_at`, `updated_at`); the whole table is sent again as it changes. A failure once
    the stream has begun is one last object with `errorDetail` and `error`; one found before,
    an error status with the usual `Error` body. Closing the connection cancels the pull.

    A digest is sent either in `fromImage` (`name@sha256:...`) or, as the Docker CLI and
    docker-py send it, as the `tag` (`tag=sha256:...`). Importing (`fromSrc`, `repo` and a
    body) is part of pouch's contract but not done: those are accepted and ignored, as pouch
    ignores them.

    No request body is declared, though pouch's spec names one (the content to import, as
    `text/plain` or `application/octet-stream`): pouch's daemon never reads it and takes a
    request of any `Content-Type`, and so does this one. The Docker CLI sends an empty
    `text/plain` body; pouch's CLI and docker-py send none.

    Args:
        from_image (str | Unset):
        from_src (str | Unset):
        repo (str | Unset):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        client=client,
        from_image=from_image,
        from_src=from_src,
        repo=repo,
        tag=tag,
        x_registry_auth=x_registry_auth,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    from_image: str | Unset = UNSET,
    from_src: str | Unset = UNSET,
    repo: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Response[Any | Error]:
    """Pull an image from a registry

     Fetches the image `fromImage` (with `tag`, when given) from its registry and unpacks it,
    answering with its progress as it goes: a stream of JSON objects sent one after another,
    not as an array and with no separator between them (as pouch's daemon sends it; Go's and
    docker-py's JSON stream readers take it as it is). Each object tells the state of one part
    of the pull (`id`, `status`, `progressDetail` with `current` and `total` bytes,
    `started_at`, `updated_at`); the whole table is sent again as it changes. A failure once
    the stream has begun is one last object with `errorDetail` and `error`; one found before,
    an error status with the usual `Error` body. Closing the connection cancels the pull.

    A digest is sent either in `fromImage` (`name@sha256:...`) or, as the Docker CLI and
    docker-py send it, as the `tag` (`tag=sha256:...`). Importing (`fromSrc`, `repo` and a
    body) is part of pouch's contract but not done: those are accepted and ignored, as pouch
    ignores them.

    No request body is declared, though pouch's spec names one (the content to import, as
    `text/plain` or `application/octet-stream`): pouch's daemon never reads it and takes a
    request of any `Content-Type`, and so does this one. The Docker CLI sends an empty
    `text/plain` body; pouch's CLI and docker-py send none.

    Args:
        from_image (str | Unset):
        from_src (str | Unset):
        repo (str | Unset):
        tag (str | Unset):
        x_registry_auth (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        from_image=from_image,
        from_src=from_src,
        repo=repo,
        tag=tag,
        x_registry_auth=x_registry_auth,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    from_image: str | Unset = UNSET,
    from_src: str | Unset = UNSET,
    repo: str | Unset = UNSET,
    tag: str | Unset = UNSET,
    x_registry_auth: str | Unset = UNSET,
) -> Any | Error | None:
    """Pull an image from a registry

     Fetches the image `fromImage` (with `tag`, when given) from its registry and unpacks it,
    answering with its progress as it goes: a stream of JSON objects sent one after another,
    not as an array and with no separator between them (as pouch's daemon sends it; Go's and
    docker-py's JSON stream readers take it as it is). Each object tells the state of one part
    of the pull (`id`, `status`, `progressDetail` with `current` and `total` bytes,
    `started_at`, `updated_at`); the whole table is sent again as it changes. A failure once
    the stream has begun is one last object with `errorDetail` and `error`; one found before,
    an error status with the usual `Error` body. Closing the connection cancels the pull.

    A digest is sent either in `fromImage` (`name@sha256:...`) or, as the Docker CLI and
    docker-py send it, as the `tag` (`tag=sha256:...`). Importing (`fromSrc`, `repo` and a
    body) is part of pouch's contract but not done: those are accepted and ignored, as pouch
    ignores them.

    No request body is declared, though pouch's spec names one (the content to import, as
    `text/plain` or `application/octet-stream`): pouch's daemon never reads it and takes a
    request of any `Content-Type`, and so does this one. The Docker CLI sends an empty
    `text/plain` body; pouch's CLI and docker-py send none.

    Args:
        from_image (str | Unset):
        from_src (str | Unset):
        repo (str | Unset):
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
            client=client,
            from_image=from_image,
            from_src=from_src,
            repo=repo,
            tag=tag,
            x_registry_auth=x_registry_auth,
        )
    ).parsed
