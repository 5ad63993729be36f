#!/usr/bin/env bash
# Benchmark of kube-emulator (release build): creates/s of a custom resource, list latency with
# 5,000 objects, watch delivery delay to 10 watchers. Loopback only; bounded.
#   hack/bench/emulator.sh [--objects N] [--writers N] ...   (arguments go to kube-emulator-bench)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"

WORK=$(mktemp -d)
trap 'stop_background; rm -rf "$WORK"' EXIT

step "building release binaries (log: $WORK/build.log)"
swift build -c release --product kube-emulator >"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log"; die "build failed"; }
swift build -c release --product kube-emulator-bench >>"$WORK/build.log" 2>&1 || { tail -n 20 "$WORK/build.log"; die "build failed"; }
BIN="$(swift_bin_path release)"

KUBE_EMULATOR_BIN="$BIN/kube-emulator" start_emulator "$WORK/emulator.log" --name bench --history 10000
step "kube-emulator at $EMULATOR_URL (pid $EMULATOR_PID)"
"$BIN/kube-emulator-bench" --url "$EMULATOR_URL" "$@"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$EMULATOR_PID/status")
echo "kube-emulator peak RSS: $((rss_kb / 1024)) MiB"
