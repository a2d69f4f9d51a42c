"""The TypeScript client generated into generated/typescript (@hey-api/openapi-ts, fetch client):
compiled with ``tsc --strict`` together with its Node test, which then runs against a live pouchd
over TCP (tests/typescript/pouch_client.test.ts)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, PouchD, missing_node_tools, node_tool

pytestmark = pytest.mark.skipif(missing_node_tools("tsc") is not None, reason=missing_node_tools("tsc") or "")

TS_DIR = ROOT / "tests" / "typescript"
LABEL = "zone=ts-test"


def compile_client(out: Path) -> Path:
    """Compile the generated client and the test with the project's tsconfig (strict), into ``out``."""
    r = subprocess.run(
        [node_tool("tsc"), "-p", str(TS_DIR), "--strict", "--outDir", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return out / "tests" / "typescript" / "pouch_client.test.js"


def test_generated_client_compiles_strict_and_works_against_pouchd(tmp_path: Path, pouchd_factory) -> None:
    test_js = compile_client(tmp_path / "build")
    assert (tmp_path / "build" / "generated" / "typescript" / "sdk.gen.js").exists()
    d: PouchD = pouchd_factory("--label", LABEL)
    env = {**os.environ, "POUCHD_URL": d.url, "POUCHD_LABEL": LABEL}
    r = subprocess.run(
        ["node", "--test", "--test-reporter=tap", str(test_js)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    passed = re.search(r"^# pass (\d+)$", r.stdout, re.M)
    assert passed and int(passed.group(1)) == 6, r.stdout
    assert re.search(r"^# fail 0$", r.stdout, re.M), r.stdout
    # The update the TypeScript client sent reached the daemon (seen through the unix socket).
    with d.client() as c:
        info = c.get("/info").json()
    assert info["Labels"] == [LABEL, "client=typescript"]
    assert info["HttpProxy"] == "http://proxy.example.com:3128"


def test_a_type_error_fails_the_strict_compile(tmp_path: Path) -> None:
    """The compile step really checks types: the test misusing a generated type does not build."""
    bad = tmp_path / "ts"
    bad.mkdir()
    (bad / "tsconfig.json").write_text(
        json.dumps(
            {
                "extends": str(TS_DIR / "tsconfig.json"),
                "compilerOptions": {"rootDir": "/", "typeRoots": [str(ROOT / "node_modules" / "@types")]},
                "include": ["*.ts"],
            }
        )
    )
    (bad / "misuse.test.ts").write_text(
        f"import {{ systemVersion }} from '{ROOT}/generated/typescript';\n"
        "export async function f(): Promise<number> {\n"
        "  const { data } = await systemVersion();\n"
        "  return data.ApiVersion;  // possibly undefined, and a string, not a number\n"
        "}\n"
    )
    r = subprocess.run(
        [node_tool("tsc"), "-p", str(bad), "--strict", "--noEmit"], capture_output=True, text=True, timeout=180
    )
    assert r.returncode != 0
    assert "misuse.test.ts" in r.stdout
    assert "TS18048" in r.stdout or "TS2322" in r.stdout, r.stdout
