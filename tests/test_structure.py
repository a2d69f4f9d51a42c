"""Structural guards: the packages' boundaries, and start-up paying only for what it uses (no timings here)."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, PouchD


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code + "\nimport sys, json; print(json.dumps(sorted(k for k, v in sys.modules.items() if v is not None)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout))


NEVER_IN_THE_CLI = {
    "connexion",
    "uvicorn",
    "starlette",
    "prometheus_client",
    "yaml",
    "rich",
    "httpx._main",
    "pouch_server",
    "click",
}
OTHER_COMMANDS = {
    "pouch_cli.login",
    "pouch_cli.logout",
    "pouch_cli.credentials",
    "pouch_cli.events",
    "pouch_cli.updatedaemon",
    "pouch_cli.completion",
    "pouch_cli.info",
    "pouch_cli.version",
}


def test_importing_the_cli_loads_no_command() -> None:
    loaded = modules_after("import pouch_cli.main")
    assert not loaded & (NEVER_IN_THE_CLI | OTHER_COMMANDS)
    assert "pouch_client" not in loaded and "httpx" not in loaded  # not even the client, until a command runs


@pytest.mark.parametrize(
    ("command", "own"),
    [
        ("version", "pouch_cli.version"),
        ("info", "pouch_cli.info"),
        ("events", "pouch_cli.events"),
        ("login", "pouch_cli.login"),
        ("updatedaemon", "pouch_cli.updatedaemon"),
    ],
)
def test_a_command_loads_only_itself(command: str, own: str) -> None:
    loaded = modules_after(f"import pouch_cli.main as m\nm.skip_httpx_cli()\nm.load_command({command!r})")
    assert own in loaded
    assert not loaded & NEVER_IN_THE_CLI
    allowed = {own, "pouch_cli.credentials"} if command == "login" else {own}  # login stores credentials
    assert not loaded & (OTHER_COMMANDS - allowed)


def test_version_without_format_does_not_load_the_template_engine() -> None:
    loaded = modules_after("import pouch_cli.main as m\nm.skip_httpx_cli()\nm.load_command('version')")
    assert "pouch_cli.template" not in loaded


# What `pouch version` really loads, run to the end against a daemon.

# TLS and the transport machinery that pouch's own transport (pouch_cli/transport.py) replaces for
# unix sockets and plain TCP; and the models of other operations.
NOT_FOR_A_PLAIN_VERSION = {
    "certifi",
    "httpcore",
    "h11",
    "anyio",
    "idna",
    "click",
    "pouch_server",
    "pouch_client.models.system_info",
    "pouch_client.models.auth_config",
    "dateutil",
}

ONLY_BEYOND_HTTPX = {"pouch_cli", "pouch_client", "pouch_common", "argparse", "gettext", "dataclasses"}

_FLOOR = "import sys; sys.modules['httpx._main'] = None; import httpx"


def _top(modules: set[str]) -> set[str]:
    return modules | {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_pouch_version_loads_no_tls_transport_no_click_no_server(pouchd: PouchD, transport: str) -> None:
    host = pouchd.host if transport == "unix" else f"tcp://127.0.0.1:{pouchd.port}"
    loaded = modules_after(
        "import contextlib, io\nfrom pouch_cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main(['-H', {host!r}, 'version'])"
    )
    assert {"pouch_cli.version", "pouch_client.models.system_version"} <= loaded  # it did run
    floor = modules_after(_FLOOR)
    assert not (_top(loaded) - floor) & NOT_FOR_A_PLAIN_VERSION
    assert "httpcore" not in loaded and "certifi" not in loaded  # no TLS transport, no CA bundle
    # Beyond bare httpx: pouch's own packages, argparse (with its gettext) and dataclasses (the
    # generated client's models) only; no attrs, platform, dateutil or typing_extensions. Over TCP
    # also the idna codec, which the standard library's getaddrinfo loads for a str host (~0.5 ms).
    allowed = ONLY_BEYOND_HTTPX | ({"encodings", "stringprep"} if transport == "tcp" else set())
    assert {m.split(".")[0] for m in loaded - floor} <= allowed


def _imports(path: Path) -> set[str]:
    """Top-level names of the modules ``path`` imports (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(("package", "forbidden"), [("pouch_cli", "pouch_server"), ("pouch_server", "pouch_cli")])
def test_the_cli_and_the_daemon_never_import_each_other(package: str, forbidden: str) -> None:
    offenders = [str(p.relative_to(ROOT)) for p in sorted((ROOT / package).rglob("*.py")) if forbidden in _imports(p)]
    assert not offenders, f"{forbidden} imported by {offenders}: shared code belongs in pouch_common/"


def test_pouch_common_is_standard_library_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"pouch_common", "__future__"}
    for path in sorted((ROOT / "pouch_common").rglob("*.py")):
        assert _imports(path) <= allowed, f"{path.name} imports {_imports(path) - allowed}"


# The daemon's start-up (pouch_common/speedups.py, pouch_server/app.py, pouch_server/daemon.py).


def test_the_daemon_does_not_load_what_it_never_uses(tmp_path) -> None:
    home = tmp_path / "home"
    loaded = modules_after(
        "from pouch_server.start import prepare; prepare()\n"
        "from pouch_server import daemon\nfrom pouch_server.config import load_config\n"
        f"cfg = load_config(['--home-dir', {str(home)!r}, '-l', 'unix://{home}/s.sock', '--config-file', ''])\n"
        "d = daemon.Daemon(cfg, [])\napp = daemon.create_app(d.operations())\n"
        "listeners = daemon.bind_all(cfg.listen)\n"
        "for config, _ in daemon._server_configs(app, cfg, listeners): config.load()\n"
    )
    # connexion's `import requests` is deferred (remote $refs only); httpx's CLI and a WebSocket
    # library (the API has no WebSocket endpoint) are not loaded, up to uvicorn's configuration.
    assert not loaded & {"urllib3", "charset_normalizer", "httpx._main", "websockets", "wsproto"}
    assert "connexion" in loaded


# The `pouchd` command, with a probe that reports each collection the garbage collector begins;
# otherwise the console script's own code (pouch_server/start.py via pyproject.toml).
_GC_PROBE = """
import gc, sys
from importlib.metadata import entry_points
gc.callbacks.append(lambda phase, info: phase == "start" and print(
    f"probe: collection of generation {info['generation']}", file=sys.stderr, flush=True))
(entry,) = entry_points(group="console_scripts", name="pouchd")
sys.argv[0] = "pouchd"
print("probe: pouchd starts", file=sys.stderr, flush=True)
entry.load()()
"""


class _ProbedPouchD(PouchD):
    def argv(self) -> list[str]:
        return [sys.executable, "-c", _GC_PROBE, *super().argv()[1:]]


def test_pouchd_starts_with_the_collector_off_and_serves_with_it_on(tmp_path: Path) -> None:
    with _ProbedPouchD(tmp_path).start() as d, d.client() as c:
        # Each update keeps an event in the history: enough new objects for young collections.
        for i in range(300):
            assert c.post("/v1.24/daemon/update", json={"Labels": [f"gc={i}"]}).status_code == 200
    before, listening, after = d.logs().partition("probe: pouchd starts")[2].partition("pouchd listening on")
    assert listening, d.logs()
    assert "probe: collection" not in before  # none while start-up built what lives on
    assert "probe: collection of generation 0" in after  # and the collector works once serving


def test_a_deferred_module_still_loads_when_used() -> None:
    code = (
        "from pouch_server.start import prepare; prepare()\nimport pouch_server.app\n"
        "import connexion.json_schema as js, sys\nassert 'urllib3' not in sys.modules\n"
        "assert js.requests.get is not None"
    )
    loaded = modules_after(code)
    assert {"requests", "urllib3"} <= loaded


def test_the_spec_is_the_one_connexion_would_load() -> None:
    import yaml

    from pouch_server.app import SPEC_PATH, load_spec

    assert load_spec() == yaml.safe_load(SPEC_PATH.read_text())


# The generated client (scripts/codegen_templates/models_init.py.jinja).


def test_the_models_package_loads_each_model_on_first_use() -> None:
    loaded = modules_after("import pouch_client.models")
    assert not {name for name in loaded if name.startswith("pouch_client.models.")}
    loaded = modules_after("from pouch_client.models import Error")
    assert {name for name in loaded if name.startswith("pouch_client.models.")} == {"pouch_client.models.error"}
    import pouch_client.models as models

    for name in models.__all__:  # every name the package offers resolves to its module's object
        module = importlib.import_module(f"pouch_client.models.{models._MODULES[name]}")
        assert getattr(models, name) is getattr(module, name)
    assert set(models.__all__) <= set(dir(models))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        models.Nope  # noqa: B018


def test_the_generated_client_imports_nothing_but_httpx_and_the_standard_library() -> None:
    """It is installed with pouch: a module it imports must be a dependency. No attrs (its classes
    are dataclasses: scripts/codegen_templates); a date-time field in the spec would make it import
    dateutil, which pyproject.toml would then have to list again."""
    import tomllib

    imported = set().union(*(_imports(p) for p in (ROOT / "generated" / "pouch_client").rglob("*.py")))
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == {"httpx"}
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("httpx==") for d in dependencies)
    assert not [d for d in dependencies if d.startswith(("attrs", "python-dateutil"))]  # nothing else uses them


def _upstream_template(name: str) -> str:
    from importlib.resources import files

    return (files("openapi_python_client") / "templates" / name).read_text()


@pytest.mark.parametrize("name", ["model.py.jinja", "types.py.jinja"])
def test_patched_templates_are_upstream_but_for_attrs(name: str) -> None:
    """These two are copies of upstream's with attrs' decorator and field swapped for dataclasses'
    and nothing else: a generator upgrade that changes upstream's fails here, instead of being
    silently left out of pouch_client."""
    import difflib

    ours = (ROOT / "scripts" / "codegen_templates" / name).read_text()
    assert ours.startswith("{#")
    ours = ours[ours.index("#}\n") + 3 :]  # without the comment that explains the override
    changed = [
        line
        for line in difflib.unified_diff(_upstream_template(name).splitlines(), ours.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    removed = [line for line in changed if line.startswith("-")]
    added = [line for line in changed if line.startswith("+")]
    assert removed and all("attrs" in line or "define" in line for line in removed), changed
    assert len(added) == len(removed) and all("dataclass" in line or "_field(" in line for line in added), changed
    assert "attrs" not in ours


def test_custom_templates_override_templates_the_generator_has() -> None:
    """A template the pinned generator no longer has would be silently ignored: say which."""
    from importlib.resources import files

    ours = ROOT / "scripts" / "codegen_templates"
    upstream = files("openapi_python_client") / "templates"
    names = [p.name for p in ours.glob("*.jinja")]
    assert names, ours
    for name in names:
        assert (upstream / name).is_file(), f"openapi-python-client has no template {name}: revisit {ours / name}"


def test_importing_pouchs_packages_changes_nothing_in_the_interpreter() -> None:
    """Start-up tricks run only from the ``pouch`` and ``pouchd`` entry points: imported as
    libraries, the packages leave the import system, the warning filters and the standard
    library's modules as they found them."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sys, warnings\n"
                "finders, filters = list(sys.meta_path), list(warnings.filters)\n"
                "blocked = {k for k, v in sys.modules.items() if v is None}\n"
                "import pouch_cli, pouch_cli.main, pouch_common.speedups, pouch_server.app, pouch_server.daemon\n"
                "import pouch_server.start\n"
                "assert [f for f in sys.meta_path if f not in finders and 'pouch' in type(f).__module__] == []\n"
                "assert {k for k, v in sys.modules.items() if v is None} == blocked\n"
                "assert not [k for k, v in sys.modules.items() if type(v).__module__.startswith('pouch')]\n"
                "added = [f for f in warnings.filters if f not in filters]\n"
                "assert not [f for f in added if 'httpx' in str(f[1])], added\n"
                "import http.client, urllib.request\n"
                "assert hasattr(http.client, 'HTTPSConnection') and hasattr(urllib.request, 'HTTPSHandler')\n"
                "print('ok')"
            ),
        ],
        capture_output=True,
        text=True,
    )
    assert out.stdout == "ok\n", out.stderr
