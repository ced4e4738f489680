//! The two doors, from the client's side: [`http`] (HTTP/1.1 over a
//! keep-alive pool, answers parsed with `httparse`) and [`grpc`] (tonic). Each request is prepared before
//! the run (a URI, a protobuf message), sent with its class's API key and
//! a deadline, and its answer classified into an [`Outcome`].
//!
//! Deadlines: every request tells the server how long the harness will
//! wait (`X-Request-Timeout: <ms>` over HTTP, `grpc-timeout` over gRPC),
//! and the harness itself gives up [`GRACE`] later, counting an error. A
//! server that answers `504`/`DEADLINE_EXCEEDED` in time has shed the
//! request.

pub mod grpc;
pub mod http;
pub mod tls;

use std::fmt;
use std::time::Duration;

use voter_lookup_proto::v1::SearchRequest;

use crate::record::Outcome;
use crate::traffic::Query;

/// How long after its own deadline the harness still waits for an answer,
/// so that the server's `504`/`DEADLINE_EXCEEDED` can arrive first.
pub const GRACE: Duration = Duration::from_millis(250);

/// Why the target could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The `--target` value is not an `http://HOST:PORT` address.
    #[error("--target `{target}`: {message}")]
    Target {
        /// As given.
        target: String,
        /// What is wrong.
        message: String,
    },
    /// Nothing answers at the target.
    #[error("cannot reach {target}: {message}")]
    Connect {
        /// As given.
        target: String,
        /// The cause.
        message: String,
    },
    /// A query made an invalid URI or header.
    #[error("cannot encode a request: {0}")]
    Encode(String),
    /// The TLS settings of an `https://` target cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
}

/// Which door to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// HTTP/1.1 JSON: `GET /v1/search`.
    Http,
    /// gRPC: `voterlookup.v1.VoterLookup/Search`.
    Grpc,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Http => "http",
            Protocol::Grpc => "grpc",
        })
    }
}

/// Where the server is: `http://HOST:PORT` or `https://HOST:PORT`, with
/// an optional path prefix for the HTTP door (a server behind a reverse
/// proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `HOST:PORT`.
    pub authority: String,
    /// Path prefix without a trailing `/` (often empty).
    pub prefix: String,
    /// Whether it speaks TLS (`https://`).
    pub tls: bool,
}

impl Target {
    /// Reads `http://HOST:PORT[/PREFIX]`, `https://…` or `HOST:PORT`.
    pub fn parse(text: &str) -> Result<Target, ClientError> {
        let refuse = |message: &str| ClientError::Target {
            target: text.to_string(),
            message: message.to_string(),
        };
        let (rest, tls) = if let Some(rest) = text.strip_prefix("http://") {
            (rest, false)
        } else if let Some(rest) = text.strip_prefix("https://") {
            (rest, true)
        } else if text.contains("://") {
            return Err(refuse("only http:// and https:// targets are supported"));
        } else {
            (text, false)
        };
        let (authority, prefix) = match rest.find('/') {
            Some(slash) => (&rest[..slash], rest[slash..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let Some((host, port)) = authority.rsplit_once(':') else {
            return Err(refuse("expected HOST:PORT"));
        };
        if host.is_empty() || port.parse::<u16>().is_err() {
            return Err(refuse("expected HOST:PORT with a numeric port"));
        }
        if prefix.contains(['?', '#']) {
            return Err(refuse("a query or fragment has no place in the target"));
        }
        Ok(Target {
            authority: authority.to_string(),
            prefix: prefix.to_string(),
            tls,
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }

    /// The host, without the port (or an IPv6 address's brackets).
    pub fn host(&self) -> &str {
        let host = self
            .authority
            .rsplit_once(':')
            .map_or(self.authority.as_str(), |(host, _)| host);
        host.trim_start_matches('[').trim_end_matches(']')
    }

    /// `http://HOST:PORT` or `https://HOST:PORT`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme(), self.authority)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme(), self.authority, self.prefix)
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// A `GET` of this path.
    Http(http::HttpRequest),
    /// A `Search` call with this message.
    Grpc(SearchRequest),
}

/// Settings both clients share.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The deadline given to each request.
    pub timeout: Duration,
    /// gRPC connections; HTTP connections opened in advance (more are
    /// opened as requests in flight need them).
    pub connections: usize,
    /// `limit` of each search, when set.
    pub limit: Option<u32>,
    /// `departement` of each search, when set.
    pub departement: Option<String>,
    /// For an `https://` target: the CA trusted and the name checked.
    pub tls: Option<tls::ClientTls>,
}

/// A client of one door, cheap to clone into each request's task.
#[derive(Clone)]
pub enum Client {
    /// HTTP/JSON.
    Http(Box<http::HttpClient>),
    /// gRPC.
    Grpc(grpc::GrpcClient),
}

/// A class's API keys, ready to attach to its requests.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    http_keys: Vec<hyper::header::HeaderValue>,
    grpc_keys: Vec<tonic::metadata::AsciiMetadataValue>,
}

impl Identity {
    /// Sends `api_keys` in turn (none: no key).
    pub fn new(api_keys: &[String]) -> Result<Identity, ClientError> {
        let mut identity = Identity::default();
        for key in api_keys {
            let invalid =
                || ClientError::Encode("an API key is not a valid header value".to_string());
            identity
                .http_keys
                .push(hyper::header::HeaderValue::from_str(key).map_err(|_| invalid())?);
            identity.grpc_keys.push(key.parse().map_err(|_| invalid())?);
        }
        Ok(identity)
    }

    fn http_key(&self, turn: usize) -> Option<&hyper::header::HeaderValue> {
        (!self.http_keys.is_empty()).then(|| &self.http_keys[turn % self.http_keys.len()])
    }

    fn grpc_key(&self, turn: usize) -> Option<&tonic::metadata::AsciiMetadataValue> {
        (!self.grpc_keys.is_empty()).then(|| &self.grpc_keys[turn % self.grpc_keys.len()])
    }
}

impl Client {
    /// Connects to `target` over `protocol` (gRPC connects eagerly; HTTP
    /// checks that something listens).
    pub async fn connect(
        target: &Target,
        protocol: Protocol,
        options: &ClientOptions,
    ) -> Result<Client, ClientError> {
        match protocol {
            Protocol::Http => Ok(Client::Http(Box::new(
                http::HttpClient::connect(target, options).await?,
            ))),
            Protocol::Grpc => Ok(Client::Grpc(
                grpc::GrpcClient::connect(target, options).await?,
            )),
        }
    }

    /// The request for a search of `query`.
    pub fn prepare_search(&self, query: &Query) -> Result<Prepared, ClientError> {
        match self {
            Client::Http(client) => client.prepare_search(query).map(Prepared::Http),
            Client::Grpc(client) => Ok(Prepared::Grpc(client.prepare_search(query))),
        }
    }

    /// Sends `request` with the `turn`-th key of `identity`; never fails,
    /// the failure is the outcome.
    pub async fn send(&self, request: Prepared, identity: &Identity, turn: usize) -> Outcome {
        match (self, request) {
            (Client::Http(client), Prepared::Http(request)) => {
                client.send(request, identity.http_key(turn)).await
            }
            (Client::Grpc(client), Prepared::Grpc(message)) => {
                client.send(message, identity.grpc_key(turn)).await
            }
            _ => unreachable!("requests are prepared by the client that sends them"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_http_or_https_addresses() {
        let target = Target::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(target.authority, "127.0.0.1:8080");
        assert_eq!(target.prefix, "");
        assert!(!target.tls);
        assert_eq!(target.to_string(), "http://127.0.0.1:8080");
        let secure = Target::parse("https://voters.example:8443/api").unwrap();
        assert!(secure.tls);
        assert_eq!(secure.host(), "voters.example");
        assert_eq!(secure.origin(), "https://voters.example:8443");
        assert_eq!(secure.to_string(), "https://voters.example:8443/api");
        assert_eq!(Target::parse("https://[::1]:443").unwrap().host(), "::1");
        let proxied = Target::parse("http://gateway:80/voters/").unwrap();
        assert_eq!(proxied.prefix, "/voters");
        assert_eq!(
            Target::parse("localhost:50051").unwrap().authority,
            "localhost:50051"
        );
        for bad in [
            "https://a",
            "ftp://a:1",
            "http://a",
            "http://:80",
            "a:port",
            "http://a:1/x?y",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
