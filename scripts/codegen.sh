#!/usr/bin/env bash
# Regenerate the code in generated/ with pinned generators:
#   generated/pouch_client    Python: openapi-python-client (pinned in pyproject.toml), from api/swagger.yaml
#   generated/typescript      TypeScript: @hey-api/openapi-ts, fetch client (pinned in package.json),
#                             from api/swagger.yaml
#   generated/containerd_api  Python: containerd's gRPC API, by grpcio-tools and mypy-protobuf (pinned in
#                             pyproject.toml) from the .proto files of the Debian packages pinned below
#   scripts/codegen.sh [TARGET...]          regenerate every target, or those named
#   scripts/codegen.sh --check [TARGET...]  exit 1, naming the files, when generated/ is stale
# Nobody edits generated/ by hand: change the spec (or a pin) and run this. CODEGEN_OUTPUT=DIR
# compares with (or writes to) DIR instead of generated/.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(pouch_client typescript containerd_api)
check=0
targets=()
for arg in "$@"; do
  case $arg in
    --check) check=1 ;;
    pouch_client | typescript | containerd_api) targets+=("$arg") ;;
    *) echo "usage: $0 [--check] [pouch_client|typescript|containerd_api]..." >&2; exit 2 ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
wanted() { [[ " ${targets[*]} " == *" $1 "* ]]; }
out=${CODEGEN_OUTPUT:-generated}

# A Python tool at the version pyproject.toml pins it to.
require_pinned() {
  local want have
  want=$(sed -n "s/.*\"$1==\([^\"]*\)\".*/\1/p" pyproject.toml)
  have=$(python -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' "$1" 2>/dev/null || true)
  if [[ -z "$want" || "$have" != "$want" ]]; then
    echo "error: $1 ${want:-(see pyproject.toml)} is required (found '${have:-none}'); run: pip install -e '.[dev]'" >&2
    exit 1
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if wanted pouch_client || wanted typescript; then
  python -m openapi_spec_validator api/swagger.yaml >/dev/null
fi

# --- Python client (generated/pouch_client) ----------------------------------------------------
if wanted pouch_client; then
  require_pinned openapi-python-client
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
fi

# --- TypeScript client (generated/typescript) --------------------------------------------------
if wanted typescript; then
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
fi

# --- containerd's gRPC API (generated/containerd_api) ------------------------------------------
# The .proto files come from these Debian packages, at these versions: the API of Debian 12's
# containerd (the one pouchd runs), and the gogoproto/gogo.proto it imports. They are downloaded
# (apt-get download: no root needed) and only their .proto files unpacked, into build/; never
# installed, since the -dev package depends on 106 packages of Go sources (377 MiB).
proto_debs=(
  golang-github-containerd-containerd-dev=1.6.20~ds1-1+deb12u3
  golang-github-gogo-protobuf-dev=1.3.2-3
)
proto_dir=build/containerd-protos
fetch_protos() {
  if [[ -f $proto_dir/.debs && $(cat "$proto_dir/.debs") == "${proto_debs[*]}" ]]; then
    return
  fi
  rm -rf "$proto_dir"
  mkdir -p "$tmp/debs" "$proto_dir"
  chmod a+rwx "$tmp/debs" # apt downloads as its own unprivileged user when run as root
  local spec deb
  download() { (cd "$tmp/debs" && apt-get download -q "$1") >"$tmp/apt.log" 2>&1; }
  for spec in "${proto_debs[@]}"; do
    # As root, package lists that predate the pin are updated once and the download tried again.
    if ! download "$spec" &&
      ! { [[ $(id -u) == 0 ]] && apt-get update -qq >"$tmp/apt.log" 2>&1 && download "$spec"; }; then
      cat "$tmp/apt.log" >&2
      echo "error: could not download Debian's ${spec%%=*} ${spec#*=}. Run apt-get update (as root)" \
           "and try again. If Debian's archive no longer has that version (apt-cache policy ${spec%%=*}" \
           "shows which it has), set the new one in proto_debs in scripts/codegen.sh, run" \
           "scripts/codegen.sh, and review the changes to generated/containerd_api." >&2
      exit 1
    fi
    deb=$(echo "$tmp/debs/${spec%%=*}_"*.deb)
    if [[ $(dpkg-deb -f "$deb" Version) != "${spec#*=}" ]]; then
      echo "error: $deb is not version ${spec#*=} of ${spec%%=*}" >&2
      exit 1
    fi
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$proto_dir" --wildcards '*.proto'
  done
  echo "${proto_debs[*]}" >"$proto_dir/.debs"
}

if wanted containerd_api; then
  require_pinned grpcio-tools
  require_pinned mypy-protobuf
  mypy_grpc=$(command -v protoc-gen-mypy_grpc || true)
  [[ -n $mypy_grpc ]] || { echo "error: protoc-gen-mypy_grpc (mypy-protobuf) is not on PATH" >&2; exit 1; }
  fetch_protos
  src=$proto_dir/usr/share/gocode/src
  c=github.com/containerd/containerd
  # What pouchd uses now or next: images, content, leases, snapshots and diff for the image API,
  # containers, tasks and events for containers, runc's options; their types; fieldpath.proto
  # and gogo.proto because the others import them. (Not introspection: it imports
  # google/rpc/status.proto, which would clash with googleapis-common-protos' copy.)
  protos=(
    $c/api/types/{descriptor,mount,platform,metrics}.proto $c/api/types/task/task.proto
    $c/protobuf/plugin/fieldpath.proto
    $c/api/services/{version/v1/version,namespaces/v1/namespace,images/v1/images,content/v1/content}.proto
    $c/api/services/{leases/v1/leases,snapshots/v1/snapshots,diff/v1/diff}.proto
    $c/api/services/{containers/v1/containers,tasks/v1/tasks,events/v1/events}.proto
    $c/api/events/{container,content,image,namespace,snapshot,task}.proto
    $c/runtime/linux/runctypes/runc.proto $c/runtime/v2/runc/options/oci.proto
    gogoproto/gogo.proto
  )
  api=$tmp/containerd_api
  mkdir -p "$api"
  # Messages (_pb2.py, typed by protoc's _pb2.pyi) and the services' stubs (_pb2_grpc.py, typed
  # for grpc.aio, the only way pouchd calls them, by mypy-protobuf's _pb2_grpc.pyi).
  python -m grpc_tools.protoc -I "$src" -I "$src/github.com/gogo/protobuf" \
    --python_out="$api" --pyi_out="$api" --grpc_python_out="$api" \
    --plugin=protoc-gen-mypy_grpc="$mypy_grpc" --mypy_grpc_out="$api" --mypy_grpc_opt=quiet,only_async \
    "${protos[@]}" >"$tmp/protoc.log" 2>&1 || { cat "$tmp/protoc.log" >&2; exit 1; }
  # Protos that import gogo.proto without using one of its options get this warning, harmless
  # (the options only steer Go's generator); any other line fails the run.
  if grep -vE '^[^ ]+\.proto:[0-9]+:[0-9]+: warning: Import gogoproto/gogo\.proto is unused\.$' \
      "$tmp/protoc.log" | grep -q .; then
    cat "$tmp/protoc.log" >&2
    echo "error: protoc warned (see above)" >&2
    exit 1
  fi
  # Python modules follow the protos' paths (github/com/containerd/...), importing each other as
  # top-level github.com... and gogoproto: hung under one package, containerd_api, instead (the
  # imports, and the module name each _pb2 gives its classes).
  find "$api" -type d -exec touch {}/__init__.py \;
  find "$api" \( -name '*.py' -o -name '*.pyi' \) -exec sed -i -E \
    -e 's/^from (github\.com|gogoproto)([. ])/from containerd_api.\1\2/' \
    -e 's/^import (github\.com|gogoproto)\./import containerd_api.\1./' \
    -e "s/^(_builder\.[A-Za-z]+\(DESCRIPTOR, ')(github\.com|gogoproto)\./\1containerd_api.\2./" {} +
  # The _grpc modules of protos without a service hold nothing.
  grep -L 'Stub' $(find "$api" -name '*_pb2_grpc.py') | while read -r empty; do rm -f "$empty" "${empty}i"; done
fi

if [[ $check == 1 ]]; then
  stale=0
  for target in "${targets[@]}"; do
    if ! diff -rq --exclude=__pycache__ "$tmp/$target" "$out/$target" >"$tmp/diff" 2>&1; then
      echo "$out/$target is stale; run scripts/codegen.sh. Differences:" >&2
      sed -e "s#$tmp/##g" "$tmp/diff" >&2
      stale=1
    fi
  done
  [[ $stale == 0 ]] && echo "$out/ is up to date (${targets[*]})"
  exit $stale
fi

mkdir -p "$out"
for target in "${targets[@]}"; do
  rm -rf "${out:?}/$target"
  cp -r "$tmp/$target" "$out/$target"
  echo "regenerated $out/$target"
done
