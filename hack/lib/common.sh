#!/usr/bin/env bash
# Shared helpers for hack/ scripts: progress lines, assertions, emulator processes.
# Source it; it expects `set -euo pipefail` in the caller.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO_ROOT

# Progress line on stderr.
step() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---- assertions (count passes and failures; a script ends with `summary`) ----
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); printf '  ok   %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf '  FAIL %s\n' "$*"; }

# expect_output DESCRIPTION PATTERN -- COMMAND...: runs COMMAND, passes if it exits 0 and its
# combined output matches the extended regex PATTERN.
expect_output() { expect_run success "$@"; }

# expect_failure DESCRIPTION PATTERN -- COMMAND...: passes if COMMAND exits non-zero and its
# output matches PATTERN.
expect_failure() { expect_run failure "$@"; }

# expect_run success|failure DESCRIPTION PATTERN -- COMMAND...
expect_run() {
  local wanted=$1 description=$2 pattern=$3
  shift 4
  local output rc=0
  output=$("$@" 2>&1) || rc=$?
  local outcome=failure
  [[ $rc -eq 0 ]] && outcome=success
  if [[ $outcome == "$wanted" ]] && grep -Eq -- "$pattern" <<<"$output"; then
    pass "$description"
  else
    fail "$description (rc=$rc, wanted $wanted with /$pattern/)"
    printf '%s\n' "$output" | sed 's/^/       | /' | head -20
  fi
}

# expect_equal DESCRIPTION EXPECTED ACTUAL
expect_equal() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}

# eventually DESCRIPTION SECONDS COMMAND...: retries COMMAND until it succeeds or time runs out.
eventually() {
  local description=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  while (( SECONDS < deadline )); do
    if "$@" >/dev/null 2>&1; then pass "$description"; return 0; fi
    sleep 0.2
  done
  fail "$description (not true within ${seconds}s)"
}

summary() {
  local name=$1
  printf '%s: %d passed, %d failed\n' "$name" "$PASSED" "$FAILED"
  [[ $FAILED -eq 0 ]]
}

# ---- processes ----
BACKGROUND_PIDS=()

stop_background() {
  local pid
  for pid in "${BACKGROUND_PIDS[@]:-}"; do
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
  done
  for pid in "${BACKGROUND_PIDS[@]:-}"; do
    if [[ -n "$pid" ]]; then wait "$pid" 2>/dev/null || true; fi
  done
}

# swift_bin_path [CONFIGURATION]: where `swift build` puts binaries.
swift_bin_path() {
  (cd "$REPO_ROOT" && swift build -c "${1:-debug}" --show-bin-path)
}

# start_emulator LOGFILE ARGS...: starts kube-emulator in the background, waits for its
# `listening URL` line (30 s at most) and sets EMULATOR_URL and EMULATOR_PID.
start_emulator() {
  local log=$1
  shift
  local bin="${KUBE_EMULATOR_BIN:-$(swift_bin_path debug)/kube-emulator}"
  [[ -x "$bin" ]] || die "kube-emulator not built at $bin (run: swift build --product kube-emulator)"
  local out
  out=$(mktemp)
  "$bin" "$@" >"$out" 2>"$log" &
  EMULATOR_PID=$!
  BACKGROUND_PIDS+=("$EMULATOR_PID")
  local deadline=$((SECONDS + 30))
  until grep -q '^listening ' "$out"; do
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then cat "$log" >&2; die "kube-emulator exited early"; fi
    (( SECONDS < deadline )) || die "kube-emulator did not start within 30s"
    sleep 0.1
  done
  EMULATOR_URL=$(sed -n 's/^listening //p' "$out" | head -1)
  export EMULATOR_URL EMULATOR_PID
  rm -f "$out"
}

# ---- benchmarks (hack/bench) ----

# free_port: prints a free TCP port on 127.0.0.1 (with $PYTHON, else python3).
free_port() {
  "${PYTHON:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# median: the median of the numbers on stdin, one a line (the middle one, or the mean of the two).
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# release_fraud_server LOGFILE: unless FRAUD_SERVER is already set, builds fraud-server in release
# under the machine's build lock (one `swift build` at a time), output to LOGFILE (its tail on a
# failure), and sets FRAUD_SERVER to the binary.
release_fraud_server() {
  [[ -z "${FRAUD_SERVER:-}" ]] || return 0
  step "building fraud-server (release)"
  if ! (cd "$REPO_ROOT" && flock /tmp/tandem-swift.lock swift build -c release --product fraud-server) >"$1" 2>&1; then
    tail -40 "$1" >&2
    die "swift build -c release --product fraud-server failed"
  fi
  FRAUD_SERVER="$REPO_ROOT/.build/release/fraud-server"
}
