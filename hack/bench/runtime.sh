#!/usr/bin/env bash
# Benchmark of KubeRuntime (release build): two kube-emulator processes with 2,000 Deployments
# (~2 KB each) apiece; reports cache sync time, no-op reconcile throughput and the runtime
# process's peak RSS (managedFields stripped). Goals: sync < 5 s, ≥ 5,000 reconciles/s, RSS < 100 MB.
#   hack/bench/runtime.sh [--deployments N] [--rounds N] [--workers N]   (arguments go to kube-runtime-bench)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"

WORK=$(mktemp -d)
trap 'stop_background; rm -rf "$WORK"' EXIT

build() {
  if [[ -e /tmp/tandem-swift.lock ]]; then flock /tmp/tandem-swift.lock swift build -c release "$@"; else swift build -c release "$@"; fi
}
step "building release binaries (log: $WORK/build.log)"
build --product kube-emulator >"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log"; die "build failed"; }
build --product kube-runtime-bench >>"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log"; die "build failed"; }
BIN="$(swift_bin_path release)"

SERVERS=()
for name in eks gke; do
  KUBE_EMULATOR_BIN="$BIN/kube-emulator" start_emulator "$WORK/$name.log" --name "$name" --history 10000
  step "kube-emulator $name at $EMULATOR_URL (pid $EMULATOR_PID)"
  SERVERS+=(--server "$EMULATOR_URL")
done
step "creating the Deployments (a separate process, so the measured RSS is the runtime's alone)"
"$BIN/kube-runtime-bench" "${SERVERS[@]}" "$@" --populate-only
step "measuring"
"$BIN/kube-runtime-bench" "${SERVERS[@]}" "$@"
