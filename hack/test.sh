#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need, builds once, runs the Swift
# tests, then the end-to-end scripts against the real clients. Fails if any part fails.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

LOG_DIR="$REPO_ROOT/.build/test-logs"
mkdir -p "$LOG_DIR"

step "checking system tools"
bash hack/install-deps.sh

step "building (swift build --build-tests)"
swift build --build-tests 2>&1 | tail -n 3

step "swift test"
swift test --skip-build 2>&1 | tee "$LOG_DIR/swift-test.log" | grep -Ev '^(◇|✔|\[)' || true
if ! grep -Eq 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' "$LOG_DIR/swift-test.log"; then
  tail -n 40 "$LOG_DIR/swift-test.log"
  die "swift test failed"
fi

status=0
for script in hack/e2e-kubectl.sh hack/e2e-python.sh hack/e2e-helm.sh hack/e2e-serving.sh; do
  step "$script"
  bash "$script" || status=1
done

step "shellcheck"
shellcheck -x hack/*.sh hack/lib/*.sh hack/bench/*.sh .ci/run || status=1

if [[ $status -ne 0 ]]; then die "some end-to-end checks failed"; fi
step "all tests passed"
