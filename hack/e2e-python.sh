#!/usr/bin/env bash
# End-to-end: the official Kubernetes Python client (pinned in hack/requirements-test.txt)
# against kube-emulator with workload simulation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
[[ -x "$PYTHON" ]] || die "no Python venv at $PYTHON (run hack/install-deps.sh)"
WORK=$(mktemp -d)
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"

step "starting an emulator for the Python client"
start_emulator "$WORK/py.log" --name py --tls --token "py-$RANDOM" --kubeconfig-out "$KUBECONFIG" --context py --admin \
  --simulate-workloads --pod-ready-seconds 0.2
"$PYTHON" "$REPO_ROOT/hack/e2e/python_client_test.py"
