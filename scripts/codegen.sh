#!/usr/bin/env bash
# Regenerate generated/pouch_client from api/swagger.yaml with the pinned openapi-python-client.
#   scripts/codegen.sh          validate the spec, regenerate generated/pouch_client
#   scripts/codegen.sh --check  exit 1, naming the files, when generated/ is stale
# Nobody edits generated/ by hand: change the spec and run this.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

want=$(sed -n 's/.*"openapi-python-client==\([^"]*\)".*/\1/p' pyproject.toml)
have=$(python -c 'import importlib.metadata as m; print(m.version("openapi-python-client"))' 2>/dev/null || true)
if [[ "$have" != "$want" ]]; then
  echo "error: openapi-python-client $want is required (found '${have:-none}'); run: pip install -e '.[dev]'" >&2
  exit 1
fi

python -m openapi_spec_validator api/swagger.yaml >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openapi-python-client generate --path api/swagger.yaml --config openapi-python-client.yaml \
  --meta none --output-path "$tmp/pouch_client" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
if grep -qi "warning" "$tmp/log"; then
  cat "$tmp/log" >&2
  echo "error: the generator warned; fix api/swagger.yaml" >&2
  exit 1
fi
python scripts/lazy_models.py "$tmp/pouch_client"
ruff format --isolated --quiet --no-cache "$tmp/pouch_client/models/__init__.py"
find "$tmp" -name .ruff_cache -prune -exec rm -rf {} +
find "$tmp" -name __pycache__ -prune -exec rm -rf {} +
touch "$tmp/pouch_client/py.typed"

if [[ $check == 1 ]]; then
  if ! diff -rq --exclude=__pycache__ "$tmp/pouch_client" generated/pouch_client >"$tmp/diff" 2>&1; then
    echo "generated/ is stale against api/swagger.yaml; run scripts/codegen.sh. Differences:" >&2
    sed -e "s#$tmp/##g" "$tmp/diff" >&2
    exit 1
  fi
  echo "generated/ is up to date"
  exit 0
fi

rm -rf generated/pouch_client
mkdir -p generated
cp -r "$tmp/pouch_client" generated/pouch_client
echo "regenerated generated/pouch_client"
