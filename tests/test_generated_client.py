"""The generated client's own API (scripts/codegen_templates: dataclasses and plain classes, not
attrs), as pouch and a user of ``pouch_client`` call it: models, Response, Client and
AuthenticatedClient. The commands' tests drive it end to end; these pin the behaviour that the
templates promise to keep from upstream's attrs classes."""

from __future__ import annotations

import asyncio
import dataclasses
import http.server
import inspect
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pouch_client import AuthenticatedClient, Client
from pouch_client.api.system import system_info, system_version
from pouch_client.models import AuthConfig, DaemonUpdateConfig, Error, SystemInfo, SystemVersion
from pouch_client.types import UNSET, File, Response
from pouch_testing.httpserver import LoopbackHTTPServer


def test_a_model_keeps_attrs_behaviour() -> None:
    v = SystemVersion(version="1.0.0", api_version="1.24")
    assert v.os is UNSET and v.additional_properties == {}
    assert v == SystemVersion(version="1.0.0", api_version="1.24") != SystemVersion(version="2")
    assert repr(v).startswith("SystemVersion(version='1.0.0', api_version='1.24', ")
    with pytest.raises(AttributeError):
        v.no_such_field = 1  # type: ignore[attr-defined]  # slotted, as attrs' classes were
    with pytest.raises(TypeError):
        hash(v)  # mutable and compared by value: unhashable, as attrs' eq=True made it
    # Each model gets its own dict of additional properties.
    assert SystemVersion().additional_properties is not SystemVersion().additional_properties
    assert "additional_properties" not in inspect.signature(SystemVersion).parameters


def test_from_dict_and_to_dict_round_trip_unknown_keys_too() -> None:
    wire = {"Version": "1.0.0", "ApiVersion": "1.24", "Os": "linux", "Extra": {"a": [1, 2]}}
    v = SystemVersion.from_dict(wire)
    assert (v.version, v.api_version, v.os, v.arch) == ("1.0.0", "1.24", "linux", UNSET)
    assert v.additional_keys == ["Extra"] and v["Extra"] == {"a": [1, 2]} and "Extra" in v
    v["More"] = 1
    del v["Extra"]
    assert v.to_dict() == {"Version": "1.0.0", "ApiVersion": "1.24", "Os": "linux", "More": 1}
    assert Error.from_dict({"message": "no"}).to_dict() == {"message": "no"}
    # Bodies that pouch sends: unset fields are left out, set ones keep their wire names.
    assert DaemonUpdateConfig(labels=["a=b"]).to_dict() == {"Labels": ["a=b"]}
    assert AuthConfig(username="u", password="p").to_dict() == {"Username": "u", "Password": "p"}


def test_response_and_file_are_dataclasses() -> None:
    r = Response(status_code=200, content=b"{}", headers={}, parsed=None)  # type: ignore[arg-type]
    assert dataclasses.fields(r) and r.parsed is None
    f = File(payload=None, file_name="x")  # type: ignore[arg-type]
    assert f.to_tuple() == ("x", None, None)


def test_client_constructor_is_attrs_one() -> None:
    """base_url by position or keyword, the rest by keyword only (attrs' kw_only fields)."""
    params = inspect.signature(Client).parameters
    assert [p for p in params if params[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD] == ["base_url"]
    assert {p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY} == {
        "raise_on_unexpected_status",
        "cookies",
        "headers",
        "timeout",
        "verify_ssl",
        "follow_redirects",
        "httpx_args",
    }
    params = inspect.signature(AuthenticatedClient).parameters
    assert [p for p in params if params[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD] == [
        "base_url",
        "token",
        "prefix",
        "auth_header_name",
    ]
    with pytest.raises(TypeError):
        Client("http://d", True)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        Client("http://d").no_such_attribute = 1  # type: ignore[attr-defined]
    a, b = Client("http://d"), Client("http://d")
    assert a._headers is not b._headers and a._cookies is not b._cookies  # a dict each
    assert "token" not in repr(AuthenticatedClient("http://d", "s3cret")) and "s3cret" not in repr(
        AuthenticatedClient("http://d", "s3cret")
    )


class _Echo(http.server.BaseHTTPRequestHandler):
    """Answers every GET with its path and headers, as JSON."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # the standard library's name for it
        body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    """A real HTTP server on loopback that shows what the client sent."""
    with LoopbackHTTPServer(_Echo, name="echo") as server:
        yield server.url


def _sent(client: Client | AuthenticatedClient, path: str = "/x") -> dict[str, Any]:
    return json.loads(client.get_httpx_client().get(path).content)


def test_with_methods_make_a_new_client_and_update_the_built_one(echo: str) -> None:
    base = Client(
        echo + "/v1.24",
        headers={"A": "1"},
        cookies={"c": "1"},
        raise_on_unexpected_status=True,
        httpx_args={"trust_env": False},
    )
    built = base.get_httpx_client()
    assert base.get_httpx_client() is built and not built.trust_env  # built once, with httpx_args
    more = base.with_headers({"B": "2"})
    assert more is not base and type(more) is Client and more.raise_on_unexpected_status
    assert built.headers["B"] == "2"  # as upstream: the built httpx client is updated in place
    sent = _sent(more)
    assert more.get_httpx_client() is not built  # the new client builds its own
    assert sent["path"] == "/v1.24/x" and sent["headers"]["a"] == "1" and sent["headers"]["b"] == "2"
    assert sent["headers"]["cookie"] == "c=1"
    assert base._headers == {"A": "1"}  # the original's own arguments are unchanged
    assert "d=2" in _sent(more.with_cookies({"d": "2"}))["headers"]["cookie"]
    slow = more.with_timeout(httpx.Timeout(3.0, read=None))
    assert slow.get_httpx_client().timeout == httpx.Timeout(3.0, read=None)
    assert _sent(slow)["headers"]["b"] == "2"


def test_authenticated_client_sends_its_token(echo: str) -> None:
    c = AuthenticatedClient(echo, "tok", httpx_args={"trust_env": False})
    assert _sent(c)["headers"]["authorization"] == "Bearer tok"
    raw = AuthenticatedClient(
        echo, "tok", prefix="", auth_header_name="X-Token", httpx_args={"trust_env": False}
    ).with_headers({"B": "2"})
    assert isinstance(raw, AuthenticatedClient)
    sent = _sent(raw)["headers"]
    assert sent["x-token"] == "tok" and sent["b"] == "2" and "authorization" not in sent


def test_the_context_manager_closes_the_httpx_client(echo: str) -> None:
    with Client(echo, httpx_args={"trust_env": False}) as c:
        inner = c.get_httpx_client()
        assert _sent(c)["path"] == "/x"
    assert inner.is_closed


async def _async_version(host: str) -> object:
    transport = httpx.AsyncHTTPTransport(uds=host.removeprefix("unix://"))
    async with Client("http://d/v1.24", httpx_args={"transport": transport}) as c:
        return await system_version.asyncio(client=c)


def test_against_pouchd_sync_and_async(pouchd) -> None:
    """Real answers: SystemInfo (nested models, additional properties) survives a round trip."""
    transport = httpx.HTTPTransport(uds=str(pouchd.sock))
    with Client("http://d/v1.24", raise_on_unexpected_status=True, httpx_args={"transport": transport}) as c:
        detailed = system_info.sync_detailed(client=c)
    assert detailed.status_code == 200 and isinstance(detailed.parsed, SystemInfo)
    info = detailed.parsed
    assert info.to_dict() == json.loads(detailed.content)
    assert SystemInfo.from_dict(info.to_dict()) == info
    version = asyncio.run(_async_version(pouchd.host))
    assert isinstance(version, SystemVersion) and version.api_version == "1.24"
