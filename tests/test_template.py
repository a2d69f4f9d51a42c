"""``--format``: the Go-template subset, unit-tested, and end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from helpers import PouchD, run_pouch

from pouch_cli.template import TemplateError, compile_template, render_format

OBJ = {
    "ServerVersion": "1.0.0",
    "NCPU": 4,
    "Labels": ["a=b", "c"],
    "Debug": False,
    "RegistryConfig": {"Mirrors": ["https://m/"], "IndexConfigs": {}},
    "Name": "Host",
    "Empty": None,
}


@pytest.mark.parametrize(
    ("tmpl", "want"),
    [
        ("{{.ServerVersion}}", "1.0.0"),
        ("v={{.ServerVersion}} cpus={{.NCPU}}", "v=1.0.0 cpus=4"),
        ("{{.Labels}}", "[a=b c]"),
        ("{{.Debug}}", "false"),
        ("{{.RegistryConfig.Mirrors}}", "[https://m/]"),
        ("{{json .Labels}}", '["a=b","c"]'),
        ("{{json .RegistryConfig}}", '{"Mirrors":["https://m/"],"IndexConfigs":{}}'),
        ("{{upper .Name}} {{lower .Name}}", "HOST host"),
        ('{{join .Labels ","}}', "a=b,c"),
        ("{{.Empty}}", "<nil>"),
        ("a  {{- .NCPU -}}  b", "a4b"),
        ("no actions", "no actions"),
        ("{{ .NCPU }}", "4"),
    ],
)
def test_templates(tmpl: str, want: str) -> None:
    assert compile_template(tmpl)(OBJ) == want


def test_whole_object() -> None:
    assert json.loads(compile_template("{{json .}}")(OBJ)) == OBJ
    assert json.loads(render_format("json", OBJ)) == OBJ


def test_aliases_and_optional_fields() -> None:
    assert compile_template("{{.APIVersion}}", aliases={"APIVersion": "ApiVersion"})({"ApiVersion": "1.24"}) == "1.24"
    assert compile_template("{{.RuncCommit}}", optional=frozenset({"RuncCommit"}))({}) == "<nil>"
    assert compile_template("{{.RuncCommit.ID}}", optional=frozenset({"RuncCommit"}))({}) == "<nil>"


@pytest.mark.parametrize(
    ("tmpl", "needle"),
    [
        ("{{.Nope}}", 'unknown field "Nope"'),
        ("{{.RegistryConfig.Nope}}", 'unknown field "Nope"'),
        ("{{.NCPU", "unclosed action"),
        ("{{}}", "empty action"),
        ("{{bogus .NCPU}}", 'function "bogus" not defined'),
        ("{{json}}", "missing argument"),
        ("{{NCPU}}", 'function "NCPU" not defined'),
        ("{{.NCPU .Name}}", "malformed action"),
        ('{{join .Name ","}}', "join of a non-list"),
        ("{{.a..b}}", "bad field reference"),
    ],
)
def test_errors_name_the_problem(tmpl: str, needle: str) -> None:
    with pytest.raises(TemplateError, match=needle.replace("(", r"\(")):
        compile_template(tmpl)(OBJ)


def test_cli_format(pouchd: PouchD) -> None:
    r = run_pouch("version", "--format", "{{.Version}} {{.APIVersion}}", host=pouchd.host)
    assert r.returncode == 0 and r.stdout == "1.0.0 1.24\n"
    r = run_pouch("info", "-f", "{{.NCPU}}|{{json .Labels}}", host=pouchd.host)
    info = pouchd.client().get("/info").json()
    assert r.stdout == f"{info['NCPU']}|{json.dumps(info['Labels'], separators=(',', ':'))}\n"
    r = run_pouch("info", "--format", "json", host=pouchd.host)
    assert json.loads(r.stdout)["ID"] == info["ID"]


@pytest.mark.parametrize("fmt", ["{{.Nope}}", "{{.Version", "{{bad .X}}"])
def test_cli_bad_format_is_an_error(pouchd: PouchD, fmt: str) -> None:
    r = run_pouch("version", "--format", fmt, host=pouchd.host)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("Error: template: ") and r.stderr.count("\n") == 1
