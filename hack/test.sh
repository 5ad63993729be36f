#!/usr/bin/env bash
# The test command (README, CI): installs what the tests need, builds once, runs the Swift
# tests, then the end-to-end scripts against the real clients. Fails if any part fails.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

LOG_DIR="$REPO_ROOT/.build/test-logs"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR/e2e.log"

step "checking system tools"
bash hack/install-deps.sh

step "building (swift build --build-tests)"
swift build --build-tests 2>&1 | tail -n 3

step "swift test"
swift test --skip-build >"$LOG_DIR/swift-test.log" 2>&1 || true
grep -E '^✘' "$LOG_DIR/swift-test.log" || true
summary_line=$(grep -E 'Test run with [0-9]+ tests?' "$LOG_DIR/swift-test.log" | tail -n 1)
printf '%s\n' "${summary_line:-swift test printed no summary}"
if ! grep -Eq 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' <<<"$summary_line"; then
  tail -n 40 "$LOG_DIR/swift-test.log"
  die "swift test failed (log: $LOG_DIR/swift-test.log)"
fi
swift_tests=$(sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/' <<<"$summary_line")

# The images' clean release build (hack/e2e-images.sh) is CPU work the end-to-end checks,
# which mostly wait on processes and timers, leave idle: it runs beside them at the lowest priority.
step "hack/e2e-images.sh (in the background, nice 19)"
nice -n 19 bash hack/e2e-images.sh >"$LOG_DIR/e2e-images.out" 2>&1 &
images_pid=$!

status=0
for script in hack/e2e-kubectl.sh hack/e2e-python.sh hack/e2e-pods.sh hack/e2e-helm.sh hack/e2e-helm-pods.sh hack/e2e-serving.sh hack/e2e-operator.sh hack/e2e-fleet.sh hack/e2e-storage.sh \
  hack/e2e-demo.sh hack/e2e-docs.sh; do
  step "$script"
  bash "$script" 2>&1 | tee -a "$LOG_DIR/e2e.log" || status=1
done
step "hack/e2e-images.sh"
wait "$images_pid" || status=1
tee -a "$LOG_DIR/e2e.log" <"$LOG_DIR/e2e-images.out"
e2e_passed=$(grep -E '^e2e-[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$LOG_DIR/e2e.log" | awk '{sum += $2} END {print sum + 0}')

step "shellcheck"
shellcheck -x hack/*.sh hack/lib/*.sh hack/bench/*.sh .ci/run || status=1

if [[ $status -ne 0 ]]; then die "some end-to-end checks failed"; fi
step "all tests passed"
printf 'tests: %d passed, 0 failed\n' "$((swift_tests + e2e_passed))"
