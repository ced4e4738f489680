//! The HTTP door's routes, in one typed table: what the router dispatches
//! on, what admission governs, how metrics label a request and which paths
//! the OpenAPI document describes all come from [`ROUTES`].
//!
//! A request's path is read once, by [`resolve`], before admission or the
//! router sees it: slashes at either end are dropped (`//v1/…`, a trailing
//! `/`) and each segment is percent-decoded, so those spellings of a route
//! are governed, counted and answered exactly like the route itself. An
//! empty segment inside the path stays one: it can only be a parameter
//! (`/v1/voters//1` asks for station ``, which the service refuses as the
//! gRPC door does), so `/v1//search` is no route (404).
//! Segments are split before they are decoded: an encoded slash (`%2F`) is
//! data inside a parameter (`/v1/voters/00%2F01/3` asks for station
//! `00/01`, which the service refuses as such) and never a separator, so
//! `/v1%2Fsearch` is no route (404). A dot segment (`.`, `..`, encoded or
//! not) or a segment that is not UTF-8 once decoded is refused as no route
//! too. Routes are case sensitive: `/V1/search` is no route either.

use http::Method as HttpMethod;

use super::pages::Page;
use crate::metrics::Method as MetricMethod;

/// Path of the search.
pub const SEARCH_PATH: &str = "/v1/search";
/// Path template of the voters at one line of a signing sheet.
pub const VOTERS_PATH: &str = "/v1/voters/{station}/{order}";
/// Path of the stations list.
pub const STATIONS_PATH: &str = "/v1/stations";
/// Liveness probe.
pub const HEALTHZ_PATH: &str = "/healthz";
/// Readiness probe.
pub const READYZ_PATH: &str = "/readyz";
/// Prometheus metrics.
pub const METRICS_PATH: &str = "/metrics";
/// The server's day, minute by minute: what `voter-lookup weather` reads.
pub const STATUS_PATH: &str = "/v1/status";
/// The OpenAPI document.
pub const OPENAPI_PATH: &str = "/openapi.json";
/// Path prefix of the admin calls.
pub const ADMIN_PREFIX: &str = "/v1/admin/";
/// Admin call: put the published index live.
pub const ADMIN_RELOAD_PATH: &str = "/v1/admin/reload";
/// Admin call: go back to the index served before.
pub const ADMIN_ROLLBACK_PATH: &str = "/v1/admin/rollback";
/// The kiosk page, at the root: what a tablet in the town-hall lobby opens.
pub const HOME_PATH: &str = "/";
/// The kiosk page under its own name.
pub const KIOSK_PATH: &str = "/kiosk";
/// The desk page, for staff with a key.
pub const DESK_PATH: &str = "/desk";
/// The pages' style sheet.
pub const STYLE_PATH: &str = "/assets/pages.css";
/// What both pages' scripts share: the search call and its refusals.
pub const LOOKUP_SCRIPT_PATH: &str = "/assets/lookup.js";
/// The kiosk page's script.
pub const KIOSK_SCRIPT_PATH: &str = "/assets/kiosk.js";
/// The desk page's script.
pub const DESK_SCRIPT_PATH: &str = "/assets/desk.js";
/// The pages' icon.
pub const ICON_PATH: &str = "/assets/icon.svg";

/// Which route a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteId {
    /// `GET /v1/search`, `POST /v1/search`.
    Search,
    /// `GET /v1/voters/{station}/{order}`.
    Voters,
    /// `GET /v1/stations`.
    Stations,
    /// `GET /healthz`.
    Healthz,
    /// `GET /readyz`.
    Readyz,
    /// `GET /metrics`.
    Metrics,
    /// `GET /v1/status`.
    Status,
    /// `GET /openapi.json`.
    OpenApi,
    /// `POST /v1/admin/reload`.
    AdminReload,
    /// `POST /v1/admin/rollback`.
    AdminRollback,
    /// A page or one of its assets, embedded in the binary.
    Page(Page),
}

/// Which listening address answers a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The public door: lookups, pages, the API description.
    Public,
    /// Operators only: metrics, the status history and admin calls, moved
    /// to `--admin-listen` when it is set.
    Operator,
    /// Health probes: answered on both.
    Probe,
}

impl RouteId {
    /// Where the route is answered.
    pub fn scope(self) -> Scope {
        match self {
            RouteId::Metrics | RouteId::Status | RouteId::AdminReload | RouteId::AdminRollback => {
                Scope::Operator
            }
            RouteId::Healthz | RouteId::Readyz => Scope::Probe,
            _ => Scope::Public,
        }
    }
}

/// What an HTTP listener answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The HTTP door; `operator_apart` when metrics and admin calls have
    /// their own address.
    Door {
        /// True with `--admin-listen`.
        operator_apart: bool,
    },
    /// The `--admin-listen` address: metrics, admin calls, probes.
    Admin,
}

impl Listener {
    /// True when this listener answers `scope`.
    pub fn serves(self, scope: Scope) -> bool {
        match (self, scope) {
            (_, Scope::Probe) => true,
            (Listener::Door { operator_apart }, Scope::Operator) => !operator_apart,
            (Listener::Door { .. }, Scope::Public) => true,
            (Listener::Admin, Scope::Operator) => true,
            (Listener::Admin, Scope::Public) => false,
        }
    }
}

/// The methods a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbs {
    /// `GET` and `HEAD`.
    Read,
    /// `POST` only.
    Post,
    /// `GET`, `HEAD` and `POST` (a search: `POST` keeps names and birth
    /// dates out of URLs).
    ReadOrPost,
}

impl Verbs {
    /// True when `method` is one of them.
    pub fn allow(self, method: &HttpMethod) -> bool {
        match self {
            Verbs::Read => method == HttpMethod::GET || method == HttpMethod::HEAD,
            Verbs::Post => method == HttpMethod::POST,
            Verbs::ReadOrPost => Verbs::Read.allow(method) || method == HttpMethod::POST,
        }
    }

    /// How a 405 names them.
    pub fn name(self) -> &'static str {
        match self {
            Verbs::Read => "GET",
            Verbs::Post => "POST",
            Verbs::ReadOrPost => "GET or POST",
        }
    }

    /// The `Allow` header of a 405 (RFC 9110, section 15.5.6).
    pub const fn allow_header(self) -> &'static str {
        match self {
            Verbs::Read => "GET, HEAD",
            Verbs::Post => "POST",
            Verbs::ReadOrPost => "GET, HEAD, POST",
        }
    }
}

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// What it is.
    pub id: RouteId,
    /// Its path template, as the OpenAPI document writes it (`{name}` for
    /// a parameter, one whole segment).
    pub path: &'static str,
    /// The methods it answers.
    pub verbs: Verbs,
    /// True when its requests pass admission control (class, rate limits,
    /// deadline, concurrency limit); health, metrics, the API description
    /// and admin calls bypass it, so that an overloaded server still says
    /// how it is.
    pub admitted: bool,
    /// Its label in the request metrics.
    pub metric: MetricMethod,
}

/// Every route of the HTTP door.
pub const ROUTES: [Route; 18] = [
    route(
        RouteId::Search,
        SEARCH_PATH,
        Verbs::ReadOrPost,
        true,
        MetricMethod::Search,
    ),
    route(
        RouteId::Voters,
        VOTERS_PATH,
        Verbs::Read,
        true,
        MetricMethod::GetVoter,
    ),
    route(
        RouteId::Stations,
        STATIONS_PATH,
        Verbs::Read,
        true,
        MetricMethod::ListStations,
    ),
    route(
        RouteId::Healthz,
        HEALTHZ_PATH,
        Verbs::Read,
        false,
        MetricMethod::Other,
    ),
    route(
        RouteId::Readyz,
        READYZ_PATH,
        Verbs::Read,
        false,
        MetricMethod::Other,
    ),
    route(
        RouteId::Metrics,
        METRICS_PATH,
        Verbs::Read,
        false,
        MetricMethod::Other,
    ),
    // Bypasses admission like metrics: a server that sheds lookups still
    // says how its day went.
    route(
        RouteId::Status,
        STATUS_PATH,
        Verbs::Read,
        false,
        MetricMethod::Other,
    ),
    route(
        RouteId::OpenApi,
        OPENAPI_PATH,
        Verbs::Read,
        false,
        MetricMethod::Other,
    ),
    route(
        RouteId::AdminReload,
        ADMIN_RELOAD_PATH,
        Verbs::Post,
        false,
        MetricMethod::Other,
    ),
    route(
        RouteId::AdminRollback,
        ADMIN_ROLLBACK_PATH,
        Verbs::Post,
        false,
        MetricMethod::Other,
    ),
    // The pages and their assets cost no search: they bypass admission,
    // so that a kiosk still shows its page, and the busy message, when
    // lookups are refused.
    page(Page::Kiosk, HOME_PATH),
    page(Page::Kiosk, KIOSK_PATH),
    page(Page::Desk, DESK_PATH),
    page(Page::Style, STYLE_PATH),
    page(Page::LookupScript, LOOKUP_SCRIPT_PATH),
    page(Page::KioskScript, KIOSK_SCRIPT_PATH),
    page(Page::DeskScript, DESK_SCRIPT_PATH),
    page(Page::Icon, ICON_PATH),
];

const fn page(page: Page, path: &'static str) -> Route {
    route(
        RouteId::Page(page),
        path,
        Verbs::Read,
        false,
        MetricMethod::Page,
    )
}

const fn route(
    id: RouteId,
    path: &'static str,
    verbs: Verbs,
    admitted: bool,
    metric: MetricMethod,
) -> Route {
    Route {
        id,
        path,
        verbs,
        admitted,
        metric,
    }
}

/// Most segments a path may have: more than any route, so a longer path is
/// no route without reading the rest of it.
const MAX_SEGMENTS: usize = 8;

/// What a request's path names, read once at the door and kept in the
/// request's extensions for admission, the router and the metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A route, with its path parameters decoded, in template order.
    Route(&'static Route, Vec<String>),
    /// No route; the message says why.
    NoRoute {
        /// The path as sent.
        path: String,
        /// Why a spelling is refused; `None` for a path no route has.
        reason: Option<&'static str>,
        /// True when it lies under [`ADMIN_PREFIX`] once normalised.
        admin: bool,
    },
}

impl Resolved {
    /// The route, if any.
    pub fn route(&self) -> Option<&'static Route> {
        match self {
            Resolved::Route(route, _) => Some(route),
            Resolved::NoRoute { .. } => None,
        }
    }

    /// True when admission governs the request.
    pub fn admitted(&self) -> bool {
        self.route().is_some_and(|route| route.admitted)
    }

    /// The request's metrics label.
    pub fn metric(&self) -> MetricMethod {
        self.route()
            .map_or(MetricMethod::Other, |route| route.metric)
    }

    /// The message of a 404.
    pub fn not_found_message(&self) -> String {
        match self {
            Resolved::Route(route, _) => format!("no route {}", route.path),
            Resolved::NoRoute {
                path,
                reason: Some(reason),
                ..
            } => format!("no route {path}: {reason}"),
            Resolved::NoRoute { path, .. } => format!("no route {path}"),
        }
    }
}

/// Reads `path` as [`resolve`] does, for `listener`: a route it does not
/// answer is no route there (404).
pub fn resolve_on(listener: Listener, path: &str) -> Resolved {
    match resolve(path) {
        // Any method gets 404 there, as under the admin prefix: nothing
        // says the route exists elsewhere.
        Resolved::Route(route, _) if !listener.serves(route.id.scope()) => Resolved::NoRoute {
            path: path.to_string(),
            reason: None,
            admin: true,
        },
        resolved => resolved,
    }
}

/// Reads `path` (a request URI's path) against [`ROUTES`].
pub fn resolve(path: &str) -> Resolved {
    let no_route = |reason, admin| Resolved::NoRoute {
        path: path.to_string(),
        reason,
        admin,
    };
    let segments = match segments(path) {
        Ok(segments) => segments,
        Err(reason) => return no_route(Some(reason), false),
    };
    let separator_inside = segments.iter().any(|segment| segment.contains(['/', '\\']));
    let admin = segments.len() >= 2 && segments[0] == "v1" && segments[1] == "admin";
    for route in &ROUTES {
        // No template has an empty segment; the root's has no segment.
        let template = route
            .path
            .trim_start_matches('/')
            .split('/')
            .filter(|part| !part.is_empty());
        if template.clone().count() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        let fits = template.zip(&segments).all(|(part, segment)| {
            if part.starts_with('{') {
                params.push(segment.clone());
                true
            } else {
                part == segment
            }
        });
        if fits {
            return Resolved::Route(route, params);
        }
    }
    let reason = separator_inside.then_some("an encoded slash or backslash is no separator");
    no_route(reason, admin)
}

/// The decoded segments of `path` without its end slashes, or why it is
/// refused.
fn segments(path: &str) -> Result<Vec<String>, &'static str> {
    if !path.starts_with('/') {
        return Err("a path begins with `/`");
    }
    let mut segments = Vec::new();
    let inner = path.trim_matches('/');
    if inner.is_empty() {
        return Ok(segments);
    }
    for raw in inner.split('/') {
        if segments.len() == MAX_SEGMENTS {
            return Err("longer than any route");
        }
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| "a segment is not UTF-8 once decoded")?;
        if decoded == "." || decoded == ".." {
            return Err("dot segments are not accepted in a path");
        }
        segments.push(decoded.into_owned());
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_and_admin_calls_move_to_the_admin_address_when_it_is_set() {
        let together = Listener::Door {
            operator_apart: false,
        };
        let apart = Listener::Door {
            operator_apart: true,
        };
        for path in [
            METRICS_PATH,
            STATUS_PATH,
            ADMIN_RELOAD_PATH,
            ADMIN_ROLLBACK_PATH,
        ] {
            assert!(resolve_on(together, path).route().is_some(), "{path}");
            assert!(resolve_on(apart, path).route().is_none(), "{path}");
            assert!(
                resolve_on(Listener::Admin, path).route().is_some(),
                "{path}"
            );
        }
        for path in [SEARCH_PATH, STATIONS_PATH, OPENAPI_PATH, "/"] {
            assert!(resolve_on(apart, path).route().is_some(), "{path}");
            assert!(
                resolve_on(Listener::Admin, path).route().is_none(),
                "{path}"
            );
        }
        for path in [HEALTHZ_PATH, READYZ_PATH] {
            for listener in [together, apart, Listener::Admin] {
                assert!(resolve_on(listener, path).route().is_some(), "{path}");
            }
        }
    }

    fn id(path: &str) -> Option<RouteId> {
        resolve(path).route().map(|route| route.id)
    }

    #[test]
    fn every_template_resolves_to_its_own_route() {
        for route in &ROUTES {
            let path = route
                .path
                .replace("{station}", "0001")
                .replace("{order}", "5");
            assert_eq!(id(&path), Some(route.id), "{path}");
        }
    }

    #[test]
    fn spellings_of_a_route_resolve_like_the_route() {
        for path in [
            "//v1/voters/0001/5",
            "/v1/voters/0001/5/",
            "///v1/voters/0001/5//",
            "/v1/%76oters/0001/5",
        ] {
            assert_eq!(
                resolve(path),
                Resolved::Route(&ROUTES[1], vec!["0001".into(), "5".into()]),
                "{path}"
            );
        }
        assert_eq!(id("/v1/search/"), Some(RouteId::Search));
        assert_eq!(id("//healthz"), Some(RouteId::Healthz));
        assert_eq!(id("//v1/admin/reload/"), Some(RouteId::AdminReload));
        // An empty segment inside is a parameter, or no route.
        assert_eq!(
            resolve("/v1/voters//1"),
            Resolved::Route(&ROUTES[1], vec![String::new(), "1".into()])
        );
        assert_eq!(id("/v1//search"), None);
        assert_eq!(id("/v1/voters/0001//5"), None);
    }

    #[test]
    fn ambiguous_spellings_are_no_route() {
        for path in [
            "/v1%2Fsearch",
            "/v1%2fvoters/0001/5",
            "/v1/voters%5C0001/5",
            "/v1/./search",
            "/v1/x/../search",
            "/v1/%2e%2E/v1/search",
            "/V1/search",
            "/v1/Search",
            "/v1/voters/%ff/5",
            "*",
            "/v1/search/x",
            "/a/b/c/d/e/f/g/h/i/j",
        ] {
            assert_eq!(id(path), None, "{path}");
        }
        let refused = resolve("/v1%2Fsearch").not_found_message();
        assert!(refused.contains("encoded slash"), "{refused}");
        // Inside a parameter, an encoded slash is data.
        assert_eq!(
            resolve("/v1/voters/00%2F01/5"),
            Resolved::Route(&ROUTES[1], vec!["00/01".into(), "5".into()])
        );
        assert_eq!(resolve("/nowhere").not_found_message(), "no route /nowhere");
    }

    #[test]
    fn the_root_and_the_pages_resolve() {
        for path in ["/", "//", "/kiosk", "/kiosk/"] {
            assert_eq!(id(path), Some(RouteId::Page(Page::Kiosk)), "{path}");
        }
        assert_eq!(id("/desk"), Some(RouteId::Page(Page::Desk)));
        assert_eq!(
            id("/assets/kiosk.js"),
            Some(RouteId::Page(Page::KioskScript))
        );
        assert_eq!(
            id("/assets/%6Biosk.js"),
            Some(RouteId::Page(Page::KioskScript))
        );
        for path in [
            "/assets",
            "/assets/",
            "/assets/other.js",
            "/assets/../kiosk",
            "/Kiosk",
        ] {
            assert_eq!(id(path), None, "{path}");
        }
        assert!(!resolve("/").admitted());
        assert_eq!(resolve("/desk").metric(), MetricMethod::Page);
    }

    #[test]
    fn admission_and_metrics_follow_the_table() {
        assert!(resolve("//v1/search").admitted());
        assert_eq!(resolve("//v1/search").metric(), MetricMethod::Search);
        assert!(!resolve("/healthz").admitted());
        assert!(!resolve("/v1/status").admitted());
        assert!(!resolve("/v1/admin/reload").admitted());
        assert!(!resolve("/nowhere").admitted());
        assert!(matches!(
            resolve("/v1/admin/nothing"),
            Resolved::NoRoute { admin: true, .. }
        ));
    }
}
