#!/usr/bin/env bash
# Checks README.md against what it documents:
#   - its FraudModel reference is what hack/crd-reference.py generates from the CRD, and a
#     reference that differs fails the check;
#   - the image commands of its EKS/GKE installation: hack/build-image.sh (with a stand-in
#     docker) and hack/release.sh with DRY_RUN=1, as written there;
#   - every hack/ script, example, chart, CRD and docs path it names exists, and it names every
#     example;
#   - every tandem-operator flag it names is one `tandem-operator run --help` lists, and it names
#     them all; every metric it names is defined in Sources/.
# Logs: .build/test-logs/e2e-docs.log.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
[[ -x "$PYTHON" ]] || PYTHON=python3
"$PYTHON" -c 'import yaml' 2>/dev/null || die "PyYAML missing for $PYTHON (run hack/install-deps.sh)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
README=README.md

step "the FraudModel reference (hack/crd-reference.py)"
expect_output "README.md's reference matches crds/tandem.dev_fraudmodels.yaml" 'matches' -- \
  "$PYTHON" hack/crd-reference.py --check "$README"
grep -vF "| \`spec.rollout.bakeSeconds\`" "$README" >"$WORK/README.md"
expect_failure "a reference missing a field fails the check, naming the fix" 'crd-reference.py --write' -- \
  "$PYTHON" hack/crd-reference.py --check "$WORK/README.md"
expect_output "hack/crd-reference.py --write repairs it" 'wrote' -- "$PYTHON" hack/crd-reference.py --write "$WORK/README.md"
expect_equal "and the repaired file is README.md again" "" "$(diff "$README" "$WORK/README.md" || true)"
reference=$("$PYTHON" hack/crd-reference.py)
for field in spec.modelVersion spec.traffic.policy spec.traffic.service.annotations spec.rollout.onFailure \
  status.clusters[].reachable status.traffic[].state; do
  expect_output "the reference has a row for $field" "^\| \`${field//[\[\]]/.}\`" -- printf '%s\n' "$reference"
done

step "the image commands of the EKS/GKE installation"
fixture=Tests/FraudServingTests/Fixtures/xgboost_binary.json
digest=$(sha256sum "$fixture" | cut -d' ' -f1)
printf '#!/usr/bin/env bash\necho "docker $*"\n' >"$WORK/docker"
chmod +x "$WORK/docker"
expect_output "README.md shows hack/build-image.sh MODEL_FILE VERSION" '^ *hack/build-image\.sh model\.json 2\.1\.0$' -- \
  cat "$README"
expect_output "hack/build-image.sh builds fraud-detector:2.1.0 and prints the modelSHA256 to put in the FraudModel" \
  "modelSHA256: $digest" -- env DOCKER="$WORK/docker" bash hack/build-image.sh "$fixture" 2.1.0
release_line=$(grep -E '^ *AWS_ACCOUNT=.* hack/release\.sh ' "$README" | sed 's/^ *//' || true)
expect_output "README.md shows hack/release.sh with the registries and the operator image" 'OPERATOR_VERSION=' -- \
  printf '%s\n' "$release_line"
read -r -a release_words <<<"$release_line"
release_out=$(env DRY_RUN=1 "${release_words[@]}" 2>&1 || true)
for image in 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-detector:2.1.0 \
  us-central1-docker.pkg.dev/my-gcp-project/my-repo/fraud-detector:2.1.0 \
  123456789012.dkr.ecr.us-east-1.amazonaws.com/tandem-operator:0.1.0 \
  us-central1-docker.pkg.dev/my-gcp-project/my-repo/tandem-operator:0.1.0; do
  expect_output "DRY_RUN=1 of that line pushes $image" "docker push ${image//./\\.}$" -- printf '%s\n' "$release_out"
done

step "paths and examples README.md names"
missing=()
while read -r path; do
  [[ -e "$path" ]] || missing+=("$path")
done < <(grep -oE '(hack|examples|charts|crds|docs|Tests)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' "$README" | sort -u)
expect_equal "every path README.md names exists" "" "${missing[*]:-}"
unnamed=()
for example in examples/*; do
  grep -qF "$example" "$README" || unnamed+=("$example")
done
expect_equal "README.md names every example" "" "${unnamed[*]:-}"

step "tandem-operator flags and metrics README.md names"
OPERATOR_BIN="${TANDEM_OPERATOR_BIN:-$(swift_bin_path debug)/tandem-operator}"
if [[ -x "$OPERATOR_BIN" ]]; then
  help=$("$OPERATOR_BIN" run --help)
  synopsis=$(sed -n '/^### tandem-operator$/,/^### /p' "$README")
  named=$(grep -oE -- '--[a-z][a-z-]+' <<<"$synopsis" | sort -u)
  offered=$(grep -oE -- '^ +--[a-z][a-z-]+' <<<"$help" | tr -d ' ' | grep -v -- '--help' | sort -u)
  expect_equal "the synopsis names exactly the flags of tandem-operator run --help" "$offered" "$named"
  expect_output "--external-dns-legacy-prefix, which the traffic section names, exists" 'external-dns-legacy-prefix' -- \
    printf '%s\n' "$help"
else
  fail "tandem-operator is not built at $OPERATOR_BIN (swift build --product tandem-operator)"
fi
unknown=()
while read -r metric; do
  grep -rqF "\"$metric\"" Sources/ || unknown+=("$metric")
done < <(grep -oE '\b(controller_runtime|workqueue|leader_election|rest_client)_[a-z_]+' "$README" | sort -u)
expect_equal "every metric README.md names is defined in Sources/" "" "${unknown[*]:-}"

summary e2e-docs
