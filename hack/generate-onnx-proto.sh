#!/usr/bin/env bash
# Regenerates Sources/FraudServing/ONNX/Generated/onnx-ml.pb.swift from onnx-ml.proto.
#
# The proto comes from the onnx package pinned in hack/requirements-onnx.txt (it ships
# onnx/onnx-ml.proto); protoc is Debian's protobuf-compiler; protoc-gen-swift is built from
# swift-protobuf at the version Package.swift pins, so the generated code matches the
# runtime library it compiles against. The output is committed: `swift build` never runs
# the plugin. Generated types are internal to FraudServing.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

OUT_DIR="Sources/FraudServing/ONNX/Generated"
OUT="$OUT_DIR/onnx-ml.pb.swift"
SCRATCH="${TANDEM_PROTO_SCRATCH:-/tmp/tandem-protoc-gen-swift}"
LOG="/tmp/tandem-generate-onnx-proto.log"

if ! command -v protoc >/dev/null; then
  step "apt-get install protobuf-compiler"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq protobuf-compiler >/dev/null
fi

# The swift-protobuf version Package.swift pins (`from: "X.Y.Z"`).
version=$(sed -n 's|.*apple/swift-protobuf.git", from: "\([0-9.]*\)".*|\1|p' Package.swift)
[[ -n "$version" ]] || die "Package.swift does not pin apple/swift-protobuf"

plugin="$SCRATCH/$version/.build/release/protoc-gen-swift"
if [[ ! -x "$plugin" ]]; then
  step "building protoc-gen-swift $version in $SCRATCH/$version (log: $LOG)"
  rm -rf "${SCRATCH:?}/$version"
  mkdir -p "$SCRATCH"
  # git resolves github.com through the local mirror where one is configured (url.insteadOf).
  git clone -q --depth 1 --branch "$version" https://github.com/apple/swift-protobuf.git "$SCRATCH/$version" >"$LOG" 2>&1 \
    || die "cannot clone swift-protobuf $version; see $LOG"
  swift build -c release --product protoc-gen-swift --package-path "$SCRATCH/$version" >>"$LOG" 2>&1 \
    || die "protoc-gen-swift build failed; see $LOG"
fi

[[ -x .venv/bin/python ]] || die ".venv is missing: run hack/install-deps.sh"
proto_dir=$(.venv/bin/python -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')
onnx_version=$(.venv/bin/python -c 'import onnx; print(onnx.__version__)')
[[ -f "$proto_dir/onnx-ml.proto" ]] || die "onnx $onnx_version does not ship onnx-ml.proto in $proto_dir"

step "generating $OUT from onnx $onnx_version's onnx-ml.proto"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# onnx-ml.proto declares `package onnx;`, imported as onnx/onnx-ml.proto.
mkdir -p "$tmp/in/onnx"
cp "$proto_dir/onnx-ml.proto" "$tmp/in/onnx/onnx-ml.proto"
protoc --plugin=protoc-gen-swift="$plugin" -I "$tmp/in" \
  --swift_opt=Visibility=Internal --swift_out="$tmp" "$tmp/in/onnx/onnx-ml.proto"
mkdir -p "$OUT_DIR"
{
  echo "// GENERATED FILE - DO NOT EDIT. Written by hack/generate-onnx-proto.sh from onnx $onnx_version's"
  echo "// onnx/onnx-ml.proto with protoc-gen-swift $version (Visibility=Internal); run it again to update."
  echo
  cat "$tmp/onnx/onnx-ml.pb.swift"
} >"$OUT"
step "wrote $OUT"
