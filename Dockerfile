# voter-lookup: build once, run the server and the builder from a small image.
#
#   docker build -t voter-lookup .
#   docker run --rm -p 8080:8080 -p 50051:50051 voter-lookup demo --http 0.0.0.0:8080 --grpc 0.0.0.0:50051
#   docker run --rm -v /srv/voter-lookup:/srv/voter-lookup:ro -p 8080:8080 -p 50051:50051 \
#       -e VOTER_LOOKUP_ADMIN_TOKEN=... voter-lookup serve --index-root /srv/voter-lookup \
#       --http 0.0.0.0:8080 --grpc 0.0.0.0:50051
#   docker run --rm -v /srv/voter-lookup:/srv/voter-lookup -v "$PWD":/in:ro --entrypoint index-builder \
#       voter-lookup build --roll /in/roll.csv --stations /in/stations.csv --publish /srv/voter-lookup
#
# Base images are pinned to exact releases (Rust 1.95.0, Debian 12.11); pin
# them by digest too (`FROM rust:1.95.0-bookworm@sha256:…`) from your
# registry when you mirror them.

FROM rust:1.95.0-bookworm AS build
WORKDIR /src

# Dependencies first, in their own layer: the manifests, the proto crate
# (it changes rarely) and empty stand-ins for every other target. This layer
# is rebuilt only when Cargo.toml, Cargo.lock or the proto change.
COPY Cargo.toml Cargo.lock ./
COPY core/Cargo.toml core/
COPY index-builder/Cargo.toml index-builder/
COPY loadtest/Cargo.toml loadtest/
COPY proto proto
COPY .ci/release-build .ci/
RUN mkdir -p src/bin benches core/src index-builder/src loadtest/src \
 && touch src/lib.rs core/src/lib.rs loadtest/src/lib.rs \
 && for main in src/main.rs src/bin/search-eval.rs index-builder/src/main.rs loadtest/src/main.rs \
        benches/search.rs benches/search_latency.rs benches/normalise.rs benches/reader.rs \
        benches/build.rs benches/metrics.rs benches/admission.rs; do \
      echo 'fn main() {}' > "$main"; \
    done \
 && .ci/release-build \
 && rm -rf src benches core/src index-builder/src loadtest/src

# Then the sources. Their files may be older than the stand-ins: touch
# them so cargo rebuilds the workspace crates.
COPY . .
# The proto is compiled by a pure-Rust compiler: no protoc needed.
RUN find src core/src index-builder/src loadtest/src benches -name '*.rs' -exec touch {} + \
 && .ci/release-build \
 && strip target/release/voter-lookup target/release/index-builder

FROM debian:12.11-slim
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin voter-lookup
COPY --from=build /src/target/release/voter-lookup /usr/local/bin/voter-lookup
COPY --from=build /src/target/release/index-builder /usr/local/bin/index-builder
# A numeric user, so that Kubernetes can check runAsNonRoot.
USER 10001:10001
EXPOSE 8080 50051
ENV VOTER_LOOKUP_LOG_FORMAT=json
# Orchestrator probes: GET /healthz (alive) and GET /readyz (an index is
# loaded and requests are accepted) on the HTTP port; gRPC clients can use
# grpc.health.v1.
ENTRYPOINT ["/usr/local/bin/voter-lookup"]
CMD ["demo", "--http", "0.0.0.0:8080", "--grpc", "0.0.0.0:50051"]
