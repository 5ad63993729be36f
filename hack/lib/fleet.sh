# shellcheck shell=bash
# Helpers of the end-to-end scripts that run a FraudModel across the clouds eks and gke
# (sourced after common.sh; they use $NAME, $KUBECTL and common.sh's eventually).

# fraudmodel_manifest VERSION SHA PATH FORMAT SPEC_LINES: the FraudModel $NAME (namespace
# default) serving VERSION of the fraud-detector image, with that model checksum, file and
# format; SPEC_LINES (indented two spaces) add the other spec fields: replicas, rollout, traffic.
fraudmodel_manifest() {
  cat <<YAML
apiVersion: tandem.dev/v1alpha1
kind: FraudModel
metadata: {name: $NAME, namespace: default}
spec:
  modelVersion: "$1"
  image: {repository: fraud-detector}
  modelSHA256: "$2"
  model: {path: $3, format: $4}
$5
YAML
}

# apply_everywhere MANIFEST: kubectl apply in eks and in gke.
apply_everywhere() {
  local cluster
  for cluster in eks gke; do "$KUBECTL" --context "$cluster" apply -f - >/dev/null <<<"$1"; done
}

# wait_fleet_serves VERSION SECONDS [NOTE]: each cloud's copy is Ready serving VERSION within SECONDS.
wait_fleet_serves() {
  local cluster
  for cluster in eks gke; do
    eventually "[$cluster] the fleet serves $1${3:+ $3}" "$2" bash -c \
      "[[ \$('$KUBECTL' --context $cluster get fm $NAME -o 'jsonpath={.status.phase} {.status.servingVersion}') == 'Ready $1' ]]"
  done
}
