"""Redocly CLI's recommended rules on api/swagger.yaml (config: redocly.yaml): no error, no warning."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, missing_node_tools, node_tool
from helpers import spec as api_spec

pytestmark = pytest.mark.skipif(missing_node_tools("redocly") is not None, reason=missing_node_tools("redocly") or "")


def lint(*paths: str) -> dict[str, Any]:
    r = subprocess.run(
        [node_tool("redocly"), "lint", "--config", str(ROOT / "redocly.yaml"), "--format=json", *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    try:
        return json.loads(r.stdout)
    except ValueError:
        raise AssertionError(f"redocly lint gave no JSON report (exit {r.returncode}):\n{r.stdout}{r.stderr}") from None


def test_spec_is_clean_under_the_recommended_rules() -> None:
    config = yaml.safe_load((ROOT / "redocly.yaml").read_text())
    assert "recommended" in config["extends"]
    assert config["apis"]["pouch@v1.24"]["root"] == "api/swagger.yaml"
    report = lint()  # every API in redocly.yaml
    problems = [
        f"{p['severity']} {p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}" for p in report["problems"]
    ]
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, "\n".join(problems)


def test_the_linter_catches_what_it_was_brought_in_for(tmp_path: Path) -> None:
    """The same config on the spec as it was before: no security statement, no license URL, no 4XX
    answer on the input-free operations. Those are reported, so the clean run above means something."""
    spec = api_spec()  # a copy of its own, changed below
    del spec["security"]
    del spec["info"]["license"]["url"]
    for item in spec["paths"].values():
        for op in item.values():
            if "parameters" not in op and "requestBody" not in op:
                op["responses"] = {k: v for k, v in op["responses"].items() if not k.startswith("4")}
    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(spec, sort_keys=False))
    report = lint(str(old))
    rules = sorted({p["ruleId"] for p in report["problems"]})
    assert rules == ["info-license-strict", "operation-4xx-response", "security-defined"]
    operations = sum(len(item) for item in spec["paths"].values())
    assert report["totals"]["errors"] == operations  # security-defined, once per operation
    assert report["totals"]["warnings"] == 6  # 5 operations without a 4XX answer, the license
