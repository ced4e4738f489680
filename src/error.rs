//! What can go wrong with a request, and the one place where each kind of
//! failure becomes an HTTP status and a gRPC code.
//!
//! Both doors call the same search and get the same [`LookupError`]; this
//! module alone decides how each door reports it, so that a client sees one
//! set of meanings whichever door it uses. The table in README.md mirrors
//! [`ErrorKind::http_status`] and [`ErrorKind::grpc_code`].

use std::time::Duration;

/// The kinds of failure a client can tell apart, each with a stable `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A request parameter is missing or malformed.
    InvalidArgument,
    /// The voter or route asked for does not exist.
    NotFound,
    /// The request names a département this server does not hold: it was
    /// sent to the wrong shard.
    NotServed,
    /// The HTTP method is not one the route serves.
    MethodNotAllowed,
    /// An admin call without valid credentials.
    Unauthenticated,
    /// The request took too long to arrive whole.
    RequestTimeout,
    /// The request's body is larger than the server reads.
    PayloadTooLarge,
    /// An admin call while admin calls are disabled.
    PermissionDenied,
    /// A new index was refused; the live one keeps serving.
    ReloadRefused,
    /// The client sent more than its rate allows.
    RateLimited,
    /// The client has been shown as many distinct voters as its quota
    /// allows for the hour or the day.
    QuotaExceeded,
    /// The server is shedding load; retry later.
    Overloaded,
    /// No index is loaded yet.
    IndexNotReady,
    /// The request's deadline passed before it could be served.
    DeadlineExceeded,
    /// A fault of the server.
    Internal,
}

impl ErrorKind {
    /// Every kind, for tests and documentation.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::InvalidArgument,
        ErrorKind::NotFound,
        ErrorKind::NotServed,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Unauthenticated,
        ErrorKind::RequestTimeout,
        ErrorKind::PayloadTooLarge,
        ErrorKind::PermissionDenied,
        ErrorKind::ReloadRefused,
        ErrorKind::RateLimited,
        ErrorKind::QuotaExceeded,
        ErrorKind::Overloaded,
        ErrorKind::IndexNotReady,
        ErrorKind::DeadlineExceeded,
        ErrorKind::Internal,
    ];

    /// The stable `code` of JSON errors (and of the `outcome` metric label).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::NotFound => "not_found",
            ErrorKind::NotServed => "not_served",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::RequestTimeout => "request_timeout",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::ReloadRefused => "reload_refused",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::QuotaExceeded => "quota_exceeded",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::IndexNotReady => "index_not_ready",
            ErrorKind::DeadlineExceeded => "deadline_exceeded",
            ErrorKind::Internal => "internal",
        }
    }

    /// The HTTP status of the kind.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidArgument => 400,
            ErrorKind::NotFound => 404,
            // RFC 9110, 15.5.20: a server that cannot answer for what the
            // request targets; a router may retry it on the right shard.
            ErrorKind::NotServed => 421,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::RequestTimeout => 408,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::PermissionDenied => 403,
            ErrorKind::ReloadRefused => 409,
            ErrorKind::RateLimited | ErrorKind::QuotaExceeded => 429,
            ErrorKind::Overloaded | ErrorKind::IndexNotReady => 503,
            ErrorKind::DeadlineExceeded => 504,
            ErrorKind::Internal => 500,
        }
    }

    /// The gRPC status code of the kind.
    pub fn grpc_code(self) -> tonic::Code {
        match self {
            ErrorKind::InvalidArgument => tonic::Code::InvalidArgument,
            ErrorKind::NotFound => tonic::Code::NotFound,
            ErrorKind::NotServed => tonic::Code::FailedPrecondition,
            ErrorKind::MethodNotAllowed => tonic::Code::Unimplemented,
            ErrorKind::Unauthenticated => tonic::Code::Unauthenticated,
            ErrorKind::RequestTimeout => tonic::Code::DeadlineExceeded,
            ErrorKind::PayloadTooLarge => tonic::Code::ResourceExhausted,
            ErrorKind::PermissionDenied => tonic::Code::PermissionDenied,
            ErrorKind::ReloadRefused => tonic::Code::FailedPrecondition,
            ErrorKind::RateLimited | ErrorKind::QuotaExceeded => tonic::Code::ResourceExhausted,
            ErrorKind::Overloaded | ErrorKind::IndexNotReady => tonic::Code::Unavailable,
            ErrorKind::DeadlineExceeded => tonic::Code::DeadlineExceeded,
            ErrorKind::Internal => tonic::Code::Internal,
        }
    }
}

/// Why a lookup failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookupError {
    /// A parameter is missing or malformed; `parameter` names it as the
    /// client wrote it (`q`, `birth_date`, `limit`, `station`, `order`).
    #[error("{parameter}: {message}")]
    InvalidArgument {
        /// The parameter at fault.
        parameter: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// Nothing exists at what was asked for.
    #[error("{0}")]
    NotFound(String),
    /// The département asked for is not in this server's index.
    #[error("{0}")]
    NotServed(String),
    /// The HTTP method is not served by the route.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Missing or wrong admin credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// The request did not arrive whole in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// The request's body is too large.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The caller's role may not do this (admin calls disabled, a staff
    /// route asked by a kiosk, anonymous callers refused).
    #[error("{0}")]
    PermissionDenied(String),
    /// A new index failed a check; the live one keeps serving.
    #[error("new index refused, the live one keeps serving: {0}")]
    ReloadRefused(String),
    /// The client's rate is exceeded.
    #[error("rate limit exceeded, retry in {} ms", retry_after.as_millis())]
    RateLimited {
        /// When a retry may succeed.
        retry_after: Duration,
    },
    /// The client, or its connection, has too many requests in flight.
    #[error("too many requests in flight from this {scope}, retry in {} ms", retry_after.as_millis())]
    TooManyInFlight {
        /// `connection` or `client`.
        scope: &'static str,
        /// When a retry may succeed.
        retry_after: Duration,
    },
    /// The client has been shown as many distinct voters as it may be in
    /// the hour or the day.
    #[error("quota of {limit} distinct voters per {window} reached, retry in {} s", retry_after.as_secs())]
    QuotaExceeded {
        /// `hour` or `day`.
        window: &'static str,
        /// The quota.
        limit: u32,
        /// When the window ends.
        retry_after: Duration,
    },
    /// The server sheds this request to stay responsive.
    #[error("server overloaded ({reason}), retry in {} ms", retry_after.as_millis())]
    Overloaded {
        /// Why it was shed.
        reason: &'static str,
        /// When a retry may succeed.
        retry_after: Duration,
    },
    /// No index is loaded yet.
    #[error("no index is loaded yet")]
    IndexNotReady,
    /// The deadline passed before the work could start or finish.
    #[error("deadline exceeded")]
    DeadlineExceeded,
    /// A fault of the server, not of the request.
    #[error("internal error: {0}")]
    Internal(String),
}

impl LookupError {
    /// A bad parameter.
    pub fn invalid(parameter: &'static str, message: impl Into<String>) -> LookupError {
        LookupError::InvalidArgument {
            parameter,
            message: message.into(),
        }
    }

    /// The kind, for the doors' mapping.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LookupError::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            LookupError::NotFound(_) => ErrorKind::NotFound,
            LookupError::NotServed(_) => ErrorKind::NotServed,
            LookupError::MethodNotAllowed(_) => ErrorKind::MethodNotAllowed,
            LookupError::Unauthenticated(_) => ErrorKind::Unauthenticated,
            LookupError::RequestTimeout(_) => ErrorKind::RequestTimeout,
            LookupError::PayloadTooLarge(_) => ErrorKind::PayloadTooLarge,
            LookupError::PermissionDenied(_) => ErrorKind::PermissionDenied,
            LookupError::ReloadRefused(_) => ErrorKind::ReloadRefused,
            LookupError::RateLimited { .. } | LookupError::TooManyInFlight { .. } => {
                ErrorKind::RateLimited
            }
            LookupError::QuotaExceeded { .. } => ErrorKind::QuotaExceeded,
            LookupError::Overloaded { .. } => ErrorKind::Overloaded,
            LookupError::IndexNotReady => ErrorKind::IndexNotReady,
            LookupError::DeadlineExceeded => ErrorKind::DeadlineExceeded,
            LookupError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The parameter at fault, for an invalid argument.
    pub fn parameter(&self) -> Option<&'static str> {
        match self {
            LookupError::InvalidArgument { parameter, .. } => Some(parameter),
            _ => None,
        }
    }

    /// When the client may retry, for refusals under load.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LookupError::RateLimited { retry_after }
            | LookupError::TooManyInFlight { retry_after, .. }
            | LookupError::QuotaExceeded { retry_after, .. }
            | LookupError::Overloaded { retry_after, .. } => Some(*retry_after),
            LookupError::IndexNotReady => Some(Duration::from_secs(1)),
            _ => None,
        }
    }
}

impl From<tantivy::TantivyError> for LookupError {
    fn from(error: tantivy::TantivyError) -> Self {
        LookupError::Internal(error.to_string())
    }
}

impl From<std::io::Error> for LookupError {
    fn from(error: std::io::Error) -> Self {
        LookupError::Internal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_distinct_code_and_a_consistent_mapping() {
        let mut codes: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        let expected = [
            (
                ErrorKind::InvalidArgument,
                400,
                tonic::Code::InvalidArgument,
            ),
            (ErrorKind::NotFound, 404, tonic::Code::NotFound),
            (ErrorKind::MethodNotAllowed, 405, tonic::Code::Unimplemented),
            (
                ErrorKind::Unauthenticated,
                401,
                tonic::Code::Unauthenticated,
            ),
            (
                ErrorKind::RequestTimeout,
                408,
                tonic::Code::DeadlineExceeded,
            ),
            (
                ErrorKind::PayloadTooLarge,
                413,
                tonic::Code::ResourceExhausted,
            ),
            (
                ErrorKind::PermissionDenied,
                403,
                tonic::Code::PermissionDenied,
            ),
            (
                ErrorKind::ReloadRefused,
                409,
                tonic::Code::FailedPrecondition,
            ),
            (ErrorKind::RateLimited, 429, tonic::Code::ResourceExhausted),
            (
                ErrorKind::QuotaExceeded,
                429,
                tonic::Code::ResourceExhausted,
            ),
            (ErrorKind::Overloaded, 503, tonic::Code::Unavailable),
            (ErrorKind::IndexNotReady, 503, tonic::Code::Unavailable),
            (
                ErrorKind::DeadlineExceeded,
                504,
                tonic::Code::DeadlineExceeded,
            ),
            (ErrorKind::Internal, 500, tonic::Code::Internal),
            (ErrorKind::NotServed, 421, tonic::Code::FailedPrecondition),
        ];
        for (kind, status, code) in expected {
            assert_eq!(kind.http_status(), status, "{kind:?}");
            assert_eq!(kind.grpc_code(), code, "{kind:?}");
        }
    }

    #[test]
    fn every_error_has_its_kind() {
        let errors = [
            LookupError::invalid("q", "empty"),
            LookupError::NotFound("no voter".into()),
            LookupError::NotServed("not département 59".into()),
            LookupError::MethodNotAllowed("use GET".into()),
            LookupError::Unauthenticated("no token".into()),
            LookupError::RequestTimeout("body too slow".into()),
            LookupError::PayloadTooLarge("body too large".into()),
            LookupError::PermissionDenied("disabled".into()),
            LookupError::ReloadRefused("checksum".into()),
            LookupError::RateLimited {
                retry_after: Duration::from_secs(1),
            },
            LookupError::QuotaExceeded {
                window: "hour",
                limit: 60,
                retry_after: Duration::from_secs(600),
            },
            LookupError::Overloaded {
                reason: "queue full",
                retry_after: Duration::from_secs(1),
            },
            LookupError::IndexNotReady,
            LookupError::DeadlineExceeded,
            LookupError::Internal("boom".into()),
        ];
        let kinds: Vec<ErrorKind> = errors.iter().map(LookupError::kind).collect();
        assert_eq!(kinds, ErrorKind::ALL);
        assert_eq!(errors[0].to_string(), "q: empty");
        assert_eq!(errors[0].parameter(), Some("q"));
        assert!(errors[9].retry_after().is_some(), "rate limited");
        let capped = LookupError::TooManyInFlight {
            scope: "connection",
            retry_after: Duration::from_secs(1),
        };
        assert_eq!(capped.kind(), ErrorKind::RateLimited);
        assert!(capped.retry_after().is_some());
        assert!(
            capped
                .to_string()
                .starts_with("too many requests in flight from this connection")
        );
    }
}
