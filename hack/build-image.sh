#!/usr/bin/env bash
# Build the fraud-server image for one model version.
#
# Usage: hack/build-image.sh MODEL_FILE VERSION
#   MODEL_FILE  an XGBoost JSON (.json) or LightGBM text (.txt) model
#   VERSION     the model version; the image is tagged IMAGE:VERSION
# Env: IMAGE (default fraud-detector), DOCKER (default docker)
#
# Prints the model's sha256: put it in the FraudModel's spec.modelSHA256 so every
# replica refuses readiness if the file it serves is not this one.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 MODEL_FILE VERSION" >&2
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
    *) echo "build-image: $MODEL_FILE must end in .json (XGBoost) or .txt (LightGBM)" >&2; exit 1 ;;
esac
sha256=$(sha256sum "$MODEL_FILE" | awk '{ print $1 }')

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
