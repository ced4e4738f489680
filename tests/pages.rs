//! The kiosk page and the desk page as the HTTP door serves them: every
//! page and asset of the route table answers with its content type and the
//! headers a public page needs (Content Security Policy without inline
//! script, no referrer, no sniffing, no caching of a page), names nothing
//! outside its origin, and loads only assets the server serves. What the
//! pages do in a browser is `tests/browser/pages.test.mjs` (headless
//! Chromium, run by `.ci/run`).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{TEST_VOTERS, TestServer, raw_request};
use voter_lookup::http::pages::{CONTENT_SECURITY_POLICY, Page};
use voter_lookup::http::routes::{ROUTES, RouteId};
use voter_lookup::index::IndexHandle;
use voter_lookup::state::{AppState, KioskTimers};

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Every page route of the table, with its page.
fn page_routes() -> Vec<(&'static str, Page)> {
    ROUTES
        .iter()
        .filter_map(|route| match route.id {
            RouteId::Page(page) => Some((route.path, page)),
            _ => None,
        })
        .collect()
}

/// The local paths a page's `src` and `href` attributes name.
fn linked_paths(html: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for part in html.split(attribute).skip(1) {
            paths.push(part[..part.find('"').unwrap()].to_string());
        }
    }
    paths
}

#[tokio::test]
async fn every_page_and_asset_is_served_with_its_type_and_the_public_page_headers() {
    let server = TestServer::start_generated(TEST_VOTERS, 3).await;
    let routes = page_routes();
    assert!(routes.len() >= 7, "{routes:?}");
    for (path, page) in routes {
        let (status, headers, body) = server.get(path).await;
        assert_eq!(status, 200, "{path}");
        let content_type = header(&headers, "content-type").unwrap();
        let expected = match page {
            Page::Kiosk | Page::Desk => "text/html; charset=utf-8",
            Page::Style => "text/css; charset=utf-8",
            Page::LookupScript | Page::KioskScript | Page::DeskScript => {
                "text/javascript; charset=utf-8"
            }
            Page::Icon => "image/svg+xml",
        };
        assert_eq!(content_type, expected, "{path}");
        let policy = header(&headers, "content-security-policy").unwrap();
        assert_eq!(policy, CONTENT_SECURITY_POLICY);
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"));
        assert_eq!(header(&headers, "referrer-policy"), Some("no-referrer"));
        assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&headers, "x-frame-options"), Some("DENY"));
        let cache = header(&headers, "cache-control").unwrap();
        if page.is_document() {
            assert_eq!(cache, "no-store", "{path}");
        } else {
            assert!(cache.starts_with("no-"), "{path}: {cache}");
        }
        assert!(header(&headers, "x-request-id").is_some(), "{path}");
        assert!(!body.is_empty(), "{path}");
        let text = String::from_utf8(body).expect("pages are UTF-8");
        let text = text.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for outside in ["http://", "https://", "//cdn", "@import", "url("] {
            assert!(!text.contains(outside), "{path} names `{outside}`");
        }
    }
}

#[tokio::test]
async fn the_pages_load_only_what_the_server_serves() {
    let server = TestServer::start_generated(TEST_VOTERS, 3).await;
    for path in ["/", "/kiosk", "/desk"] {
        let (status, _, body) = server.get(path).await;
        assert_eq!(status, 200);
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains("<html lang=\"fr\">"), "{path}");
        let linked = linked_paths(&html);
        assert!(linked.len() >= 3, "{path}: {linked:?}");
        for linked in linked {
            assert!(linked.starts_with("/assets/"), "{path} links {linked}");
            let (status, _, _) = server.get(&linked).await;
            assert_eq!(status, 200, "{path} links {linked}");
        }
        // No inline script: the policy would block it.
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(" type=\"module\" src=\"/assets/"),
                "{path}"
            );
        }
    }
    // Scripts import only their siblings.
    let (_, _, kiosk) = server.get("/assets/kiosk.js").await;
    let kiosk = String::from_utf8(kiosk).unwrap();
    assert!(kiosk.contains("from './lookup.js'"));
    // The search is a POST: names and dates never in a URL.
    let (_, _, lookup) = server.get("/assets/lookup.js").await;
    let lookup = String::from_utf8(lookup).unwrap();
    assert!(lookup.contains("method: 'POST'"));
    assert!(kiosk.contains("view: 'kiosk'"));
}

#[tokio::test]
async fn the_kiosk_page_carries_the_configured_timers() {
    let state = AppState::new(IndexHandle::default()).with_kiosk_timers(KioskTimers {
        idle_reset: Duration::from_secs(42),
        answer_shown: Duration::from_secs(9),
    });
    let server = TestServer::start_state(Arc::new(state)).await;
    for path in ["/", "/kiosk"] {
        let (status, _, body) = server.get(path).await;
        // Served without an index: the page itself says when it is not ready.
        assert_eq!(status, 200);
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains("data-idle-reset-seconds=\"42\""), "{html}");
        assert!(html.contains("data-answer-shown-seconds=\"9\""), "{html}");
    }
    let (_, _, body) = TestServer::start(IndexHandle::default())
        .await
        .get("/")
        .await;
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("data-idle-reset-seconds=\"60\""));
}

#[tokio::test]
async fn pages_answer_head_refuse_other_methods_and_are_not_api_paths() {
    let server = TestServer::start(IndexHandle::default()).await;
    let (status, headers, body) = raw_request(
        server.http,
        "HEAD /desk HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.is_empty());
    assert_eq!(header(&headers, "cache-control"), Some("no-store"));
    let (status, _, _) = raw_request(
        server.http,
        "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 405);
    let (status, _, _) = server.get("/assets/other.js").await;
    assert_eq!(status, 404);
    let (status, _, _) = server.get("/assets/../kiosk").await;
    assert_eq!(status, 404);
    // Documents for browsers, not API: the OpenAPI document leaves them out.
    let (_, document) = server.get_json("/openapi.json").await;
    let paths = document["paths"].as_object().unwrap();
    for (path, _) in page_routes() {
        assert!(!paths.contains_key(path), "{path} is in the API document");
    }
}
