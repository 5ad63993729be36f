#!/usr/bin/env bash
# Installs what tests, the demo and benchmarks need: Debian packages (if missing) and the
# Python venv `.venv` with pinned versions. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

need_apt=()
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v wrk >/dev/null || need_apt+=(wrk)
command -v curl >/dev/null || need_apt+=(curl)
# kube-emulator --run-pods: network namespaces and veths (ip), nsenter/unshare/setpriv.
command -v ip >/dev/null || need_apt+=(iproute2)
command -v setpriv >/dev/null || need_apt+=(util-linux)
python3 -c 'import venv' 2>/dev/null || need_apt+=(python3-venv)
if [[ ${#need_apt[@]} -gt 0 ]]; then
  step "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[[ -x /usr/bin/kubectl ]] || die "kubectl (/usr/bin/kubectl) is missing: install Google Cloud SDK's kubectl"

# The venv is rebuilt when any requirements file changes.
requirements=(hack/requirements-test.txt hack/fixtures/requirements.txt hack/requirements-helm.txt hack/requirements-objectstore.txt hack/requirements-onnx.txt)
stamp=".venv/.requirements.sha256"
digest=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$digest" ]]; then
  step "creating Python venv .venv"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null
  for file in "${requirements[@]}"; do .venv/bin/pip install -q -r "$file"; done
  echo "$digest" >"$stamp"
fi
