# fraud-server image: one image tag per model version.
#
#   docker build --build-arg MODEL_FILE=path/in/context/model.json -t fraud-detector:2.1.0 .
#
# hack/build-image.sh does this (and records the model's sha256 as a label).

# ---- build: a release binary with the Swift runtime linked in statically ----
FROM swift:6.3.1-jammy AS build
WORKDIR /src
# Resolve dependencies first so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# Package.swift names the benchmark target there; without it the manifest does not load.
COPY hack/bench/runtime-bench ./hack/bench/runtime-bench
RUN swift build -c release --product fraud-server --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/fraud-server" /out/fraud-server

# ---- runtime: slim, non-root, model under /models ----
FROM ubuntu:jammy AS runtime
ARG MODEL_FILE=model.json
ARG MODEL_BASENAME=model.json
ARG MODEL_SHA256=""
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libcurl4 libxml2 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin fraud
COPY --from=build /out/fraud-server /usr/local/bin/fraud-server
COPY --chown=root:root --chmod=0444 ${MODEL_FILE} /models/${MODEL_BASENAME}
LABEL org.opencontainers.image.title="fraud-server" \
      dev.tandem.model.sha256="${MODEL_SHA256}"
ENV MODEL_PATH=/models/${MODEL_BASENAME} \
    PORT=8080 \
    LOG_FORMAT=json
USER 10001:10001
EXPOSE 8080
# Liveness: /v2/health/live, readiness: /v2/health/ready (set in the Deployment).
ENTRYPOINT ["/usr/local/bin/fraud-server"]
