//! The gRPC door from the client's side: tonic's generated
//! `VoterLookupClient` over one or more HTTP/2 connections, used in turn,
//! each carrying many calls at once; over TLS (tonic's own, ALPN `h2`) for
//! an `https://` target.
//!
//! Classification: OK is ok, or degraded when the answer says so;
//! RESOURCE_EXHAUSTED is rate limited; UNAVAILABLE is shed (the server's
//! overload answer) unless it says the index is not loaded or it comes
//! from the transport; DEADLINE_EXCEEDED is shed; everything else, and no
//! answer by the harness's deadline, are errors.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tonic::Code;
use tonic::transport::{Channel, Endpoint};
use voter_lookup_proto::v1::SearchRequest;
use voter_lookup_proto::v1::voter_lookup_client::VoterLookupClient;

use super::{ClientError, ClientOptions, GRACE, Target};
use crate::record::{ErrorCause, Outcome};
use crate::traffic::Query;

/// Metadata key carrying a client's API key.
pub const API_KEY_METADATA: &str = "x-api-key";

/// gRPC clients of one server.
#[derive(Clone)]
pub struct GrpcClient {
    channels: Arc<[VoterLookupClient<Channel>]>,
    next: Arc<AtomicUsize>,
    timeout: Duration,
    limit: u32,
    departement: String,
}

impl GrpcClient {
    /// Opens `options.connections` connections to `target`.
    pub async fn connect(
        target: &Target,
        options: &ClientOptions,
    ) -> Result<GrpcClient, ClientError> {
        let endpoint = Endpoint::from_shared(target.origin())
            .map_err(|error| ClientError::Target {
                target: target.to_string(),
                message: error.to_string(),
            })?
            .tcp_nodelay(true)
            .connect_timeout(options.timeout);
        let endpoint = match &options.tls {
            None => endpoint,
            Some(tls) => endpoint
                .tls_config(tls.grpc_config())
                .map_err(|error| ClientError::Tls(error.to_string()))?,
        };
        let mut channels = Vec::with_capacity(options.connections.max(1));
        for _ in 0..options.connections.max(1) {
            let channel = endpoint
                .connect()
                .await
                .map_err(|error| ClientError::Connect {
                    target: target.to_string(),
                    message: match error.source() {
                        Some(source) => format!("{error}: {source}"),
                        None => error.to_string(),
                    },
                })?;
            channels.push(VoterLookupClient::new(channel));
        }
        Ok(GrpcClient {
            channels: channels.into(),
            next: Arc::new(AtomicUsize::new(0)),
            timeout: options.timeout,
            limit: options.limit.unwrap_or(0),
            departement: options.departement.clone().unwrap_or_default(),
        })
    }

    /// The `Search` message for `query`.
    pub fn prepare_search(&self, query: &Query) -> SearchRequest {
        SearchRequest {
            q: query.text.clone(),
            birth_date: query.birth_date.clone().unwrap_or_default(),
            limit: self.limit,
            departement: self.departement.clone(),
            ..SearchRequest::default()
        }
    }

    /// Calls `Search` and classifies the answer.
    pub async fn send(
        &self,
        message: SearchRequest,
        api_key: Option<&tonic::metadata::AsciiMetadataValue>,
    ) -> Outcome {
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.channels.len();
        let mut client = self.channels[turn].clone();
        let mut request = tonic::Request::new(message);
        request.set_timeout(self.timeout);
        if let Some(key) = api_key {
            request.metadata_mut().insert(API_KEY_METADATA, key.clone());
        }
        match tokio::time::timeout(self.timeout + GRACE, client.search(request)).await {
            Err(_) => Outcome::Error(ErrorCause::Timeout),
            Ok(Ok(response)) if response.get_ref().degraded => Outcome::Degraded,
            Ok(Ok(_)) => Outcome::Ok,
            Ok(Err(status)) => classify(&status),
        }
    }
}

/// The outcome of a failed call.
pub fn classify(status: &tonic::Status) -> Outcome {
    let mentions = |needle: &str| {
        status.message().to_ascii_lowercase().contains(needle)
            || status
                .details()
                .windows(needle.len())
                .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
    };
    match status.code() {
        Code::ResourceExhausted => Outcome::RateLimited,
        Code::DeadlineExceeded => Outcome::Shed,
        Code::Unavailable if mentions("index_not_ready") || mentions("no index") => {
            Outcome::Error(ErrorCause::IndexNotReady)
        }
        Code::Unavailable if mentions("overloaded") => Outcome::Shed,
        // tonic reports a refused or broken connection as UNAVAILABLE (or
        // UNKNOWN) with the transport error as its source.
        _ if status.source().is_some() => Outcome::Error(ErrorCause::Transport),
        Code::Unavailable => Outcome::Shed,
        code => Outcome::Error(ErrorCause::GrpcStatus(code as i32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_by_code_and_message() {
        let status = |code, message: &str| tonic::Status::new(code, message);
        assert_eq!(
            classify(&status(Code::ResourceExhausted, "rate limit exceeded")),
            Outcome::RateLimited
        );
        assert_eq!(
            classify(&status(
                Code::Unavailable,
                "server overloaded (in-flight cap), retry in 100 ms"
            )),
            Outcome::Shed
        );
        assert_eq!(
            classify(&status(Code::Unavailable, "draining")),
            Outcome::Shed
        );
        assert_eq!(
            classify(&status(Code::Unavailable, "no index is loaded yet")),
            Outcome::Error(ErrorCause::IndexNotReady)
        );
        assert_eq!(
            classify(&status(Code::DeadlineExceeded, "deadline exceeded")),
            Outcome::Shed
        );
        assert_eq!(
            classify(&status(Code::InvalidArgument, "q: empty")),
            Outcome::Error(ErrorCause::GrpcStatus(Code::InvalidArgument as i32))
        );
        let broken = tonic::Status::from_error(Box::new(std::io::Error::other("connection reset")));
        assert_eq!(classify(&broken), Outcome::Error(ErrorCause::Transport));
    }
}
