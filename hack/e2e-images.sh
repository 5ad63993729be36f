#!/usr/bin/env bash
# The images build: no Docker engine runs here, so this does what `docker build` would do in
# each Dockerfile's build stage, from what a clean clone holds:
#   - assembles, in an empty directory, exactly the files the build stage COPYs (tracked or
#     committable files only: nothing git ignores, such as Package.resolved or .build);
#   - runs the stage's RUN commands there, in order, with /out moved into that directory;
#   - checks that the runtime stage's COPY --from=build takes a file the build stage made, that
#     the binaries need no Swift runtime library (--static-swift-stdlib), and that they work:
#     tandem-operator prints the committed CRD, and fraud-server passes hack/e2e-serving.sh
#     (predictions against XGBoost and LightGBM themselves).
# Both Dockerfiles COPY the same files, so their builds share one directory (checked).
# A clean release build: about 6 to 8 minutes on 2 cores. hack/test.sh runs it at low priority
# beside the other end-to-end checks.
# Logs: .build/test-logs/e2e-images*.log.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

LOG_DIR="$REPO_ROOT/.build/test-logs"
mkdir -p "$LOG_DIR"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DOCKERFILES=(Dockerfile Dockerfile.operator)

# stage_instructions DOCKERFILE STAGE: the instructions of stage STAGE (1-based), one per line,
# continuation lines joined, comments dropped.
stage_instructions() {
  awk -v wanted="$2" '
    /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    line ~ /^FROM / { stage++ }
    stage == wanted && line !~ /^[[:space:]]*$/ { print line }
    { line = "" }
  ' "$1"
}

# copy_sources DOCKERFILE: the context paths the build stage COPYs, one per line.
copy_sources() {
  stage_instructions "$1" 1 | awk '$1 == "COPY" && $2 !~ /^--from=/ { for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i }'
}

step "the build stages use the Swift these checks build with"
toolchain=$(swift --version 2>/dev/null | sed -nE 's/.*Swift version ([0-9]+\.[0-9]+(\.[0-9]+)?).*/\1/p' | head -1)
for dockerfile in "${DOCKERFILES[@]}"; do
  expect_equal "$dockerfile builds FROM swift:$toolchain-jammy" "swift:$toolchain-jammy" \
    "$(stage_instructions "$dockerfile" 1 | awk '$1 == "FROM" { print $2; exit }')"
done

step "both Dockerfiles' build stages COPY the same files"
expect_equal "Dockerfile and Dockerfile.operator copy the same context" \
  "$(copy_sources Dockerfile | sort | tr '\n' ' ')" "$(copy_sources Dockerfile.operator | sort | tr '\n' ' ')"

step "assembling the build context from what a clean clone holds"
context="$WORK/src"
mkdir -p "$context"
missing=()
while read -r source; do
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- "$source")
  if [[ ${#files[@]} -eq 0 ]]; then missing+=("$source"); continue; fi
  for file in "${files[@]}"; do
    [[ -e $file ]] || continue # deleted in the work tree, not yet committed
    mkdir -p "$context/$(dirname "$file")"
    cp -p "$file" "$context/$file"
  done
done < <(copy_sources Dockerfile)
expect_equal "every COPY source is in the clone (none ignored or missing)" "" "${missing[*]:-}"
expect_equal "the context holds no ignored file (Package.resolved, .build)" "" \
  "$(cd "$context" && find . -name Package.resolved -o -name .build -o -name '.build*' | head -3)"

for dockerfile in "${DOCKERFILES[@]}"; do
  step "$dockerfile: the build stage's RUN commands (log: .build/test-logs/e2e-images-$dockerfile.log)"
  log="$LOG_DIR/e2e-images-$dockerfile.log"
  : >"$log"
  mapfile -t commands < <(stage_instructions "$dockerfile" 1 | sed -n 's/^RUN //p')
  rc=0
  started=$SECONDS
  for command in "${commands[@]}"; do
    printf '+ %s\n' "$command" >>"$log"
    (cd "$context" && sh -c "${command//\/out\//$WORK/out/}") >>"$log" 2>&1 || { rc=$?; break; }
  done
  if [[ $rc -eq 0 ]]; then
    pass "$dockerfile's build commands succeed in the clean context ($((SECONDS - started)) s)"
  else
    fail "$dockerfile's build commands succeed in the clean context (rc=$rc)"
    tail -n 20 "$log" | sed 's/^/       | /'
  fi
  mapfile -t built < <(stage_instructions "$dockerfile" 2 | awk '$1 == "COPY" && $2 ~ /^--from=build/ { for (i = 3; i < NF; i++) if ($i !~ /^--/) print $i }')
  for path in "${built[@]}"; do
    binary="$WORK/out/${path#/out/}"
    expect_equal "$dockerfile's runtime stage copies $path, which the build stage made" executable \
      "$([[ -x $binary ]] && echo executable || echo missing)"
    expect_equal "$(basename "$path") needs no Swift runtime library (static stdlib)" "" \
      "$(ldd "$binary" 2>/dev/null | grep -oE 'lib(swift|Foundation|dispatch|BlocksRuntime)[^ ]*' | sort -u | tr '\n' ' ')"
  done
done

step "the release binaries work"
if [[ -x "$WORK/out/tandem-operator" ]]; then
  "$WORK/out/tandem-operator" crd >"$WORK/crd.yaml" 2>"$WORK/crd.err" || true
  expect_equal "tandem-operator (release) prints the committed CRD" "" "$(diff crds/tandem.dev_fraudmodels.yaml "$WORK/crd.yaml" | head -5)"
fi
if [[ -x "$WORK/out/fraud-server" ]]; then
  expect_output "fraud-server (release) serves predictions that match XGBoost and LightGBM (hack/e2e-serving.sh)" \
    'all parity, integrity and lifecycle checks passed' -- env FRAUD_SERVER="$WORK/out/fraud-server" bash hack/e2e-serving.sh
fi

summary e2e-images
