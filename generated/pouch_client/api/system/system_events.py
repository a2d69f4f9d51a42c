from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.events_message import EventsMessage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    filters: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["since"] = since

    params["until"] = until

    params["filters"] = filters

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | EventsMessage | None:
    if response.status_code == 200:
        response_200 = EventsMessage.from_dict(response.json())

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
) -> Response[Error | EventsMessage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    filters: str | Unset = UNSET,
) -> Response[Error | EventsMessage]:
    """Stream the daemon's events

     Replays the stored events since `since`, then streams new ones as they happen,
    one JSON `EventsMessage` object a line, until `until` is reached or the client
    disconnects. With `until` in the past the stored events are sent and the response ends.

    Args:
        since (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        until (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        filters (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | EventsMessage]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        filters=filters,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    filters: str | Unset = UNSET,
) -> Error | EventsMessage | None:
    """Stream the daemon's events

     Replays the stored events since `since`, then streams new ones as they happen,
    one JSON `EventsMessage` object a line, until `until` is reached or the client
    disconnects. With `until` in the past the stored events are sent and the response ends.

    Args:
        since (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        until (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        filters (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | EventsMessage
    """

    return sync_detailed(
        client=client,
        since=since,
        until=until,
        filters=filters,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    filters: str | Unset = UNSET,
) -> Response[Error | EventsMessage]:
    """Stream the daemon's events

     Replays the stored events since `since`, then streams new ones as they happen,
    one JSON `EventsMessage` object a line, until `until` is reached or the client
    disconnects. With `until` in the past the stored events are sent and the response ends.

    Args:
        since (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        until (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        filters (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | EventsMessage]
    """

    kwargs = _get_kwargs(
        since=since,
        until=until,
        filters=filters,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    since: str | Unset = UNSET,
    until: str | Unset = UNSET,
    filters: str | Unset = UNSET,
) -> Error | EventsMessage | None:
    """Stream the daemon's events

     Replays the stored events since `since`, then streams new ones as they happen,
    one JSON `EventsMessage` object a line, until `until` is reached or the client
    disconnects. With `until` in the past the stored events are sent and the response ends.

    Args:
        since (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        until (str | Unset): Unix time seconds[.nanoseconds] Example: 1764331200.5.
        filters (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | EventsMessage
    """

    return (
        await asyncio_detailed(
            client=client,
            since=since,
            until=until,
            filters=filters,
        )
    ).parsed
