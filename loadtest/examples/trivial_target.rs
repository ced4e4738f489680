//! A server that does no work, to measure the harness's own ceiling.
//!
//! It answers every HTTP request with `200 {}` and every gRPC `Search`
//! with an empty result, so the requests per second `loadtest` reaches
//! against it are bounded by the harness (and the kernel), not by a
//! search. Pin it and the harness to different cores:
//!
//! ```text
//! cargo build --release -p loadtest --example trivial_target
//! taskset -c 0 target/release/examples/trivial_target 127.0.0.1:18080 127.0.0.1:15051 &
//! taskset -c 1 target/release/loadtest run --target http://127.0.0.1:18080 \
//!     --http-path /healthz --rate 50000 --duration 10s
//! taskset -c 1 target/release/loadtest run --target http://127.0.0.1:15051 \
//!     --protocol grpc --query "MARTIN Jean" --rate 30000 --duration 10s
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tonic::Status;
use voter_lookup_proto::v1::voter_lookup_server::{VoterLookup, VoterLookupServer};
use voter_lookup_proto::v1::{
    GetVoterRequest, GetVoterResponse, ListStationsRequest, ListStationsResponse, SearchRequest,
    SearchResponse,
};

/// Answers `Search` at once with nothing found; the rest is not needed.
struct Empty;

#[tonic::async_trait]
impl VoterLookup for Empty {
    async fn search(
        &self,
        _request: tonic::Request<SearchRequest>,
    ) -> Result<tonic::Response<SearchResponse>, Status> {
        Ok(tonic::Response::new(SearchResponse::default()))
    }

    async fn get_voter(
        &self,
        _request: tonic::Request<GetVoterRequest>,
    ) -> Result<tonic::Response<GetVoterResponse>, Status> {
        Err(Status::unimplemented("trivial target: Search only"))
    }

    async fn list_stations(
        &self,
        _request: tonic::Request<ListStationsRequest>,
    ) -> Result<tonic::Response<ListStationsResponse>, Status> {
        Err(Status::unimplemented("trivial target: Search only"))
    }
}

async fn serve_http(address: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let service = service_fn(|_request: Request<hyper::body::Incoming>| async {
                Ok::<_, Infallible>(
                    Response::builder()
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from_static(b"{}")))
                        .expect("a static response is valid"),
                )
            });
            // A client hanging up mid-request is not this server's concern.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn main() -> anyhow::Result<()> {
    let mut arguments = std::env::args().skip(1);
    let http: SocketAddr = arguments
        .next()
        .unwrap_or_else(|| "127.0.0.1:18080".to_string())
        .parse()?;
    let grpc: SocketAddr = arguments
        .next()
        .unwrap_or_else(|| "127.0.0.1:15051".to_string())
        .parse()?;
    // One worker: pinned to one core, the target should not be the limit
    // before the harness is.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        println!("trivial target: HTTP on {http}, gRPC on {grpc}");
        let grpc_server = tonic::transport::Server::builder()
            .add_service(VoterLookupServer::new(Empty))
            .serve(grpc);
        tokio::select! {
            result = serve_http(http) => result.map_err(anyhow::Error::from),
            result = grpc_server => result.map_err(anyhow::Error::from),
        }
    })
}
