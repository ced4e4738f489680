//! The pages the HTTP door serves to browsers: the kiosk page (`/`,
//! `/kiosk`), where a voter finds their polling station on a touch screen,
//! and the desk page (`/desk`), where staff with a key look voters up.
//!
//! Everything is embedded in the binary (`pages/`: HTML, one style sheet,
//! the scripts), so the pages work on a closed network: no font, script or
//! style is fetched from anywhere else, and the Content Security Policy
//! forbids it. The pages call `POST /v1/search` on the same origin, so that
//! names and birth dates never appear in a URL, a history or a log line.
//! No inline script or style: the kiosk's timers reach its script as
//! `data-` attributes of the page's `<body>`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue};

use super::Body;
use crate::state::KioskTimers;

/// A page or an asset of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The kiosk page.
    Kiosk,
    /// The desk page.
    Desk,
    /// The style sheet both pages share.
    Style,
    /// The search call and its refusals, shared by both scripts.
    LookupScript,
    /// The kiosk page's script.
    KioskScript,
    /// The desk page's script.
    DeskScript,
    /// The pages' icon (without it, browsers ask for `/favicon.ico`).
    Icon,
}

/// Where the pages may load anything from: their own origin, for their
/// scripts, style sheet and the search call, and nowhere else. No inline
/// script or style, no form posted anywhere, no frame around them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; \
     frame-ancestors 'none'; base-uri 'none'";

const KIOSK_HTML: &str = include_str!("pages/kiosk.html");
const DESK_HTML: &str = include_str!("pages/desk.html");
const STYLE_CSS: &str = include_str!("pages/pages.css");
const LOOKUP_JS: &str = include_str!("pages/lookup.js");
const KIOSK_JS: &str = include_str!("pages/kiosk.js");
const DESK_JS: &str = include_str!("pages/desk.js");
const ICON_SVG: &str = include_str!("pages/icon.svg");

/// Placeholders of the kiosk page, replaced by its timers in seconds.
const IDLE_RESET_SLOT: &str = "{{idle_reset_seconds}}";
const ANSWER_SHOWN_SLOT: &str = "{{answer_shown_seconds}}";

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

impl Page {
    /// Its content type and content, the kiosk page with `timers` written
    /// in.
    pub fn content(self, timers: KioskTimers) -> (&'static str, Bytes) {
        match self {
            Page::Kiosk => (
                HTML,
                Bytes::from(
                    KIOSK_HTML
                        .replace(IDLE_RESET_SLOT, &timers.idle_reset.as_secs().to_string())
                        .replace(
                            ANSWER_SHOWN_SLOT,
                            &timers.answer_shown.as_secs().to_string(),
                        ),
                ),
            ),
            Page::Desk => (HTML, Bytes::from_static(DESK_HTML.as_bytes())),
            Page::Style => (CSS, Bytes::from_static(STYLE_CSS.as_bytes())),
            Page::LookupScript => (JAVASCRIPT, Bytes::from_static(LOOKUP_JS.as_bytes())),
            Page::KioskScript => (JAVASCRIPT, Bytes::from_static(KIOSK_JS.as_bytes())),
            Page::DeskScript => (JAVASCRIPT, Bytes::from_static(DESK_JS.as_bytes())),
            Page::Icon => (SVG, Bytes::from_static(ICON_SVG.as_bytes())),
        }
    }

    /// True for the HTML pages, false for their assets.
    pub fn is_document(self) -> bool {
        matches!(self, Page::Kiosk | Page::Desk)
    }
}

/// The headers every page and asset carries: what a public page needs.
const PAGE_HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    // For browsers older than `frame-ancestors`.
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// The response serving `page`, with the headers a public page needs.
pub fn response(page: Page, timers: KioskTimers) -> Response<Body> {
    let (content_type, content) = page.content(timers);
    let mut response = Response::new(Full::new(content));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in PAGE_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    // A page is never kept, so that the back button or a cache never shows
    // one voter's screen to the next; the assets are checked again at each
    // load, so that a new binary's pages never run an old script.
    let cache = if page.is_document() {
        "no-store"
    } else {
        "no-cache"
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const ALL: [Page; 7] = [
        Page::Kiosk,
        Page::Desk,
        Page::Style,
        Page::LookupScript,
        Page::KioskScript,
        Page::DeskScript,
        Page::Icon,
    ];

    #[test]
    fn the_kiosk_page_carries_its_timers_and_no_placeholder() {
        let timers = KioskTimers {
            idle_reset: Duration::from_secs(45),
            answer_shown: Duration::from_secs(12),
        };
        let (_, page) = Page::Kiosk.content(timers);
        let page = std::str::from_utf8(&page).unwrap();
        assert!(page.contains(r#"data-idle-reset-seconds="45""#), "{page}");
        assert!(page.contains(r#"data-answer-shown-seconds="12""#), "{page}");
        for page in ALL {
            let (_, content) = page.content(timers);
            let text = std::str::from_utf8(&content).unwrap();
            assert!(!text.contains("{{"), "{page:?} has a placeholder left");
        }
    }

    #[test]
    fn no_page_reaches_outside_its_origin() {
        for page in ALL {
            let (_, content) = page.content(KioskTimers::default());
            let text = std::str::from_utf8(&content).unwrap();
            // An SVG names its namespace, which is never fetched.
            let text = text.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            for outside in ["http://", "https://", "//cdn", "@import", "url("] {
                assert!(
                    !text.contains(outside),
                    "{page:?} names `{outside}`: pages must work on a closed network"
                );
            }
        }
    }

    #[test]
    fn the_html_pages_have_no_inline_script_or_style() {
        for page in [Page::Kiosk, Page::Desk] {
            let (_, content) = page.content(KioskTimers::default());
            let text = std::str::from_utf8(&content).unwrap();
            assert!(text.starts_with("<!DOCTYPE html>"), "{page:?}");
            assert!(text.contains(r#"<html lang="fr">"#), "{page:?}");
            // Every script is a file of this origin; no handler attribute,
            // no style attribute or element (the policy would block them).
            for script in text.split("<script").skip(1) {
                let tag = &script[..script.find('>').unwrap()];
                assert!(tag.contains(r#"src="/assets/"#), "{page:?}: <script{tag}>");
                assert!(script[tag.len() + 1..].starts_with("</script>"), "{page:?}");
            }
            for inline in [" onclick=", " onload=", " onsubmit=", " style=", "<style"] {
                assert!(!text.contains(inline), "{page:?} has `{inline}`");
            }
        }
    }
}
