#!/usr/bin/env bash
# End-to-end: the tandem-operator Helm chart with the real Helm library (helm-python-sdk, Helm 4;
# pinned in hack/requirements-helm.txt) and kubernetes-validate, hack/sync-chart-crd.sh,
# hack/peer-access.sh, and helm install / upgrade / uninstall into a kube-emulator.
# Logs go to .build/test-logs/e2e-helm*.log.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
[[ -x "$PYTHON" ]] || die "no Python venv at $PYTHON (run hack/install-deps.sh)"
"$PYTHON" -c 'import helm_python, kubernetes_validate, yaml' 2>/dev/null \
  || die "helm-python-sdk or kubernetes-validate missing: .venv/bin/pip install -r hack/requirements-helm.txt"
export KUBECTL=/usr/bin/kubectl
[[ -x $KUBECTL ]] || die "kubectl missing at $KUBECTL"

LOG_DIR="$REPO_ROOT/.build/test-logs"
mkdir -p "$LOG_DIR"
WORK=$(mktemp -d)
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECACHEDIR="$WORK/kube-cache"
# Keep the Helm library's cache, config and data out of the user's home.
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"

step "the chart's CRD copy (hack/sync-chart-crd.sh)"
expect_output "the chart's CRD is the same file as crds/" 'in sync' -- bash hack/sync-chart-crd.sh --check
# A scratch tree with a changed copy: the check must catch it, and the sync must repair it.
mkdir -p "$WORK/tree/hack/lib" "$WORK/tree/crds" "$WORK/tree/charts/tandem-operator/crds"
cp hack/sync-chart-crd.sh "$WORK/tree/hack/"
cp hack/lib/common.sh "$WORK/tree/hack/lib/"
cp crds/tandem.dev_fraudmodels.yaml "$WORK/tree/crds/"
sed 's/FraudModel/FraudModle/' crds/tandem.dev_fraudmodels.yaml >"$WORK/tree/charts/tandem-operator/crds/tandem.dev_fraudmodels.yaml"
expect_failure "a chart CRD that differs from crds/ fails the check" 'differs' -- bash "$WORK/tree/hack/sync-chart-crd.sh" --check
expect_output "hack/sync-chart-crd.sh copies it back" 'copied' -- bash "$WORK/tree/hack/sync-chart-crd.sh"
expect_output "and then the check passes" 'in sync' -- bash "$WORK/tree/hack/sync-chart-crd.sh" --check

step "Dockerfile.operator"
dockerfile=Dockerfile.operator
expect_output "builds tandem-operator release with --static-swift-stdlib on a Swift 6 image" 'static-swift-stdlib' -- \
  grep -E 'swift build -c release --product tandem-operator --static-swift-stdlib' "$dockerfile"
expect_output "starts from a Swift 6 build stage" '^FROM swift:6' -- grep -E '^FROM swift:6' "$dockerfile"
expect_output "runs as a numeric non-root user" 'USER 65532' -- grep -E '^USER 65532:65532$' "$dockerfile"
expect_output "the chart's runAsUser matches the image's user" 'runAsUser: 65532' -- \
  grep -E '^runAsUser: 65532$' charts/tandem-operator/values.yaml

step "starting an emulator for Helm"
KUBE_EMULATOR_BIN="${KUBE_EMULATOR_BIN:-$REPO_ROOT/.build/debug/kube-emulator}"
if [[ ! -x "$KUBE_EMULATOR_BIN" ]]; then
  step "building kube-emulator"
  flock /tmp/tandem-swift.lock swift build --product kube-emulator >"$LOG_DIR/e2e-helm-build.log" 2>&1
fi
export KUBE_EMULATOR_BIN
export KUBECONFIG="$WORK/kubeconfig" KUBE_CONTEXT=helm
token="helm-$RANDOM$RANDOM"
start_emulator "$LOG_DIR/e2e-helm-emulator.log" --listen 127.0.0.1:0 --name helm --tls --token "$token" \
  --kubeconfig-out "$KUBECONFIG" --context helm --admin
kctl() { "$KUBECTL" --context helm "$@"; }

step "hack/peer-access.sh (a bound, expiring token from the TokenRequest API)"
peer_out=$(bash hack/peer-access.sh --mode manage --name peer --token-duration 2h -o "$WORK/peer.kubeconfig" helm tandem-peer 2>&1) \
  || printf '%s\n' "$peer_out" | sed 's/^/       | /'
expect_output "it writes a kubeconfig and a token file for the peer ServiceAccount" 'wrote kubeconfig .* and its token' -- \
  printf '%s\n' "$peer_out"
expect_output "it prints when the token expires" 'the token expires 20[0-9]{2}-[0-9]{2}-[0-9]{2}T' -- printf '%s\n' "$peer_out"
expect_output "the kubeconfig reads the token from its file (tokenFile: a rotated token needs no restart)" \
  'tokenFile: peer.token' -- cat "$WORK/peer.kubeconfig"
expect_equal "no token in the kubeconfig itself" 0 "$(grep -c 'token: ' "$WORK/peer.kubeconfig" || true)"
expect_equal "the kubeconfig and the token file are private (mode 600)" "600 600" \
  "$(stat -c '%a' "$WORK/peer.kubeconfig") $(stat -c '%a' "$WORK/peer.token")"
expect_output "the ServiceAccount exists, and no never-expiring token Secret" 'tandem-operator-peer' -- \
  kctl -n tandem-peer get serviceaccount tandem-operator-peer -o name
expect_failure "(no tandem-operator-peer-token Secret)" 'NotFound|not found' -- \
  kctl -n tandem-peer get secret tandem-operator-peer-token
expect_failure "--legacy-token without a token controller stops with a clear message" 'drop --legacy-token' -- \
  bash hack/peer-access.sh --legacy-token --timeout 1 helm tandem-peer
role_json=$(kctl get clusterrole tandem-operator-peer-manage -o json)
expect_equal "the peer ClusterRole has no wildcard" 0 "$(grep -c '"\*"' <<<"$role_json" || true)"
expect_equal "the peer ClusterRole grants no secrets" 0 "$(grep -c '"secrets"' <<<"$role_json" || true)"
expect_equal "the peer ClusterRole grants no delete" 0 "$(grep -c '"delete"' <<<"$role_json" || true)"
expect_output "its ClusterRoleBinding binds the ServiceAccount" 'tandem-operator-peer' -- \
  kctl get clusterrolebinding tandem-operator-peer-manage-tandem-peer-tandem-operator-peer \
  -o 'jsonpath={.subjects[0].namespace}/{.subjects[0].name}'
peer() { "$KUBECTL" --kubeconfig "$WORK/peer.kubeconfig" --context peer "$@"; }
expect_output "the written kubeconfig (server and CA from the context, the bound token) reaches the cluster" 'No resources|NAME' -- \
  peer -n tandem-peer get deployments
expect_output "as the ServiceAccount, with RBAC enforced: it may apply Deployments" '^yes' -- \
  peer auth can-i patch deployments.apps -n fraud
expect_failure "and may not delete them" '^no' -- peer auth can-i delete deployments.apps -n fraud
expect_failure "nor read Secrets" '^no' -- peer auth can-i get secrets -n tandem-peer
expect_output "observe is the default; with --watch-namespace it writes a read-only Role in that namespace" '"watch"' -- \
  bash -c "bash hack/peer-access.sh --watch-namespace fraud helm tandem-peer >/dev/null 2>&1 \
    && $KUBECTL --context helm -n fraud get role tandem-operator-peer-observe -o json"
expect_equal "the observe Role only reads" "get list watch" \
  "$(kctl -n fraud get role tandem-operator-peer-observe -o 'jsonpath={.rules[*].verbs}' | tr -d '[]"' | tr ',' ' ' | xargs -n1 | sort -u | xargs)"
expect_failure "a wrong --mode is refused" 'manage or observe' -- bash hack/peer-access.sh --mode admin helm tandem-peer
expect_failure "a wrong --token-duration is refused" 'a duration such as 24h' -- \
  bash hack/peer-access.sh --token-duration forever helm tandem-peer
expect_failure "--serving-identity needs --mode manage" 'serving-identity needs --mode manage' -- \
  bash hack/peer-access.sh --serving-identity helm tandem-peer
expect_output "--serving-identity also grants ServiceAccounts (the serving pods' cloud identity)" '"serviceaccounts"' -- \
  bash -c "bash hack/peer-access.sh --mode manage --serving-identity --name peer helm tandem-peer >/dev/null 2>&1 \
    && $KUBECTL --context helm get clusterrole tandem-operator-peer-manage -o json"
expect_output "as the ServiceAccount: it may then apply ServiceAccounts" '^yes' -- peer auth can-i patch serviceaccounts -n fraud
expect_failure "but not delete them" '^no' -- peer auth can-i delete serviceaccounts -n fraud
expect_output "the kubeconfig and its token go into the Secret the chart mounts" 'secret/tandem-peers' -- \
  bash -c "$KUBECTL --context helm create namespace tandem-system >/dev/null \
    && $KUBECTL --context helm -n tandem-system create secret generic tandem-peers --from-file=kubeconfig=$WORK/peer.kubeconfig \
      --from-file=$WORK/peer.token -o name"

step "chart checks with the Helm library (log: .build/test-logs/e2e-helm-chart.log)"
chart_rc=0
PEER_SECRET=tandem-peers "$PYTHON" hack/e2e/helm_chart_test.py >"$LOG_DIR/e2e-helm-chart.log" 2>&1 || chart_rc=$?
grep -E '^  FAIL|Error|Traceback' "$LOG_DIR/e2e-helm-chart.log" | head -20 | sed 's/^/       | /' || true
tail -n 1 "$LOG_DIR/e2e-helm-chart.log" | sed 's/^/  /'
chart_passed=$(grep -c '^  ok ' "$LOG_DIR/e2e-helm-chart.log" || true)
chart_failed=$(grep -c '^  FAIL ' "$LOG_DIR/e2e-helm-chart.log" || true)
# A crash (no FAIL line but a non-zero exit) counts as one failure.
if [[ $chart_rc -ne 0 && $chart_failed -eq 0 ]]; then chart_failed=1; fi
PASSED=$((PASSED + chart_passed))
FAILED=$((FAILED + chart_failed))

summary e2e-helm
