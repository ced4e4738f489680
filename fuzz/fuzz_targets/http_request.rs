//! Whole HTTP requests as a hostile client sends them (method, path and
//! query string, body), answered by the HTTP door's handler over a small
//! synthetic index: path resolution, parameter reading, the query parser
//! and the search itself. No answer may be a server error (a 503 only from
//! `/readyz`, whose state is the server's), and every JSON answer must be
//! JSON. Input: one byte choosing the method, the request target up to
//! the first newline, then the body.
#![no_main]

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use voter_lookup::demo::build_demo_index;
use voter_lookup::http::handle;
use voter_lookup::http::routes::{Resolved, RouteId, resolve};
use voter_lookup::index::IndexHandle;
use voter_lookup::search_pool::SearchPool;
use voter_lookup::state::AppState;

struct Fixture {
    state: Arc<AppState>,
    runtime: tokio::runtime::Runtime,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let index = build_demo_index(300, 21).expect("the demo index builds");
        let pool = SearchPool::new(1).expect("the search thread starts");
        let state = AppState::with_pool(IndexHandle::with_index(index), pool);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Fixture {
            state: Arc::new(state),
            runtime,
        }
    })
}

const METHODS: [&str; 8] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (target, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let method = Method::from_bytes(METHODS[usize::from(selector) % METHODS.len()].as_bytes())
        .expect("a method");
    let mut builder = Request::builder().method(method).uri(target);
    if selector & 0x80 != 0 {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    // What hyper would not hand over (no valid request target) is no case.
    let Ok(request) = builder.body(Bytes::copy_from_slice(body)) else {
        return;
    };
    let path = request.uri().path().to_string();
    let fixture = fixture();
    let response = fixture.runtime.block_on(handle(&fixture.state, request));
    let status = response.status();
    let readiness =
        matches!(resolve(&path), Resolved::Route(route, _) if route.id == RouteId::Readyz);
    assert!(
        !status.is_server_error() || (status == StatusCode::SERVICE_UNAVAILABLE && readiness),
        "{status} for {path}"
    );
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == "application/json");
    let bytes = fixture
        .runtime
        .block_on(response.into_body().collect())
        .expect("a full body")
        .to_bytes();
    if json {
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("a JSON answer is JSON");
    }
});
