#!/usr/bin/env bash
# The local demo: two emulated clusters, eks and gke, with one kubeconfig.
#   hack/demo.sh        build, start both clusters, print what to type next
#   hack/demo.sh down   stop them
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

DEMO_DIR="$REPO_ROOT/.demo"
KUBECONFIG_FILE="$DEMO_DIR/kubeconfig"

stop_demo() {
  local pidfile
  for pidfile in "$DEMO_DIR"/*.pid; do
    [[ -f "$pidfile" ]] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [[ "${1:-up}" == "down" ]]; then
  stop_demo
  step "demo stopped"
  exit 0
fi

mkdir -p "$DEMO_DIR"
stop_demo
rm -f "$KUBECONFIG_FILE"

step "building kube-emulator (log: .demo/build.log)"
swift build --product kube-emulator >"$DEMO_DIR/build.log" 2>&1 || { tail -n 20 "$DEMO_DIR/build.log"; die "build failed"; }
BIN="$(swift build --show-bin-path)/kube-emulator"

for cluster in eks gke; do
  step "starting emulated cluster $cluster"
  out="$DEMO_DIR/$cluster.out"
  nohup "$BIN" --name "$cluster" --tls --client-ca-auth --admin --kubeconfig-out "$KUBECONFIG_FILE" --context "$cluster" \
    >"$out" 2>"$DEMO_DIR/$cluster.log" &
  echo $! >"$DEMO_DIR/$cluster.pid"
  deadline=$((SECONDS + 30))
  until grep -q '^listening ' "$out"; do
    (( SECONDS < deadline )) || die "$cluster did not start (see .demo/$cluster.log)"
    sleep 0.1
  done
  printf '    %s\n' "$(cat "$out")"
done

cat <<MSG

Two clusters are running. Try:
  export KUBECONFIG=$KUBECONFIG_FILE
  kubectl --context eks get namespaces
  kubectl --context gke api-resources
Stop them with: hack/demo.sh down
MSG
