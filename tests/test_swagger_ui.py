"""Swagger UI in a real headless browser: it renders offline from the installed swagger_ui_bundle
assets, lists the system operations, names a real server in its "Servers" box, and "Try it out" →
"Execute" reaches the daemon, both at ``/ui/`` and under the version prefix (``/v1.24/ui/``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from playwright.sync_api import Browser, Locator, Page, Request, Route, expect, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(f"playwright cannot be imported: {exc}", allow_module_level=True)

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} does not exist", allow_module_level=True)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
SCREENSHOT = Path("/tmp/swagger.png")
PREFIXES = ["", "/v1.24"]
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS)
        try:
            yield b
        finally:
            b.close()


class UIPage:
    """A fresh page that may only talk to the daemon: any other request is aborted and recorded,
    so a page that renders proves the UI works offline."""

    def __init__(self, browser: Browser, origin: str) -> None:
        self.origin = origin
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}"))
        self.responses: dict[str, int] = {}
        self.page.on("response", lambda r: self.responses.__setitem__(r.url, r.status))

    def _route(self, route: Route, request: Request) -> None:
        if request.url == self.origin or request.url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.foreign.append(request.url)
            route.abort()

    def open(self, prefix: str) -> Page:
        self.page.goto(f"{self.origin}{prefix}/ui/", wait_until="load")
        # Rendered means the spec was fetched and parsed: the operations are in the DOM.
        expect(self.page.locator(".opblock").first).to_be_visible(timeout=TIMEOUT_MS)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def ui(browser: Browser, pouchd) -> Iterator[UIPage]:
    u = UIPage(browser, pouchd.url)
    yield u
    u.close()


@pytest.fixture(scope="module")
def version(pouchd) -> dict:
    with pouchd.client() as c:
        r = c.get("/version")
    assert r.status_code == 200
    return r.json()


def operation(page: Page, op_id: str) -> Locator:
    return page.locator(f"#operations-system-{op_id}")


@pytest.mark.parametrize("prefix", PREFIXES, ids=["root", "v1.24"])
def test_operations_render_offline(ui: UIPage, prefix: str) -> None:
    page = ui.open(prefix)
    expect(page.locator(".info .title")).to_contain_text("Pouch Engine API")
    for op_id, path in [("SystemPing", "/_ping"), ("SystemVersion", "/version"), ("SystemInfo", "/info")]:
        op = operation(page, op_id)
        expect(op).to_be_visible()
        expect(op.locator(".opblock-summary-method")).to_have_text("GET")
        expect(op.locator(".opblock-summary-path")).to_have_text(path)
        expect(op.locator(".opblock-summary-operation-id")).to_have_text(op_id)
    # The UI fetched the spec under the same prefix, and it was served with that prefix as its server.
    spec_url = f"{ui.origin}{prefix}/openapi.json"
    assert ui.responses.get(spec_url) == 200, ui.responses
    servers = page.evaluate(f"fetch({json.dumps(spec_url)}).then(r => r.json()).then(s => s.servers)")
    assert servers == [{"url": prefix or "/"}]
    # The "Servers" box names that server: the daemon's root or the prefix, never an empty entry.
    options = page.locator(".servers select option")
    expect(options).to_have_count(1)
    assert options.first.inner_text().strip() == (prefix or "/")
    # Every asset came from the daemon, none failed, nothing reached for the network.
    assert ui.foreign == []
    assert ui.errors == []
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert ui.responses.get(f"{ui.origin}{prefix}/ui/{asset}") == 200, (asset, ui.responses)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["root", "v1.24"])
def test_try_it_out_get_version(ui: UIPage, prefix: str, version: dict) -> None:
    page = ui.open(prefix)
    op = operation(page, "SystemVersion")
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    execute = op.locator("button.execute")
    expect(execute).to_be_visible()
    url = f"{ui.origin}{prefix}/version"
    with page.expect_response(url, timeout=TIMEOUT_MS) as resp:
        execute.click()
    assert resp.value.status == 200

    live = op.locator(".live-responses-table")
    expect(live.locator("tbody tr.response .response-col_status")).to_have_text("200")
    expect(op.locator(".request-url pre")).to_have_text(url)
    body = live.locator("tbody tr.response .response-col_description .highlight-code pre").first
    expect(body).to_contain_text(f'"Version": "{version["Version"]}"')
    shown = json.loads(body.inner_text())
    assert shown["Version"] == version["Version"]
    assert shown["ApiVersion"] == version["ApiVersion"]
    expect(live).to_contain_text(f"server: pouchd/{version['Version']}")
    assert ui.foreign == []
    assert ui.errors == []
    if not prefix:
        page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_assets_are_the_installed_bundle(pouchd) -> None:
    """The JS and CSS the UI loads are byte for byte the swagger_ui_bundle package's files."""
    import swagger_ui_bundle

    vendor = Path(swagger_ui_bundle.swagger_ui_path)
    with pouchd.client() as c:
        for prefix in PREFIXES:
            for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
                r = c.get(f"{prefix}/ui/{asset}")
                assert r.status_code == 200, (prefix, asset)
                assert hashlib.sha256(r.content).digest() == hashlib.sha256((vendor / asset).read_bytes()).digest()
