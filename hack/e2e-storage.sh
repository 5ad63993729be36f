#!/usr/bin/env bash
# End-to-end: models from S3 and GCS (spec.model.storageUri), served by real fraud-server pods
# in two emulated clouds, each cloud from its own bucket (issue 17).
#
#   - eks and gke are kube-emulators with --run-pods; moto's S3 listens on eks's host address
#     of the pod network and gcp-storage-emulator on gke's, so each cloud's pods reach only
#     their own cloud's store (nothing leaves this machine);
#   - hack/release.sh model publishes each version's file to both buckets (boto3 and
#     google-cloud-storage), reads it back and compares sha256;
#   - one image (fraud-detector:server) for every version: only the storageUri changes;
#   - 1.0.0 (XGBoost) -> 2.0.0 (LightGBM), eks first; predictions match each file's own library;
#   - 3.0.0 whose object does not match its checksum: never ready, both clouds roll back to
#     2.0.0's URI;
#   - each cloud's pods run as a ServiceAccount the operator made, with the cloud's identity annotation.
#
# Usage: hack/e2e-storage.sh     (root: pods are real processes in namespaces)
# Env:   E2E_STORAGE_LOGS  where logs go (default .build/test-logs/e2e-storage)
set -euo pipefail
export LC_ALL=C
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fleet.sh"
cd "$REPO_ROOT"

[[ $(id -u) -eq 0 ]] || die "e2e-storage needs root (kube-emulator --run-pods)"
WORK=$(mktemp -d)
LOGS="${E2E_STORAGE_LOGS:-$REPO_ROOT/.build/test-logs/e2e-storage}"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"
export KUBECACHEDIR="$WORK/cache"
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
VENV_BIN=$(dirname "$PYTHON")
BIN="$(swift_bin_path debug)"
NAME=fraud-detector
k() { "$KUBECTL" "$@"; }

FIXTURES="$REPO_ROOT/Tests/FraudServingTests/Fixtures"
XGB="$FIXTURES/xgboost_binary.json"
LGBM="$FIXTURES/lightgbm_binary.txt"
SHA_XGB=$(sha256sum "$XGB" | cut -d' ' -f1)
SHA_LGBM=$(sha256sum "$LGBM" | cut -d' ' -f1)
# One image for every version: the server (its baked-in model is never used: MODEL_URI wins).
FRAUD_SERVER="$BIN/fraud-server" bash hack/build-image.sh --catalog "$WORK/catalog.yaml" --no-docker "$XGB" server >>"$LOGS/build-image.log"

step "two clouds that run pods, each with its own object store on its pod network"
declare -A CIDR=([eks]=10.241.0.0/16 [gke]=10.242.0.0/16) HOST_ADDRESS=([eks]=10.241.255.1 [gke]=10.242.255.1)
for cluster in eks gke; do
  start_emulator "$LOGS/$cluster.log" --listen 127.0.0.1:0 --name "$cluster" --admin --kubeconfig-out "$KUBECONFIG" \
    --context "$cluster" --run-pods --image-catalog "$WORK/catalog.yaml" --state-dir "$WORK/state-$cluster" --pod-cidr "${CIDR[$cluster]}"
done
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
S3_PORT=$(free_port)
GCS_PORT=$(free_port)
S3="http://${HOST_ADDRESS[eks]}:$S3_PORT"
GCS="http://${HOST_ADDRESS[gke]}:$GCS_PORT"
"$VENV_BIN/moto_server" -H "${HOST_ADDRESS[eks]}" -p "$S3_PORT" >"$LOGS/moto.log" 2>&1 &
BACKGROUND_PIDS+=("$!")
"$VENV_BIN/gcp-storage-emulator" start --host="${HOST_ADDRESS[gke]}" --port="$GCS_PORT" --in-memory >"$LOGS/gcs.log" 2>&1 &
BACKGROUND_PIDS+=("$!")
eventually "moto's S3 answers on eks's pod network ($S3)" 30 curl -sf -o /dev/null "$S3/moto-api/"
eventually "gcp-storage-emulator answers on gke's pod network ($GCS)" 30 curl -sf -o /dev/null "$GCS/storage/v1/b"

export AWS_ACCESS_KEY_ID=e2e AWS_SECRET_ACCESS_KEY=e2e-secret AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3="$S3" STORAGE_EMULATOR_HOST="$GCS"
"$PYTHON" - <<'PY' >>"$LOGS/buckets.log" 2>&1
import boto3
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
boto3.client("s3").create_bucket(Bucket="fraud-models")
storage.Client(project="e2e", credentials=AnonymousCredentials()).create_bucket("fraud-models-eu")
PY
S3_TEMPLATE='s3://fraud-models/fraud-detector/{version}/model'
GCS_TEMPLATE='gs://fraud-models-eu/fraud-detector/{version}/model'

step "hack/release.sh model: each version's file to both buckets, read back and verified"
publish() { # VERSION FILE
  MODEL_S3_URI="$S3_TEMPLATE" MODEL_GCS_URI="$GCS_TEMPLATE" MODEL_IMAGE_TAG=server bash hack/release.sh model "$1" "$2" 2>"$WORK/publish.err"
}
expect_output "1.0.0 (XGBoost) is published, and the fields to set are printed" "modelSHA256: $SHA_XGB" -- publish 1.0.0 "$XGB"
expect_output "release.sh read both objects back and compared sha256" "fraud-models-eu/fraud-detector/1.0.0/model verified" -- cat "$WORK/publish.err"
expect_output "2.0.0 (LightGBM) is published" "modelSHA256: $SHA_LGBM" -- publish 2.0.0 "$LGBM"
# 3.0.0: the LightGBM file, which the FraudModel will claim has the XGBoost file's checksum.
expect_output "3.0.0 is published" "modelSHA256: $SHA_LGBM" -- publish 3.0.0 "$LGBM"
publish 1.0.0 "$XGB" | sed 's/^/       /'
unset AWS_ENDPOINT_URL_S3 STORAGE_EMULATOR_HOST

cat >"$WORK/clusters.yaml" <<YAML
clusters:
- name: eks
  provider: aws
  region: us-east-1
  kubeconfig: $KUBECONFIG
  context: eks
  registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com
  serving:
    awsRoleArn: arn:aws:iam::123456789012:role/fraud-models-read
    # moto accepts any key: on EKS the pod identity webhook supplies the role's credentials.
    env: {AWS_REGION: us-east-1, AWS_ENDPOINT_URL_S3: "$S3", AWS_ACCESS_KEY_ID: e2e, AWS_SECRET_ACCESS_KEY: e2e-secret, AWS_EC2_METADATA_DISABLED: "true"}
- name: gke
  provider: gcp
  region: us-central1
  kubeconfig: $KUBECONFIG
  context: gke
  registry: us-central1-docker.pkg.dev/my-gcp-project/my-repo
  serving:
    gcpServiceAccount: fraud-models@my-gcp-project.iam.gserviceaccount.com
    env: {STORAGE_EMULATOR_HOST: "$GCS"}
YAML
"$BIN/tandem-operator" run --config "$WORK/clusters.yaml" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
  --log-format text >"$LOGS/operator.log" 2>&1 &
BACKGROUND_PIDS+=("$!")
for cluster in eks gke; do k --context "$cluster" apply -f crds/tandem.dev_fraudmodels.yaml >/dev/null; done
eventually "the CRD is served in both clouds" 20 bash -c "'$KUBECTL' --context eks get fm && '$KUBECTL' --context gke get fm" >/dev/null

# fraudmodel VERSION SHA: one image, the model from eks's S3 and gke's GCS.
fraudmodel() {
  cat <<YAML
apiVersion: tandem.dev/v1alpha1
kind: FraudModel
metadata: {name: $NAME, namespace: default}
spec:
  modelVersion: "$1"
  image: {repository: fraud-detector, tag: server}
  modelSHA256: "$2"
  model: {storageUri: "$S3_TEMPLATE"}
  replicas: 2
  clusters:
  - name: eks
  - name: gke
    model: {storageUri: "$GCS_TEMPLATE"}
  rollout: {strategy: Sequential, order: [eks, gke], bakeSeconds: 3, progressDeadlineSeconds: 25, onFailure: RollbackAll}
  traffic: {hostname: fraud.api.example.com, policy: Weighted, weights: {eks: 50, gke: 50}}
YAML
}
ROW=$(python3 -c 'print(",".join(str(0.1 * (i % 7) - 0.2) for i in range(30)))')
# expected FILE: the probability the model's own library gives ROW.
expected() {
  "$PYTHON" - "$1" "$ROW" <<'PY'
import sys
import numpy as np
row = np.array([[float(v) for v in sys.argv[2].split(",")]])
if sys.argv[1].endswith(".json"):
    import xgboost as xgb
    print(float(xgb.Booster(model_file=sys.argv[1]).predict(xgb.DMatrix(row))[0]))
else:
    import lightgbm as lgb
    print(float(lgb.Booster(model_file=sys.argv[1]).predict(row)[0]))
PY
}
# check_answers VERSION FILE: both clouds answer VERSION with FILE's probability (1e-6).
check_answers() {
  local cluster lb answer want
  want=$(expected "$2")
  for cluster in eks gke; do
    lb=$(k --context "$cluster" get svc "$NAME" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
    answer=$(curl -sf -m 5 -H 'content-type: application/json' -d "[[$ROW]]" "http://$lb/predict" || true)
    expect_output "[$cluster] answers $1 with $(basename "$2")'s prediction ($want)" "yes" -- \
      "$PYTHON" -c "import json, sys; a = json.loads(sys.argv[1]); print('yes' if a['model_version'] == '$1' and abs(a['probabilities'][0] - $want) < 1e-6 else a)" "$answer"
  done
}
# check_deployments VERSION: each cloud's Deployment runs the one image with VERSION's URI.
check_deployments() {
  expect_output "[eks] the Deployment runs fraud-detector:server with MODEL_URI of S3 $1" \
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:server s3://fraud-models/fraud-detector/$1/model" -- \
    k --context eks get deploy "$NAME" -o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[?(@.name=="MODEL_URI")].value}'
  expect_output "[gke] the Deployment runs fraud-detector:server with MODEL_URI of GCS $1" \
    "us-central1-docker.pkg.dev/my-gcp-project/my-repo/fraud-detector:server gs://fraud-models-eu/fraud-detector/$1/model" -- \
    k --context gke get deploy "$NAME" -o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[?(@.name=="MODEL_URI")].value}'
}

step "1.0.0 (XGBoost): eks downloads it from S3, gke from GCS"
apply_everywhere "$(fraudmodel 1.0.0 "$SHA_XGB")"
wait_fleet_serves 1.0.0 120 "from the object stores"
check_deployments 1.0.0
for cluster in eks gke; do
  eventually "[$cluster] the Service has a load balancer address" 30 \
    bash -c "'$KUBECTL' --context $cluster get svc $NAME -o jsonpath='{.status.loadBalancer.ingress[0].ip}' | grep -Eq '^127\\.'"
done
check_answers 1.0.0 "$XGB"
expect_output "[eks] the pods run as the ServiceAccount the operator made, with the IRSA role" \
  "$NAME-serving arn:aws:iam::123456789012:role/fraud-models-read" -- \
  bash -c "echo \$('$KUBECTL' --context eks get deploy $NAME -o jsonpath='{.spec.template.spec.serviceAccountName}') \$('$KUBECTL' --context eks get sa $NAME-serving -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}')"
expect_output "[gke] the pods run as the ServiceAccount the operator made, with the Workload Identity account" \
  "$NAME-serving fraud-models@my-gcp-project.iam.gserviceaccount.com" -- \
  bash -c "echo \$('$KUBECTL' --context gke get deploy $NAME -o jsonpath='{.spec.template.spec.serviceAccountName}') \$('$KUBECTL' --context gke get sa $NAME-serving -o jsonpath='{.metadata.annotations.iam\\.gke\\.io/gcp-service-account}')"
for cluster in eks gke; do
  pod=$(k --context "$cluster" get pods -l "app.kubernetes.io/instance=$NAME" -o jsonpath='{.items[0].metadata.name}')
  seconds=$(k --context "$cluster" logs "$pod" | sed -n 's/.*"msg":"model fetched".*"seconds_to_ready":"\([0-9.]*\) seconds".*/\1/p' | head -1)
  echo "       [$cluster] $pod: download to ready in ${seconds:-?} s"
done

step "2.0.0 (LightGBM): only the storageUri and checksum change; eks first, gke after the bake"
apply_everywhere "$(fraudmodel 2.0.0 "$SHA_LGBM")"
eventually "[eks] runs 2.0.0's URI while gke still runs 1.0.0's" 90 bash -c \
  "[[ \$('$KUBECTL' --context eks get deploy $NAME -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"MODEL_URI\")].value}') == */2.0.0/model && \$('$KUBECTL' --context gke get deploy $NAME -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name==\"MODEL_URI\")].value}') == */1.0.0/model ]]"
wait_fleet_serves 2.0.0 120
check_deployments 2.0.0
check_answers 2.0.0 "$LGBM"

step "3.0.0: the object does not match the checksum; both clouds roll back to 2.0.0's URI"
apply_everywhere "$(fraudmodel 3.0.0 "$SHA_XGB")"
eventually "a 3.0.0 pod says why it is not ready: the checksum" 60 bash -c \
  "'$KUBECTL' --context eks logs -l app.kubernetes.io/instance=$NAME --tail=-1 2>/dev/null | grep -q 'expected MODEL_SHA256 $SHA_XGB'"
for cluster in eks gke; do
  eventually "[$cluster] 3.0.0 is recorded as failed and the fleet is back on 2.0.0" 120 \
    bash -c "[[ \$('$KUBECTL' --context $cluster get fm $NAME -o 'jsonpath={.status.failedVersion} {.status.servingVersion} {.status.lastGoodVersion}') == '3.0.0 2.0.0 2.0.0' ]]"
done
check_deployments 2.0.0
eventually "every 2.0.0 replica is ready again in both clouds" 90 bash -c \
  "for c in eks gke; do [[ \$('$KUBECTL' --context \$c get deploy $NAME -o jsonpath='{.status.readyReplicas}/{.status.replicas}') == 2/2 ]] || exit 1; done"
check_answers 2.0.0 "$LGBM"

summary e2e-storage
