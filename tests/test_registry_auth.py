"""The registry login flow in process: :class:`RegistryAuth` and :class:`RegistryManager` against
``httpx.MockTransport`` registries and token servers (challenges, token errors, malformed
challenges, redirects, bounded answers, TLS modes, deadlines, secrets). Nothing leaves the process:
the transports answer in memory, and no host name is resolved (no --insecure-registries CIDRs).

tests/test_login.py runs the same flow against real registries on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx
import pytest

from pouch_server.config import DaemonConfig
from pouch_server.errors import APIError
from pouch_server.managers.registry import (
    MAX_BODY,
    MAX_REDIRECTS,
    Credentials,
    Endpoint,
    RegistryAuth,
    RegistryManager,
    parse_challenges,
)
from pouch_server.managers.registry import manager as registry_manager

USER = "alice"
PASSWORD = "s3cret-Pa55-w0rd"
B64 = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
BASIC = f"Basic {B64}"
TOKEN = "tok-7f3a9-access"
REFRESH = "rt-91bc4-refresh"
NEW_REFRESH = "rt-5d2e0-renewed"
SECRETS = (PASSWORD, B64, TOKEN, REFRESH, NEW_REFRESH)

V2 = {"Docker-Distribution-API-Version": "registry/2.0"}
REALM = "https://auth.example/token"
SERVICE = "reg.example"

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


@dataclass
class Sent:
    verify: bool  # the TLS verification mode of the client that sent it
    request: httpx.Request
    auth: str | None  # as sent (the flow sends its first request again, with credentials)

    @property
    def url(self) -> str:
        return str(self.request.url.copy_with(query=None))

    @property
    def params(self) -> dict[str, str]:
        source = self.request.content.decode() if self.request.method == "POST" else self.request.url.query.decode()
        return {k: v[0] for k, v in parse_qs(source).items()}


def ok() -> httpx.Response:
    return httpx.Response(200, headers=V2, json={})


def basic_challenge() -> httpx.Response:
    return httpx.Response(401, headers={**V2, "WWW-Authenticate": 'Basic realm="test"'}, json={"errors": []})


def bearer_challenge(realm: str = REALM, scope: str = "") -> httpx.Response:
    value = f'Bearer realm="{realm}",service="{SERVICE}"' + (f',scope="{scope}"' if scope else "")
    return httpx.Response(401, headers={**V2, "WWW-Authenticate": value}, json={"errors": []})


def basic_registry(request: httpx.Request) -> httpx.Response:
    return ok() if request.headers.get("authorization") == BASIC else basic_challenge()


def token_registry(token_answer: Handler | None = None, realm: str = REALM) -> Handler:
    """A registry that takes ``Bearer TOKEN``, and its token server at ``realm``: TOKEN for USER's
    password (GET, basic auth) or for REFRESH (POST, refresh_token grant), unless ``token_answer``
    says otherwise."""
    realm_url = httpx.URL(realm)

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == realm_url.host and request.url.path == realm_url.path:
            if token_answer is not None:
                answer = token_answer(request)
                return await answer if isinstance(answer, Awaitable) else answer
            if request.method == "GET" and request.headers.get("authorization") == BASIC:
                return httpx.Response(200, json={"token": TOKEN, "refresh_token": REFRESH})
            form = parse_qs(request.content.decode())
            if request.method == "POST" and form.get("refresh_token") == [REFRESH]:
                return httpx.Response(200, json={"access_token": TOKEN, "refresh_token": NEW_REFRESH})
            return httpx.Response(401, json={"details": "incorrect username or password"})
        if request.headers.get("authorization") == f"Bearer {TOKEN}":
            return ok()
        return bearer_challenge(realm)

    return handle


class Net:
    """The network of one test: every request goes to ``handler``; all are recorded."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sent: list[Sent] = []

    def transport(self, verify: bool) -> httpx.AsyncBaseTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.sent.append(Sent(verify, request, request.headers.get("authorization")))
            answer = self.handler(request)
            return await answer if isinstance(answer, Awaitable) else answer

        return httpx.MockTransport(handle)

    def manager(self, default: str = "reg.example", insecure: tuple[str, ...] = ()) -> RegistryManager:
        config = DaemonConfig(default_registry=default, insecure_registries=list(insecure))
        return RegistryManager(config, transport=self.transport)

    def login(self, body: dict[str, str], **kw: tuple[str, ...]) -> str:
        return asyncio.run(self.manager(**kw).login(body))

    def fail(self, body: dict[str, str], **kw: tuple[str, ...]) -> APIError:
        with pytest.raises(APIError) as e:
            self.login(body, **kw)
        for secret in SECRETS:
            assert secret not in e.value.message
        return e.value


CREDS = {"ServerAddress": "reg.example", "Username": USER, "Password": PASSWORD}


def refused(errno_: int = 111, text: str = "Connection refused") -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("All connection attempts failed") from OSError(errno_, text)

    return handle


# ---- challenges --------------------------------------------------------------------------------


def test_no_credentials_needed() -> None:
    net = Net(lambda request: ok())
    assert net.login(CREDS) == ""
    assert net.login({**CREDS, "IdentityToken": REFRESH}) == REFRESH  # what was given comes back
    assert [s.url for s in net.sent] == ["https://reg.example/v2/"] * 2
    assert all(s.auth is None and s.verify for s in net.sent)


def test_basic() -> None:
    net = Net(basic_registry)
    assert net.login(CREDS) == ""
    first, second = net.sent
    assert (first.auth, second.auth) == (None, BASIC)  # the first asks for the challenge
    assert first.request.headers["user-agent"] == "pouchd"
    assert first.request.headers["accept-encoding"] == "identity"

    e = net.fail({**CREDS, "Password": "wrong"})
    assert (e.status, e.message) == (
        401,
        "login attempt to https://reg.example/v2/ failed with status: 401 Unauthorized",
    )
    e = net.fail({"ServerAddress": "reg.example"})
    assert e.status == 401 and e.message.endswith("(no username or password given)")
    assert net.login({"ServerAddress": "reg.example", "Auth": B64}) == ""  # Auth stands in for both


def test_basic_final_answers() -> None:
    answers = {403: (401, "403 Forbidden"), 500: (500, "500 Internal Server Error"), 404: (500, "404 Not Found")}
    for status, (expected, text) in answers.items():

        def handle(request: httpx.Request, status: int = status) -> httpx.Response:
            return httpx.Response(status) if request.headers.get("authorization") else basic_challenge()

        e = Net(handle).fail(CREDS)
        assert (e.status, e.message) == (
            expected,
            f"login attempt to https://reg.example/v2/ failed with status: {text}",
        )


def test_bearer_gets_a_token_and_keeps_the_refresh_token() -> None:
    net = Net(token_registry())
    assert net.login(CREDS) == REFRESH
    ping, token, final = net.sent
    assert (ping.url, ping.auth) == ("https://reg.example/v2/", None)
    assert (token.request.method, token.url, token.auth) == ("GET", REALM, BASIC)
    assert token.params == {"offline_token": "true", "client_id": "pouch", "service": SERVICE}
    assert (final.url, final.auth) == ("https://reg.example/v2/", f"Bearer {TOKEN}")
    assert token.request.headers["user-agent"] == "pouchd"  # the client's headers and timeouts carry over
    assert token.request.extensions["timeout"] == ping.request.extensions["timeout"]


def test_bearer_scope_and_realm_query_are_kept() -> None:
    realm = "https://auth.example/token?account=x"

    def handle(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        if request.url.path == "/v2/" and not request.headers.get("authorization"):
            return bearer_challenge(realm, scope="repository:a/b:pull")
        return token_registry(realm=realm)(request)

    net = Net(handle)
    assert net.login(CREDS) == REFRESH
    assert net.sent[1].params == {
        "account": "x",
        "offline_token": "true",
        "client_id": "pouch",
        "service": SERVICE,
        "scope": "repository:a/b:pull",
    }


def test_bearer_with_an_identity_token_uses_the_refresh_grant() -> None:
    net = Net(token_registry())
    assert net.login({"ServerAddress": "reg.example", "Username": USER, "IdentityToken": REFRESH}) == NEW_REFRESH
    token = net.sent[1]
    assert (token.request.method, token.auth) == ("POST", None)
    assert token.params == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
        "client_id": "pouch",
        "access_type": "offline",
        "service": SERVICE,
    }
    e = net.fail({"ServerAddress": "reg.example", "IdentityToken": "rt-forged"})
    assert e.status == 401 and "refused the identity token: 401 Unauthorized" in e.message


def test_bearer_without_a_refresh_token() -> None:
    net = Net(token_registry(lambda request: httpx.Response(200, json={"token": TOKEN})))
    assert net.login(CREDS) == ""
    assert net.login({**CREDS, "IdentityToken": REFRESH}) == REFRESH  # nothing new: keep what was given


def test_registry_token_is_presented_as_is() -> None:
    net = Net(token_registry())
    assert net.login({"ServerAddress": "reg.example", "RegistryToken": TOKEN}) == ""
    assert [(s.url, s.auth) for s in net.sent] == [
        ("https://reg.example/v2/", None),
        ("https://reg.example/v2/", f"Bearer {TOKEN}"),
    ]
    e = net.fail({"ServerAddress": "reg.example", "RegistryToken": "forged"})
    assert (e.status, e.message) == (
        401,
        "login attempt to https://reg.example/v2/ failed with status: 401 Unauthorized",
    )
    e = net.fail({"ServerAddress": "reg.example", "RegistryToken": "t\u00e9\nx"})
    assert e.status == 400 and "invalid RegistryToken" in e.message


@pytest.mark.parametrize(("status", "expected"), [(400, 401), (401, 401), (403, 401), (500, 500), (404, 500)])
def test_token_server_refuses_or_fails(status: int, expected: int) -> None:
    e = Net(token_registry(lambda request: httpx.Response(status, json={"details": PASSWORD}))).fail(CREDS)
    assert e.status == expected
    text = f"{status} {httpx.codes.get_reason_phrase(status)}"
    if expected == 401:
        assert e.message == (
            "login attempt to https://reg.example/v2/ failed with status: 401 Unauthorized "
            f"(token server {REALM} refused the credentials: {text})"
        )
    else:
        assert e.message == f"token server {REALM} answered {text}"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={}),
        httpx.Response(200, json={"token": ""}),
        httpx.Response(200, json={"token": 5}),
        httpx.Response(200, json=[TOKEN]),
        httpx.Response(200, text="token=" + TOKEN),
        httpx.Response(200, text=""),
        httpx.Response(200, text="[" * 5000 + "]" * 5000),  # deeper than the parser recurses
    ],
)
def test_token_server_gives_no_token(answer: httpx.Response) -> None:
    e = Net(token_registry(lambda request: answer)).fail(CREDS)
    assert (e.status, e.message) == (500, f"token server {REALM} answered without a token")


def test_token_server_gives_a_malformed_token() -> None:
    for bad in ("t\u00e9", "line\nbreak", "tab\there"):
        answer = httpx.Response(200, json={"token": bad})
        e = Net(token_registry(lambda request, answer=answer: answer)).fail(CREDS)
        assert (e.status, e.message) == (500, f"token server {REALM} answered with a malformed token")


@pytest.mark.parametrize(
    ("challenge", "message"),
    [
        ('Bearer service="reg"', "registry https://reg.example names an invalid token realm"),
        ("Bearer", "registry https://reg.example names an invalid token realm"),
        ('Bearer realm="ftp://auth.example/token"', "registry https://reg.example names an invalid token realm"),
        ('Bearer realm="/token"', "registry https://reg.example names an invalid token realm"),
        ('Bearer realm="http://[::1/token"', "registry https://reg.example names an invalid token realm"),
        ('Bearer realm="http://auth.example:99999/token"', "registry https://reg.example names an invalid token realm"),
        ('Bearer realm="http://auth.example:0/token"', "registry https://reg.example names an invalid token realm"),
        ('Bearer realm="http://auth.example:x/token"', "registry https://reg.example names an invalid token realm"),
        ("Negotiate abc==", "registry https://reg.example asks for an unsupported authentication scheme (negotiate)"),
        (
            'Digest realm="r", Mutual x=y',
            "registry https://reg.example asks for an unsupported authentication scheme (digest, mutual)",
        ),
        (",,, =", "registry https://reg.example asks for an unsupported authentication scheme (none)"),
        ("", "registry https://reg.example asks for an unsupported authentication scheme (none)"),
    ],
)
def test_malformed_or_unsupported_challenges(challenge: str, message: str) -> None:
    net = Net(lambda request: httpx.Response(401, headers={**V2, "WWW-Authenticate": challenge}))
    e = net.fail(CREDS)
    assert (e.status, e.message) == (500, message)
    assert len(net.sent) == 1  # nothing was sent anywhere else


def test_bearer_is_preferred_and_the_first_challenge_of_a_scheme_wins() -> None:
    first = f'Basic realm="x", Bearer realm="{REALM}",service="{SERVICE}"'
    challenge = httpx.Response(
        401,
        headers=[
            *V2.items(),
            ("WWW-Authenticate", first),
            ("WWW-Authenticate", 'Bearer realm="https://other.example/t"'),
        ],
    )

    def handle(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        if request.url.host == "reg.example" and not request.headers.get("authorization"):
            return challenge
        return token_registry()(request)

    net = Net(handle)
    assert net.login(CREDS) == REFRESH
    assert net.sent[1].url == REALM


def test_parse_challenges_is_linear_in_the_header() -> None:
    # ~100 KiB, httpcore's limit for a header block: parsed in place, every parameter kept.
    value = "Bearer " + ", ".join(f'k{i}="v\\"{i}"' for i in range(8000))
    [(scheme, params)] = parse_challenges([value])
    assert scheme == "bearer" and len(params) == 8000 and params["k7999"] == 'v"7999'


# ---- endpoints, fallbacks and transport errors -------------------------------------------------


def test_not_a_registry_falls_back_to_the_next_endpoint() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            return httpx.Response(404, html="<h1>not here</h1>")
        return basic_registry(request)

    net = Net(handle)
    assert net.login({**CREDS, "ServerAddress": "127.0.0.1:5000"}) == ""
    assert [s.url for s in net.sent] == [
        "https://127.0.0.1:5000/v2/",
        "http://127.0.0.1:5000/v2/",
        "http://127.0.0.1:5000/v2/",
    ]

    e = Net(lambda request: httpx.Response(200, html="<h1>welcome</h1>")).fail(
        {**CREDS, "ServerAddress": "127.0.0.1:5000"}
    )
    assert (e.status, e.message) == (
        500,
        "cannot reach a registry at 127.0.0.1:5000: "
        "https://127.0.0.1:5000/v2/: answered 200 OK, not a registry's answer; "
        "http://127.0.0.1:5000/v2/: answered 200 OK, not a registry's answer",
    )


def test_unreachable_falls_back_and_each_endpoint_has_its_tls_mode() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            return refused()(request)
        return basic_registry(request)

    net = Net(handle)
    assert net.login({**CREDS, "ServerAddress": "127.0.0.1:5000"}) == ""
    # Loopback is insecure: https without verification first, then plain http.
    assert [(s.url, s.verify) for s in net.sent] == [
        ("https://127.0.0.1:5000/v2/", False),
        ("http://127.0.0.1:5000/v2/", True),
        ("http://127.0.0.1:5000/v2/", True),
    ]

    e = Net(refused()).fail({**CREDS, "ServerAddress": "127.0.0.1:5000"})
    assert (e.status, e.message) == (
        500,
        "cannot reach a registry at 127.0.0.1:5000: "
        "https://127.0.0.1:5000/v2/: connection refused; "
        "http://127.0.0.1:5000/v2/: connection refused",
    )
    net = Net(refused())
    e = net.fail(CREDS)  # a secure registry: https only, verified
    assert e.message == "cannot reach a registry at reg.example: https://reg.example/v2/: connection refused"
    assert [(s.url, s.verify) for s in net.sent] == [("https://reg.example/v2/", True)]


def test_token_server_unreachable() -> None:
    e = Net(token_registry(refused())).fail(CREDS)
    assert (e.status, e.message) == (
        500,
        f"cannot reach the token server {REALM} named by registry https://reg.example: connection refused",
    )


def test_connection_lost_after_the_challenge() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization"):
            raise httpx.ReadError("connection reset") from OSError(104, "Connection reset by peer")
        return basic_challenge()

    e = Net(handle).fail({**CREDS, "ServerAddress": "127.0.0.1:5000"})
    # The registry answered at https: no falling back to http after that.
    assert (e.status, e.message) == (
        500,
        "lost the connection to registry https://127.0.0.1:5000: connection reset by peer",
    )


def test_realm_tls_mode_follows_the_realm_host() -> None:
    # An insecure registry (loopback) whose token server is a secure host: verified for the token only.
    net = Net(token_registry())
    assert net.login({**CREDS, "ServerAddress": "127.0.0.1:5000"}) == REFRESH
    assert [(s.url, s.verify) for s in net.sent] == [
        ("https://127.0.0.1:5000/v2/", False),
        (REALM, True),
        ("https://127.0.0.1:5000/v2/", False),
    ]
    # And the other way round: a secure registry naming a token server on an insecure host.
    realm = "https://127.0.0.1:9000/token"
    net = Net(token_registry(realm=realm))
    assert net.login(CREDS) == REFRESH
    assert [(s.url, s.verify) for s in net.sent] == [
        ("https://reg.example/v2/", True),
        (realm, False),
        ("https://reg.example/v2/", True),
    ]


# ---- redirects ---------------------------------------------------------------------------------


def redirect(location: str, status: int = 307) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


def test_redirects_are_followed_and_authorization_stays_at_its_origin() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.host == "reg.example" and url.path == "/v2/":
            return redirect("/v2/moved") if request.headers.get("authorization") else basic_challenge()
        if url.host == "reg.example" and url.path == "/v2/moved":  # same origin: credentials kept
            return redirect("https://mirror.example/v2/")
        return basic_registry(request)  # another origin: httpx dropped them

    net = Net(handle)
    e = net.fail(CREDS)
    assert (e.status, e.message) == (
        401,
        "login attempt to https://reg.example/v2/ failed with status: 401 Unauthorized",
    )
    assert [(s.url, s.auth) for s in net.sent] == [
        ("https://reg.example/v2/", None),
        ("https://reg.example/v2/", BASIC),
        ("https://reg.example/v2/moved", BASIC),
        ("https://mirror.example/v2/", None),
    ]


def test_token_request_redirect_keeps_basic_auth_only_at_its_origin() -> None:
    def handle(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        if request.url.host == "sso.example":  # another origin: httpx dropped the basic auth
            return httpx.Response(200 if request.headers.get("authorization") is None else 400, json={"token": TOKEN})
        return token_registry(lambda request: redirect("https://sso.example/token?x=1", 302))(request)

    net = Net(handle)
    assert net.login(CREDS) == ""
    assert [(s.url, s.auth) for s in net.sent][1:3] == [(REALM, BASIC), ("https://sso.example/token", None)]
    assert net.sent[2].params == {"x": "1"}


@pytest.mark.parametrize("hops", [MAX_REDIRECTS, MAX_REDIRECTS + 1])
def test_redirect_limit_is_per_request(hops: int) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("n", "0"))
        if n < hops:
            return redirect(f"/v2/?n={n + 1}")
        return basic_registry(request)

    net = Net(handle)
    if hops == MAX_REDIRECTS:
        # The ping and the login each follow their five redirects: the budget is not shared.
        assert net.login(CREDS) == ""
        assert len(net.sent) == 2 * (MAX_REDIRECTS + 1)
    else:
        e = net.fail(CREDS)
        assert (e.status, e.message) == (500, "https://reg.example/v2/: too many redirects")
        assert len(net.sent) == MAX_REDIRECTS + 1


# ---- answers are bounded -----------------------------------------------------------------------


class Endless(httpx.AsyncByteStream):
    """A body without a Content-Length that never ends; counts the chunks it was asked for."""

    def __init__(self) -> None:
        self.chunks = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.chunks += 1
            yield b"x" * 65536

    async def aclose(self) -> None:
        pass


def test_an_endless_answer_is_cut_off_at_the_limit() -> None:
    body = Endless()
    e = Net(lambda request: httpx.Response(200, headers=V2, stream=body)).fail(CREDS)
    assert (e.status, e.message) == (
        500,
        f"https://reg.example/v2/ answered with more than {MAX_BODY} bytes: not a registry",
    )
    assert body.chunks <= MAX_BODY // 65536 + 1  # read up to the limit, not beyond


def test_an_endless_redirect_or_token_answer_is_cut_off_too() -> None:
    body = Endless()
    net = Net(lambda request: httpx.Response(302, headers={"Location": "/v2/x"}, stream=body))
    e = net.fail(CREDS)
    assert e.message == f"https://reg.example/v2/ answered with more than {MAX_BODY} bytes: not a registry"
    assert body.chunks <= MAX_BODY // 65536 + 1

    body = Endless()
    e = Net(token_registry(lambda request: httpx.Response(200, stream=body))).fail(CREDS)
    assert e.message == f"{REALM} answered with more than {MAX_BODY} bytes: not a registry"
    assert body.chunks <= MAX_BODY // 65536 + 1


def test_a_declared_length_over_the_limit_is_refused_unread() -> None:
    answer = httpx.Response(200, headers={"Content-Length": str(MAX_BODY + 1)}, stream=Endless())
    e = Net(token_registry(lambda request: answer)).fail(CREDS)
    assert e.message == f"{REALM} answered with more than {MAX_BODY} bytes: not a registry"
    answer = httpx.Response(200, headers={"Content-Length": "9" * 5000}, stream=Endless())
    e = Net(token_registry(lambda request: answer)).fail(CREDS)
    assert e.message == f"{REALM} answered with more than {MAX_BODY} bytes: not a registry"


class Body(httpx.AsyncByteStream):
    """A body httpx has not read yet (content=... would be read, and decoded, at once)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data


def test_a_compressed_answer_is_refused() -> None:
    # pouchd asks for identity: inflating a body it did not ask for could take any amount of memory.
    answer = httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Body(b"\x1f\x8b"))
    e = Net(token_registry(lambda request: answer)).fail(CREDS)
    assert e.message == (f"{REALM} answered in content encoding 'gzip', which pouchd did not ask for: not a registry")


# ---- time limits -------------------------------------------------------------------------------


def slow(handler: Handler, seconds: float) -> Handler:
    async def handle(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(seconds)
        answer = handler(request)
        return await answer if isinstance(answer, Awaitable) else answer

    return handle


def test_each_request_has_its_own_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_manager, "REQUEST_TIMEOUT", 0.5)
    # Three requests of 0.2 s: together over the limit, each well under it.
    assert Net(slow(token_registry(), 0.2)).login(CREDS) == REFRESH
    # A registry that does not answer in time: the next endpoint is tried.
    net = Net(
        lambda request: slow(basic_registry, 30)(request) if request.url.scheme == "https" else basic_registry(request)
    )
    assert net.login({**CREDS, "ServerAddress": "127.0.0.1:5000"}) == ""
    e = Net(slow(basic_registry, 30)).fail(CREDS)
    assert e.message == "cannot reach a registry at reg.example: https://reg.example/v2/: timed out"
    e = Net(token_registry(slow(lambda request: httpx.Response(200, json={"token": TOKEN}), 30))).fail(CREDS)
    assert e.message == f"cannot reach the token server {REALM} named by registry https://reg.example: timed out"


def test_the_whole_login_has_a_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_manager, "LOGIN_TIMEOUT", 0.5)
    e = Net(slow(basic_registry, 30)).fail(CREDS)
    assert e.status == 500 and e.message.startswith("login to reg.example timed out after")


# ---- secrets -----------------------------------------------------------------------------------


def test_secrets_are_never_in_messages_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pouchd.registry")

    # A registry cannot know the password before it is sent, but a hostile one may have learnt it
    # and put it in any string a message is built from: here the token realm it names.
    realm = f"https://auth.example/{PASSWORD}/{B64}"
    e = Net(token_registry(lambda request: httpx.Response(500), realm=realm)).fail(CREDS)
    assert e.message == "token server https://auth.example/*****/***** answered 500 Internal Server Error"

    def leaky_error(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed with {PASSWORD} and {TOKEN}")

    e = Net(leaky_error).fail({**CREDS, "RegistryToken": TOKEN, "ServerAddress": "127.0.0.1:5000"})
    assert "*****" in e.message

    def reset_with_the_token(request: httpx.Request) -> httpx.Response | Awaitable[httpx.Response]:
        if request.headers.get("authorization") == f"Bearer {TOKEN}":  # the token the token server gave
            raise httpx.ReadError(f"reset while sending Bearer {TOKEN}")
        return token_registry()(request)

    e = Net(reset_with_the_token).fail(CREDS)
    assert e.message == "lost the connection to registry https://reg.example: reset while sending Bearer *****"

    assert Net(token_registry()).login({"ServerAddress": "reg.example", "IdentityToken": REFRESH}) == NEW_REFRESH
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "bearer token from" in logged and "no registry at" in logged
    for secret in SECRETS:
        assert secret not in logged


# ---- the flow on its own, and the TLS settings -------------------------------------------------


def test_the_flow_on_a_plain_client() -> None:
    """RegistryAuth is an httpx.Auth: any client can run it (here a sync one); ``on_step`` marks
    each of its requests, not their redirects."""
    steps: list[str] = []
    creds = Credentials.from_auth_config({"Username": USER, "Password": PASSWORD})
    auth = RegistryAuth(creds, Endpoint("https", "reg.example"), on_step=lambda: steps.append(auth.stage))

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example" and request.url.path == "/token":
            return redirect("/token2")
        if request.url.path == "/token2":
            return httpx.Response(200, json={"token": TOKEN})
        return ok() if request.headers.get("authorization") == f"Bearer {TOKEN}" else bearer_challenge()

    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        response = client.send(client.build_request("GET", "https://reg.example/v2/"), auth=auth)
    assert response.status_code == 200 and auth.identity_token == ""
    assert steps == ["ping", "token", "final"]
    assert TOKEN in creds.secrets  # so that scrub() masks it from now on


def test_ssl_contexts_are_built_once_per_mode_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[tuple[bool, int]] = []
    real = httpx.create_ssl_context

    def counting(verify: bool) -> ssl.SSLContext:
        builds.append((verify, threading.get_ident()))
        return real(verify)

    defaults = []
    real_default = ssl.create_default_context
    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: defaults.append(1) or real_default(*a, **k))
    manager = RegistryManager(DaemonConfig())

    async def go() -> None:
        loop_thread = threading.get_ident()
        a, b, c = await asyncio.gather(
            manager._ssl_context(True), manager._ssl_context(True), manager._ssl_context(False)
        )
        assert a is b and a is not c and a.verify_mode == ssl.CERT_REQUIRED and c.verify_mode == ssl.CERT_NONE
        assert sorted(v for v, _ in builds) == [False, True]
        assert all(thread != loop_thread for _, thread in builds)
        # Clients, however many, reuse them: no CA bundle is loaded again.
        before = len(defaults)
        for verify in (True, True, False):
            async with await manager._client(verify):
                pass
        assert len(builds) == 2 and len(defaults) == before

    asyncio.run(go())


def test_a_failed_ssl_setup_is_reported_and_not_kept(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    manager = RegistryManager(DaemonConfig())
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(APIError) as e:
        asyncio.run(manager._ssl_context(True))
    assert e.value.status == 500 and e.value.message.startswith("cannot set up TLS to check registry certificates")
    monkeypatch.delenv("SSL_CERT_FILE")
    assert asyncio.run(manager._ssl_context(True)).verify_mode == ssl.CERT_REQUIRED
