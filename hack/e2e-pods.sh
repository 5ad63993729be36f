#!/usr/bin/env bash
# End-to-end: kube-emulator --run-pods with the real kubectl and the official Python client.
# Pods run as processes in their own network and mount namespaces (needs root); fraud-server
# serves the fixture model behind a loopback LoadBalancer. Traffic goes only to loopback and to
# the emulator's own pod network.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

WORK=$(mktemp -d)
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"
export KUBECACHEDIR="$WORK/cache"
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
BIN="$(swift_bin_path debug)"
EMULATOR="$BIN/kube-emulator"
STATE="$WORK/state"
k() { "$KUBECTL" "$@"; }

FRAUD_SERVER="$BIN/fraud-server" bash "$REPO_ROOT/hack/build-image.sh" --catalog "$WORK/catalog.yaml" --no-docker \
  "$REPO_ROOT/Tests/FraudServingTests/Fixtures/xgboost_binary.json" 2.1.0 >"$WORK/build-image.log"
cat >>"$WORK/catalog.yaml" <<'YAML'
- image: shell:1
  command: [/bin/sh]
  args: [-c, "echo idle; exec sleep 3600"]
YAML

step "refusals: no root, a broken catalog, an overlapping pod network"
expect_failure "without root --run-pods refuses and says why" 'needs root' -- \
  setpriv --reuid=65534 --regid=65534 --clear-groups "$EMULATOR" --run-pods --state-dir "$WORK/nobody"
printf 'images:\n- image: x\n  command: [relative/server]\n' >"$WORK/bad-catalog.yaml"
expect_failure "a broken catalog names the file and the field" 'bad-catalog.yaml: images\[0\].command\[0\]: expected an absolute path' -- \
  "$EMULATOR" --run-pods --image-catalog "$WORK/bad-catalog.yaml" --state-dir "$STATE"
expect_failure "a pod CIDR overlapping the machine's addresses is refused" 'overlaps 127\.0\.0\.0/8' -- \
  "$EMULATOR" --run-pods --pod-cidr 127.0.0.0/16 --state-dir "$STATE"

step "starting kube-emulator --run-pods (TLS, client certificates)"
start_emulator "$WORK/eks.log" --name eks --tls --client-ca-auth --kubeconfig-out "$KUBECONFIG" --context eks --admin \
  --run-pods --image-catalog "$WORK/catalog.yaml" --state-dir "$STATE" --crashloop-backoff-seconds 1 --max-backoff-seconds 4
CIDR=$(sed -n 's/.*cidr=\([0-9./]*\).*pod network ready.*/\1/p' "$WORK/eks.log" | head -1)
DEVICE=$(sed -n 's/.*device=\([a-z0-9]*\).*pod network ready.*/\1/p' "$WORK/eks.log" | head -1)
expect_output "the pod network is routed through the emulator's own device" "dev $DEVICE" -- ip route show "${CIDR%.0.0/16}.0.0/17"

expect_output "the node is registered and Ready" '^emulated-node +Ready +<none> +[0-9]+s +v1\.32\.0' -- k get nodes

step "a fraud-server Deployment behind a LoadBalancer"
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: fraud, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: fraud}}
  template:
    metadata: {labels: {app: fraud}}
    spec:
      containers:
      - name: server
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:2.1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /v2/health/ready, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: fraud, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: fraud}
  ports: [{name: http, port: 80, targetPort: http}]
YAML
expect_output "rollout status waits for real readiness" 'successfully rolled out' -- k rollout status deploy/fraud --timeout 60s
expect_output "get pods: READY, STATUS, RESTARTS as kubectl prints them" '^fraud-[a-z0-9]+-[a-z0-9]+ +1/1 +Running +0 +' -- k get pods -l app=fraud
expect_output "pods get addresses from the pod network" "${CIDR%.0.0/16}\.0\.[0-9]+ +emulated-node +<none> +<none>" -- k get pods -l app=fraud -o wide
eventually "get svc shows a loopback EXTERNAL-IP" 20 bash -c "'$KUBECTL' get svc fraud | grep -Eq 'LoadBalancer +10\.[0-9.]+ +127\.[0-9.]+ +80:'"
LB=$(k get svc fraud -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
eventually "EndpointSlices list both ready pods" 20 bash -c "'$KUBECTL' get endpointslices -l kubernetes.io/service-name=fraud | grep -Eq 'IPv4 +8080 +10\.[0-9.]+,10\.[0-9.]+'"
expect_output "Endpoints list both pods" '^fraud +10\.[0-9.]+:8080,10\.[0-9.]+:8080' -- k get endpoints fraud
ROW=$(python3 -c 'print(",".join(["0.5"] * 30))')
expect_output "a prediction through the LoadBalancer address" '"probabilities":\[0\.[0-9]+' -- \
  curl -sf -m 5 -H 'content-type: application/json' -d "[[$ROW]]" "http://$LB/predict"
expect_output "get --raw through the service proxy" '"ready":true' -- k get --raw /api/v1/namespaces/default/services/fraud:http/proxy/v2/health/ready
POD=$(k get pods -l app=fraud -o jsonpath='{.items[0].metadata.name}')
expect_output "get --raw through the pod proxy" 'fraud-detector' -- k get --raw "/api/v1/namespaces/default/pods/$POD:8080/proxy/v2/models/fraud-detector"

step "logs"
expect_output "kubectl logs shows the server's output" 'model loaded' -- k logs "$POD"
expect_output "kubectl logs --tail=1 prints the last line only" '^1$' -- bash -c "'$KUBECTL' logs '$POD' --tail=1 | wc -l"
expect_output "kubectl logs --timestamps prefixes RFC 3339 times" '^20[0-9-]+T[0-9:]+\.[0-9]{9}Z ' -- k logs "$POD" --tail=1 --timestamps
expect_output "the Python client's read_namespaced_pod_log" 'model loaded' -- "$PYTHON" -c "
from kubernetes import client, config
config.load_kube_config()
print(client.CoreV1Api().read_namespaced_pod_log('$POD', 'default', tail_lines=5))"

step "a crashing container"
k run crash --image=shell:1 --restart=Always --command -- /bin/sh -c 'echo attempt; exit 3' >/dev/null
eventually "it reaches CrashLoopBackOff with restarts and their age" 30 bash -c \
  "'$KUBECTL' get pod crash | grep -Eq '^crash +0/1 +CrashLoopBackOff +[2-9] \([0-9]+s ago\)'"
expect_output "logs --previous shows the last instance's output" '^attempt$' -- k logs crash --previous
expect_output "describe shows the kubelet's events" 'Warning +BackOff .* kubelet +Back-off restarting failed container crash in pod crash_default' -- k describe pod crash
expect_output "lastState names the exit code" '^3 Error$' -- \
  k get pod crash -o 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}'

step "images from the admin endpoint"
k run later --image=registry.example/later:1 >/dev/null
eventually "an unknown image waits in ImagePullBackOff" 20 bash -c "'$KUBECTL' get pod later | grep -q ImagePullBackOff"
expect_output "its events say why" 'Failed to pull image "registry.example/later:1": not found in the emulator.s image catalog' -- \
  k get events --field-selector involvedObject.name=later
ADMIN_CA="$WORK/ca.crt"
k config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$ADMIN_CA"
# The admin endpoint answers cluster admins only: the kubeconfig's client certificate.
k config view --raw -o jsonpath='{.users[0].user.client-certificate-data}' | base64 -d >"$WORK/admin.crt"
k config view --raw -o jsonpath='{.users[0].user.client-key-data}' | base64 -d >"$WORK/admin.key"
{ cat "$WORK/catalog.yaml"; printf -- '- image: later:1\n  command: [/bin/sh]\n  args: [-c, "echo later; exec sleep 3600"]\n'; } >"$WORK/later.yaml"
expect_output "PUT /_emulator/image-catalog replaces the catalog" '"images":3' -- \
  curl -sf --cacert "$ADMIN_CA" --cert "$WORK/admin.crt" --key "$WORK/admin.key" -X PUT --data-binary "@$WORK/later.yaml" "$EMULATOR_URL/_emulator/image-catalog"
eventually "the waiting pod starts with the new image" 30 bash -c "'$KUBECTL' get pod later | grep -Eq '1/1 +Running'"

step "deletion"
expect_output "kubectl delete waits until the kubelet has stopped the pod" 'deleted' -- k delete pod "$POD" --timeout 60s
expect_failure "the pod is gone" 'NotFound' -- k get pod "$POD"
eventually "the Deployment replaces it" 30 bash -c "'$KUBECTL' get deploy fraud | grep -Eq '^fraud +2/2'"

step "SIGKILL of the emulator leaves nothing behind"
LEDGER=$(ls "$STATE"/*/processes)
mapfile -t RECORDED < <(cut -d' ' -f1 "$LEDGER")
expect_output "processes were recorded" '[0-9]' -- echo "${#RECORDED[@]}"
kill -KILL "$EMULATOR_PID"
wait "$EMULATOR_PID" 2>/dev/null || true
leftovers() {
  local pid alive=0
  for pid in "${RECORDED[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
  ip link show "$DEVICE" >/dev/null 2>&1 && alive=$((alive + 1))
  ip route | grep -q "^${CIDR%.0.0/16}\." && alive=$((alive + 1))
  [[ $alive -eq 0 ]]
}
eventually "no pod process, no veth and no route survive" 10 leftovers
expect_failure "the load balancer address no longer answers" '' -- curl -sf -m 2 "http://$LB/v2/health/ready"
start_emulator "$WORK/again.log" --name again --run-pods --state-dir "$STATE"
expect_output "the next start sweeps the dead emulator's state" 'swept state' -- cat "$WORK/again.log"
expect_equal "only the new emulator's directory is left" 1 "$(find "$STATE" -mindepth 1 -maxdepth 1 -type d | wc -l)"

summary e2e-pods
