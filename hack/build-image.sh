#!/usr/bin/env bash
# Build the fraud-server image for one model version, and/or its entry in a kube-emulator
# image catalog (what `kube-emulator --run-pods --image-catalog FILE` runs for that image).
#
# Usage: hack/build-image.sh [--catalog FILE] [--no-docker] MODEL_FILE VERSION
#   MODEL_FILE    an XGBoost JSON (.json), LightGBM text (.txt) or ONNX tree-ensemble (.onnx) model
#   VERSION       the model version; the image is tagged IMAGE:VERSION
#   --catalog F   write (or replace) IMAGE:VERSION's entry in catalog F: the fraud-server binary
#                 at /usr/local/bin as ENTRYPOINT, the Dockerfile's ENV, the model file at /models/
#                 (the image's layout, so a volume the pod mounts cannot hide them)
#   --no-docker   skip `docker build` (machines without a Docker engine)
# Env: IMAGE (default fraud-detector), DOCKER (default docker), FRAUD_SERVER (the binary for
#      the catalog; default: the release build, then the debug build)
#
# Prints the model's sha256: put it in the FraudModel's spec.modelSHA256 so every
# replica refuses readiness if the file it serves is not this one.
set -euo pipefail

CATALOG=""
USE_DOCKER=1
while [[ $# -gt 0 && $1 == --* ]]; do
    case $1 in
        --catalog) CATALOG=${2:?--catalog needs a file}; shift 2 ;;
        --no-docker) USE_DOCKER=0; shift ;;
        *) echo "build-image: unknown option $1" >&2; exit 2 ;;
    esac
done
if [[ $# -ne 2 ]]; then
    echo "usage: $0 [--catalog FILE] [--no-docker] MODEL_FILE VERSION" >&2
    exit 2
fi
MODEL_FILE=$1
VERSION=$2
IMAGE=${IMAGE:-fraud-detector}
DOCKER=${DOCKER:-docker}

cd "$(dirname "$0")/.."
[[ -f "$MODEL_FILE" ]] || { echo "build-image: no model file at $MODEL_FILE" >&2; exit 1; }
[[ "$VERSION" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "build-image: '$VERSION' is not a valid image tag" >&2; exit 1; }

case "$MODEL_FILE" in
    *.json) basename=model.json ;;
    *.txt) basename=model.txt ;;
    *.onnx) basename=model.onnx ;;
    *) echo "build-image: $MODEL_FILE must end in .json (XGBoost), .txt (LightGBM) or .onnx (hack/convert-sklearn.py)" >&2; exit 1 ;;
esac
sha256=$(sha256sum "$MODEL_FILE" | awk '{ print $1 }')

if [[ -n "$CATALOG" ]]; then
    server=${FRAUD_SERVER:-}
    if [[ -z "$server" ]]; then
        for configuration in release debug; do
            candidate="$(swift build -c "$configuration" --show-bin-path 2>/dev/null)/fraud-server"
            if [[ -x "$candidate" ]]; then server=$candidate; break; fi
        done
    fi
    [[ -x "$server" ]] || { echo "build-image: no fraud-server binary (swift build -c release --product fraud-server, or set FRAUD_SERVER)" >&2; exit 1; }
    model_path=$(cd "$(dirname "$MODEL_FILE")" && pwd)/$(basename "$MODEL_FILE")
    server=$(cd "$(dirname "$server")" && pwd)/$(basename "$server")
    entry=$(cat <<ENTRY
- image: $IMAGE:$VERSION
  # modelSHA256: $sha256
  command: [/usr/local/bin/fraud-server]
  env: {MODEL_PATH: /models/$basename, PORT: "8080", LOG_FORMAT: json}
  workingDir: /
  files:
    /usr/local/bin/fraud-server: $server
    /models/$basename: $model_path
ENTRY
)
    existing=""
    if [[ -f "$CATALOG" ]]; then
        # Keep every other entry; an entry runs from its `- image:` line to the next one.
        existing=$(awk -v image="- image: $IMAGE:$VERSION" '
            /^- image: / { skip = ($0 == image) }
            /^images:/ { next }
            !skip { print }' "$CATALOG")
    fi
    { echo "images:"; [[ -n "$existing" ]] && printf '%s\n' "$existing"; printf '%s\n' "$entry"; } >"$CATALOG.tmp"
    mv "$CATALOG.tmp" "$CATALOG"
    echo "build-image: catalog entry $IMAGE:$VERSION written to $CATALOG"
fi
if [[ $USE_DOCKER -eq 0 ]]; then
    echo "modelSHA256: $sha256"
    exit 0
fi

# The model must sit inside the build context; stage it under .build-image/.
stage=.build-image
mkdir -p "$stage"
cp "$MODEL_FILE" "$stage/$basename"
trap 'rm -rf "$stage"' EXIT

echo "build-image: $IMAGE:$VERSION with $MODEL_FILE (sha256 $sha256)"
"$DOCKER" build \
    --build-arg MODEL_FILE="$stage/$basename" \
    --build-arg MODEL_BASENAME="$basename" \
    --build-arg MODEL_SHA256="$sha256" \
    --tag "$IMAGE:$VERSION" \
    .
echo "build-image: built $IMAGE:$VERSION"
echo "modelSHA256: $sha256"
