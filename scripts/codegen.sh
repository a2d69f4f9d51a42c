#!/usr/bin/env bash
# Regenerate the clients in generated/ from api/swagger.yaml with pinned generators:
#   generated/pouch_client  Python: openapi-python-client (pinned in pyproject.toml)
#   generated/typescript    TypeScript: @hey-api/openapi-ts, fetch client (pinned in package.json)
#   scripts/codegen.sh          validate the spec, regenerate both
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
# scripts/codegen_templates overrides some of the generator's templates (each says why).
openapi-python-client generate --path api/swagger.yaml --config openapi-python-client.yaml \
  --custom-template-path scripts/codegen_templates \
  --meta none --output-path "$tmp/pouch_client" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
if grep -qi "warning" "$tmp/log"; then
  cat "$tmp/log" >&2
  echo "error: the generator warned; fix api/swagger.yaml" >&2
  exit 1
fi
find "$tmp" -name .ruff_cache -prune -exec rm -rf {} +
find "$tmp" -name __pycache__ -prune -exec rm -rf {} +
touch "$tmp/pouch_client/py.typed"

# --- TypeScript client (generated/typescript) --------------------------------------------------
# Its own step, after the Python client's generation; both are compared (or copied) below.
want_ts=$(node -p 'require("./package.json").devDependencies["@hey-api/openapi-ts"]' 2>/dev/null || true)
have_ts=$(node -p 'require("./node_modules/@hey-api/openapi-ts/package.json").version' 2>/dev/null || true)
if [[ -z "$want_ts" || "$have_ts" != "$want_ts" ]]; then
  echo "error: @hey-api/openapi-ts ${want_ts:-(see package.json)} is required (found '${have_ts:-none}');" \
       "run: npm ci (scripts/setup.sh --dev does)" >&2
  exit 1
fi
# The input path starts with ./ (a bare relative path is read as a Hey API registry name).
node_modules/.bin/openapi-ts --input ./api/swagger.yaml --output "$tmp/typescript" \
  --client @hey-api/client-fetch --no-log-file >"$tmp/ts.log" 2>&1 || { cat "$tmp/ts.log" >&2; exit 1; }
if sed -e "s#$tmp##g" "$tmp/ts.log" | grep -qiE "warn|error"; then
  cat "$tmp/ts.log" >&2
  echo "error: the TypeScript generator warned; fix api/swagger.yaml" >&2
  exit 1
fi

if [[ $check == 1 ]]; then
  stale=0
  for client in pouch_client typescript; do
    if ! diff -rq --exclude=__pycache__ "$tmp/$client" "generated/$client" >"$tmp/diff" 2>&1; then
      echo "generated/$client is stale against api/swagger.yaml; run scripts/codegen.sh. Differences:" >&2
      sed -e "s#$tmp/##g" "$tmp/diff" >&2
      stale=1
    fi
  done
  [[ $stale == 0 ]] && echo "generated/ is up to date"
  exit $stale
fi

mkdir -p generated
for client in pouch_client typescript; do
  rm -rf "generated/$client"
  cp -r "$tmp/$client" "generated/$client"
  echo "regenerated generated/$client"
done
