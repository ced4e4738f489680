//! Reads a request's body whole, within a short time and a size, before
//! the request competes for a search slot: a client that is slow to send
//! holds its connection, not a permit or a queue place.
//!
//! No route of this API takes a body; one is read (and ignored) so that a
//! request is complete before anything waits on its behalf, and so that
//! the connection can serve the next request.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::Request;
use hyper::body::{Body as _, Incoming};

use crate::error::LookupError;
use crate::state::BodyLimits;

/// `request` with its body read whole, or why it could not be.
pub async fn read_whole(
    request: Request<Incoming>,
    limits: BodyLimits,
) -> Result<Request<Bytes>, LookupError> {
    let (parts, body) = request.into_parts();
    if body.is_end_stream() {
        return Ok(Request::from_parts(parts, Bytes::new()));
    }
    let too_large = || {
        LookupError::PayloadTooLarge(format!(
            "the request body is larger than {} bytes",
            limits.max_bytes
        ))
    };
    if body
        .size_hint()
        .exact()
        .is_some_and(|length| length > limits.max_bytes as u64)
    {
        return Err(too_large());
    }
    let reading = Limited::new(body, limits.max_bytes).collect();
    match tokio::time::timeout(limits.timeout, reading).await {
        Ok(Ok(collected)) => Ok(Request::from_parts(parts, collected.to_bytes())),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(error)) => Err(LookupError::invalid(
            "body",
            format!("the request body could not be read: {error}"),
        )),
        Err(_) => Err(LookupError::RequestTimeout(format!(
            "the request body did not arrive within {} ms",
            limits.timeout.as_millis()
        ))),
    }
}
