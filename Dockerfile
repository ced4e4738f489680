# voter-lookup: build once, run the server and the builder from a small image.
#
#   docker build -t voter-lookup .
#   docker run --rm -p 8080:8080 -p 50051:50051 voter-lookup demo --http 0.0.0.0:8080 --grpc 0.0.0.0:50051
#   docker run --rm -v /srv/voter-lookup:/srv/voter-lookup -p 8080:8080 -p 50051:50051 \
#       -e VOTER_LOOKUP_ADMIN_TOKEN=... voter-lookup serve --index-root /srv/voter-lookup \
#       --http 0.0.0.0:8080 --grpc 0.0.0.0:50051

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The proto is compiled by a pure-Rust compiler: no protoc needed.
RUN cargo build --release --locked -p voter-lookup -p index-builder --bins \
 && strip target/release/voter-lookup target/release/index-builder

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent voter-lookup
COPY --from=build /src/target/release/voter-lookup /usr/local/bin/voter-lookup
COPY --from=build /src/target/release/index-builder /usr/local/bin/index-builder
USER voter-lookup
EXPOSE 8080 50051
ENV VOTER_LOOKUP_LOG_FORMAT=json
# Orchestrator probes: GET /healthz (alive) and GET /readyz (an index is
# loaded and requests are accepted) on the HTTP port; gRPC clients can use
# grpc.health.v1.
ENTRYPOINT ["/usr/local/bin/voter-lookup"]
CMD ["demo", "--http", "0.0.0.0:8080", "--grpc", "0.0.0.0:50051"]
