#!/usr/bin/env bash
# Set up everything and run every check: lint, types, the whole test suite, and the generated-client
# staleness check. Extra arguments go to pytest (e.g. scripts/test.sh -k events).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
# shellcheck disable=SC1091
. .venv/bin/activate
ruff check .
ruff format --check .
mypy  # --strict over pouch_common, pouch_server, pouch_cli and bench ([tool.mypy] in pyproject.toml)
set +e
pytest "$@"
rc=$?
set -e
if [[ $rc == 5 ]]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
[[ $rc == 0 ]] || exit $rc
scripts/codegen.sh --check
