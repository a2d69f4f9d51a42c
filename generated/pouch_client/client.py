from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import httpx

if TYPE_CHECKING:
    import ssl
    from types import TracebackType


class Client:
    """A class for keeping track of data related to the API

    The following are accepted as keyword arguments and will be used to construct httpx Clients internally:

        ``base_url``: The base URL for the API, all requests are made to a relative path to this URL

        ``cookies``: A dictionary of cookies to be sent with every request

        ``headers``: A dictionary of headers to be sent with every request

        ``timeout``: The maximum amount of a time a request can take. API functions will raise
        httpx.TimeoutException if this is exceeded.

        ``verify_ssl``: Whether or not to verify the SSL certificate of the API server. This should be True in production,
        but can be set to False for testing purposes.

        ``follow_redirects``: Whether or not to follow redirects. Default value is False.

        ``httpx_args``: A dictionary of additional arguments to be passed to the ``httpx.Client`` and ``httpx.AsyncClient`` constructor.


    Attributes:
        raise_on_unexpected_status: Whether or not to raise an errors.UnexpectedStatus if the API returns a
            status code that was not documented in the source OpenAPI document. Can also be provided as a keyword
            argument to the constructor.
    """

    __slots__ = (
        "_async_client",
        "_base_url",
        "_client",
        "_cookies",
        "_follow_redirects",
        "_headers",
        "_httpx_args",
        "_timeout",
        "_verify_ssl",
        "raise_on_unexpected_status",
    )

    raise_on_unexpected_status: bool
    _base_url: str
    _cookies: dict[str, str]
    _headers: dict[str, str]
    _timeout: httpx.Timeout | None
    _verify_ssl: str | bool | ssl.SSLContext
    _follow_redirects: bool
    _httpx_args: dict[str, Any]
    _client: httpx.Client | None
    _async_client: httpx.AsyncClient | None

    def __init__(
        self,
        base_url: str,
        *,
        raise_on_unexpected_status: bool = False,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        verify_ssl: str | bool | ssl.SSLContext = True,
        follow_redirects: bool = False,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        self.raise_on_unexpected_status = raise_on_unexpected_status
        self._base_url = base_url
        self._cookies = {} if cookies is None else cookies
        self._headers = {} if headers is None else headers
        self._timeout = timeout
        self._verify_ssl = verify_ssl
        self._follow_redirects = follow_redirects
        self._httpx_args = {} if httpx_args is None else httpx_args
        self._client = None
        self._async_client = None

    def _arguments(self) -> dict[str, Any]:
        """The constructor's arguments that made this client (for the with_* methods)"""
        return {
            "base_url": self._base_url,
            "raise_on_unexpected_status": self.raise_on_unexpected_status,
            "cookies": self._cookies,
            "headers": self._headers,
            "timeout": self._timeout,
            "verify_ssl": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            "httpx_args": self._httpx_args,
        }

    def __repr__(self) -> str:
        arguments = self._arguments()
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"

    def with_headers(self, headers: dict[str, str]) -> Self:
        """Get a new client matching this one with additional headers"""
        if self._client is not None:
            self._client.headers.update(headers)
        if self._async_client is not None:
            self._async_client.headers.update(headers)
        return type(self)(
            **{**self._arguments(), "headers": {**self._headers, **headers}}
        )

    def with_cookies(self, cookies: dict[str, str]) -> Self:
        """Get a new client matching this one with additional cookies"""
        if self._client is not None:
            self._client.cookies.update(cookies)
        if self._async_client is not None:
            self._async_client.cookies.update(cookies)
        return type(self)(
            **{**self._arguments(), "cookies": {**self._cookies, **cookies}}
        )

    def with_timeout(self, timeout: httpx.Timeout) -> Self:
        """Get a new client matching this one with a new timeout configuration"""
        if self._client is not None:
            self._client.timeout = timeout
        if self._async_client is not None:
            self._async_client.timeout = timeout
        return type(self)(**{**self._arguments(), "timeout": timeout})

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            self._client = httpx.Client(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(exc_type, exc_value, traceback)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(exc_type, exc_value, traceback)


class AuthenticatedClient:
    """A Client which has been authenticated for use on secured endpoints

    The following are accepted as keyword arguments and will be used to construct httpx Clients internally:

        ``base_url``: The base URL for the API, all requests are made to a relative path to this URL

        ``cookies``: A dictionary of cookies to be sent with every request

        ``headers``: A dictionary of headers to be sent with every request

        ``timeout``: The maximum amount of a time a request can take. API functions will raise
        httpx.TimeoutException if this is exceeded.

        ``verify_ssl``: Whether or not to verify the SSL certificate of the API server. This should be True in production,
        but can be set to False for testing purposes.

        ``follow_redirects``: Whether or not to follow redirects. Default value is False.

        ``httpx_args``: A dictionary of additional arguments to be passed to the ``httpx.Client`` and ``httpx.AsyncClient`` constructor.


    Attributes:
        raise_on_unexpected_status: Whether or not to raise an errors.UnexpectedStatus if the API returns a
            status code that was not documented in the source OpenAPI document. Can also be provided as a keyword
            argument to the constructor.
        token: The token to use for authentication
        prefix: The prefix to use for the Authorization header
        auth_header_name: The name of the Authorization header
    """

    __slots__ = (
        "_async_client",
        "_base_url",
        "_client",
        "_cookies",
        "_follow_redirects",
        "_headers",
        "_httpx_args",
        "_timeout",
        "_verify_ssl",
        "auth_header_name",
        "prefix",
        "raise_on_unexpected_status",
        "token",
    )

    raise_on_unexpected_status: bool
    _base_url: str
    _cookies: dict[str, str]
    _headers: dict[str, str]
    _timeout: httpx.Timeout | None
    _verify_ssl: str | bool | ssl.SSLContext
    _follow_redirects: bool
    _httpx_args: dict[str, Any]
    _client: httpx.Client | None
    _async_client: httpx.AsyncClient | None
    token: str
    prefix: str
    auth_header_name: str

    def __init__(
        self,
        base_url: str,
        token: str,
        prefix: str = "Bearer",
        auth_header_name: str = "Authorization",
        *,
        raise_on_unexpected_status: bool = False,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        verify_ssl: str | bool | ssl.SSLContext = True,
        follow_redirects: bool = False,
        httpx_args: dict[str, Any] | None = None,
    ) -> None:
        self.raise_on_unexpected_status = raise_on_unexpected_status
        self._base_url = base_url
        self._cookies = {} if cookies is None else cookies
        self._headers = {} if headers is None else headers
        self._timeout = timeout
        self._verify_ssl = verify_ssl
        self._follow_redirects = follow_redirects
        self._httpx_args = {} if httpx_args is None else httpx_args
        self._client = None
        self._async_client = None
        self.token = token
        self.prefix = prefix
        self.auth_header_name = auth_header_name

    def _arguments(self) -> dict[str, Any]:
        """The constructor's arguments that made this client (for the with_* methods)"""
        return {
            "base_url": self._base_url,
            "token": self.token,
            "prefix": self.prefix,
            "auth_header_name": self.auth_header_name,
            "raise_on_unexpected_status": self.raise_on_unexpected_status,
            "cookies": self._cookies,
            "headers": self._headers,
            "timeout": self._timeout,
            "verify_ssl": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            "httpx_args": self._httpx_args,
        }

    def __repr__(self) -> str:
        arguments = self._arguments()
        del arguments["token"]  # a secret
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"

    def with_headers(self, headers: dict[str, str]) -> Self:
        """Get a new client matching this one with additional headers"""
        if self._client is not None:
            self._client.headers.update(headers)
        if self._async_client is not None:
            self._async_client.headers.update(headers)
        return type(self)(
            **{**self._arguments(), "headers": {**self._headers, **headers}}
        )

    def with_cookies(self, cookies: dict[str, str]) -> Self:
        """Get a new client matching this one with additional cookies"""
        if self._client is not None:
            self._client.cookies.update(cookies)
        if self._async_client is not None:
            self._async_client.cookies.update(cookies)
        return type(self)(
            **{**self._arguments(), "cookies": {**self._cookies, **cookies}}
        )

    def with_timeout(self, timeout: httpx.Timeout) -> Self:
        """Get a new client matching this one with a new timeout configuration"""
        if self._client is not None:
            self._client.timeout = timeout
        if self._async_client is not None:
            self._async_client.timeout = timeout
        return type(self)(**{**self._arguments(), "timeout": timeout})

    def set_httpx_client(self, client: httpx.Client) -> Self:
        """Manually set the underlying httpx.Client

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._client = client
        return self

    def get_httpx_client(self) -> httpx.Client:
        """Get the underlying httpx.Client, constructing a new one if not previously set"""
        if self._client is None:
            self._headers[self.auth_header_name] = (
                f"{self.prefix} {self.token}" if self.prefix else self.token
            )
            self._client = httpx.Client(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._client

    def __enter__(self) -> Self:
        """Enter a context manager for self.client—you cannot enter twice (see httpx docs)"""
        self.get_httpx_client().__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Exit a context manager for internal httpx.Client (see httpx docs)"""
        self.get_httpx_client().__exit__(exc_type, exc_value, traceback)

    def set_async_httpx_client(self, async_client: httpx.AsyncClient) -> Self:
        """Manually set the underlying httpx.AsyncClient

        **NOTE**: This will override any other settings on the client, including cookies, headers, and timeout.
        """
        self._async_client = async_client
        return self

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        """Get the underlying httpx.AsyncClient, constructing a new one if not previously set"""
        if self._async_client is None:
            self._headers[self.auth_header_name] = (
                f"{self.prefix} {self.token}" if self.prefix else self.token
            )
            self._async_client = httpx.AsyncClient(
                base_url=self._base_url,
                cookies=self._cookies,
                headers=self._headers,
                timeout=self._timeout,
                verify=self._verify_ssl,
                follow_redirects=self._follow_redirects,
                **self._httpx_args,
            )
        return self._async_client

    async def __aenter__(self) -> Self:
        """Enter a context manager for underlying httpx.AsyncClient—you cannot enter twice (see httpx docs)"""
        await self.get_async_httpx_client().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Exit a context manager for underlying httpx.AsyncClient (see httpx docs)"""
        await self.get_async_httpx_client().__aexit__(exc_type, exc_value, traceback)
