#!/usr/bin/env bash
# Regenerates crds/tandem.dev_fraudmodels.yaml from the Swift types in Sources/FraudModelAPI.
# FraudModelAPITests fail when the committed file differs from what this writes.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO_ROOT"
OUT="crds/tandem.dev_fraudmodels.yaml"

echo "==> building tandem-operator"
flock /tmp/tandem-swift.lock swift build --product tandem-operator >/tmp/tandem-generate-crd.log 2>&1 || {
  echo "build failed; see /tmp/tandem-generate-crd.log" >&2
  exit 1
}
BIN="$(swift build --show-bin-path)/tandem-operator"

echo "==> writing $OUT"
mkdir -p crds
TMP="$(mktemp)"
trap 'rm -f "$TMP"' EXIT
"$BIN" crd >"$TMP"
mv "$TMP" "$OUT"
# The chart ships the same file.
bash "$(dirname "$0")/sync-chart-crd.sh"
echo "==> done"
