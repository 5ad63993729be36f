#!/usr/bin/env bash
# Push an already built fraud-server image to Amazon ECR and Google Artifact Registry,
# as the seed does: one tag per model version in each cloud's registry; with
# OPERATOR_VERSION set, also build tandem-operator from Dockerfile.operator and push it to both.
#
# Usage: hack/release.sh VERSION
#        hack/release.sh model VERSION MODEL_FILE
#   The second form publishes a model file instead (spec.model.storageUri): uploads it to
#   MODEL_S3_URI and MODEL_GCS_URI (templates with {version}; either may be empty), reads each
#   object back, compares sha256 with the local file, and prints the FraudModel fields to set.
#   MODEL_GCS_CLUSTER names the member cluster that reads GCS (default gke); MODEL_IMAGE_TAG the
#   server image's tag (spec.image.tag, required with a storageUri), printed with the fields.
# Env (with the seed's example values as defaults):
#   IMAGE        local image name (default fraud-detector); IMAGE:VERSION must exist
#   AWS_ACCOUNT  (default 123456789012)   AWS_REGION  (default us-east-1)
#   GCP_REGION   (default us-central1)    GCP_PROJECT (default my-gcp-project)
#   GCP_REPO     (default my-repo)
#   OPERATOR_IMAGE (default tandem-operator)  OPERATOR_VERSION (unset: no operator image)
#   DRY_RUN=1    print the commands instead of running them
set -euo pipefail

if [[ ${1:-} == model ]]; then
    if [[ $# -ne 3 ]]; then
        echo "usage: $0 model VERSION MODEL_FILE" >&2
        exit 2
    fi
    repo=$(cd "$(dirname "$0")/.." && pwd)
    python=${PYTHON:-$repo/.venv/bin/python}
    # (Defaults through variables: a literal "{version}" would end the ${…-default} early.)
    default_s3='s3://fraud-models/fraud-detector/{version}/model.json'
    default_gcs='gs://fraud-models/fraud-detector/{version}/model.json'
    exec "$python" "$repo/hack/publish_model.py" "$2" "$3" \
        --s3 "${MODEL_S3_URI-$default_s3}" \
        --gcs "${MODEL_GCS_URI-$default_gcs}" \
        --gcs-cluster "${MODEL_GCS_CLUSTER:-gke}" --image-tag "${MODEL_IMAGE_TAG:-}"
fi

if [[ $# -ne 1 ]]; then
    echo "usage: $0 VERSION" >&2
    exit 2
fi
VERSION=$1
IMAGE=${IMAGE:-fraud-detector}
AWS_ACCOUNT=${AWS_ACCOUNT:-123456789012}
AWS_REGION=${AWS_REGION:-us-east-1}
GCP_REGION=${GCP_REGION:-us-central1}
GCP_PROJECT=${GCP_PROJECT:-my-gcp-project}
GCP_REPO=${GCP_REPO:-my-repo}

ecr_registry="$AWS_ACCOUNT.dkr.ecr.$AWS_REGION.amazonaws.com"
gar_registry="$GCP_REGION-docker.pkg.dev"
OPERATOR_IMAGE=${OPERATOR_IMAGE:-tandem-operator}

run() {
    if [[ "${DRY_RUN:-0}" == 1 ]]; then
        printf 'release: would run:'
        printf ' %q' "$@"
        printf '\n'
    else
        "$@"
    fi
}

if [[ "${DRY_RUN:-0}" != 1 ]]; then
    docker image inspect "$IMAGE:$VERSION" >/dev/null 2>&1 || {
        echo "release: no local image $IMAGE:$VERSION; run hack/build-image.sh MODEL_FILE $VERSION first" >&2
        exit 1
    }
fi

echo "release: logging in to Amazon ECR ($ecr_registry) and Google Artifact Registry ($gar_registry)"
if [[ "${DRY_RUN:-0}" == 1 ]]; then
    echo "release: would run: aws ecr get-login-password --region $AWS_REGION | docker login --username AWS --password-stdin $ecr_registry"
else
    aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$ecr_registry"
fi
run gcloud auth configure-docker "$gar_registry" --quiet

# push_everywhere NAME TAG: tags the local NAME:TAG for both registries and pushes it.
push_everywhere() {
    local name=$1 tag=$2
    local ecr_image="$ecr_registry/$name:$tag"
    local gar_image="$gar_registry/$GCP_PROJECT/$GCP_REPO/$name:$tag"
    echo "release: $name:$tag -> $ecr_image, $gar_image"
    run docker tag "$name:$tag" "$ecr_image"
    run docker push "$ecr_image"
    run docker tag "$name:$tag" "$gar_image"
    run docker push "$gar_image"
}

push_everywhere "$IMAGE" "$VERSION"
if [[ -n "${OPERATOR_VERSION:-}" ]]; then
    run docker build -f "$(dirname "$0")/../Dockerfile.operator" -t "$OPERATOR_IMAGE:$OPERATOR_VERSION" "$(dirname "$0")/.."
    push_everywhere "$OPERATOR_IMAGE" "$OPERATOR_VERSION"
fi
echo "release: pushed $VERSION to both registries"
