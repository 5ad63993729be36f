#!/usr/bin/env bash
# Copies the FraudModel CRD (crds/, generated from the Swift types) into the Helm chart,
# which must ship the very same file.
#
# Usage: hack/sync-chart-crd.sh          copy crds/tandem.dev_fraudmodels.yaml into the chart
#        hack/sync-chart-crd.sh --check  only compare; exit 1 when the chart's copy differs
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

source_crd="$REPO_ROOT/crds/tandem.dev_fraudmodels.yaml"
chart_crd="$REPO_ROOT/charts/tandem-operator/crds/tandem.dev_fraudmodels.yaml"
[[ -f "$source_crd" ]] || die "no CRD at $source_crd (generate it with hack/generate-crd.sh)"

case "${1:-}" in
  --check)
    if cmp -s "$source_crd" "$chart_crd"; then
      echo "chart CRD is in sync with crds/tandem.dev_fraudmodels.yaml"
    else
      echo "charts/tandem-operator/crds/tandem.dev_fraudmodels.yaml differs from crds/tandem.dev_fraudmodels.yaml; run hack/sync-chart-crd.sh" >&2
      exit 1
    fi
    ;;
  "")
    install -m 0644 "$source_crd" "$chart_crd"
    step "copied crds/tandem.dev_fraudmodels.yaml into charts/tandem-operator/crds/"
    ;;
  *)
    die "usage: $0 [--check]"
    ;;
esac
