//! `GET /openapi.json`: the HTTP door described as an OpenAPI 3.1 document,
//! built from the server's own constants so that it cannot drift silently.
//!
//! Limits come from [`crate::search`], [`crate::search::query`] and
//! [`crate::service`], error codes and statuses from
//! [`crate::error::ErrorKind`], header names and the admin prefix from this
//! door, [`crate::deadline`] and [`crate::admission`]. The response schemas describe the
//! bodies of [`super::json`] field by field; `tests/openapi.rs` validates
//! the real responses of a running server against them, so a field added,
//! renamed or made nullable there without a change here fails the tests.
//!
//! The pages (`/`, `/kiosk`, `/desk` and their assets, [`super::pages`])
//! are left out on purpose: they are documents for browsers, not part of
//! the API a client programs against.
//!
//! The document never changes while the process runs: it is built and
//! serialised once, on the first request.

use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use serde_json::{Map, Value, json};
use voter_core::model::Sex;
use voter_core::schema::NameField;

use super::routes::{ROUTES, RouteId, Verbs};
use super::{ADMIN_PREFIX, Body, MAX_HEAD_BYTES, MAX_HEADERS, REQUEST_ID};
use crate::admission::{API_KEY_HEADER, Class};
use crate::deadline::HTTP_TIMEOUT_HEADER;
use crate::error::ErrorKind;
use crate::search::query::{MAX_QUERY_BYTES, MAX_TOKENS};
use crate::search::{Confidence, DEFAULT_LIMIT, MAX_LIMIT, MAX_TIED, MatchKind};
use crate::service::MAX_STATION_CODE;

pub use super::routes::{
    HEALTHZ_PATH, METRICS_PATH, OPENAPI_PATH, READYZ_PATH, SEARCH_PATH, STATIONS_PATH, STATUS_PATH,
    VOTERS_PATH,
};
use crate::status::document::{DEFAULT_WINDOW_MINUTES, MAX_WINDOW_MINUTES, WINDOW_PARAMETER};
/// The admin calls under [`ADMIN_PREFIX`] (see `admin_call`).
pub const ADMIN_ACTIONS: [&str; 2] = ["reload", "rollback"];

/// The parameters of `GET /v1/search`, as a 400's `parameter` names them
/// (`body`: the JSON body of a `POST`).
pub const SEARCH_PARAMETERS: [&str; 6] =
    ["q", "birth_date", "limit", "view", "departement", "body"];
/// The path parameters of `GET /v1/voters/{station}/{order}`.
pub const VOTERS_PARAMETERS: [&str; 3] = ["station", "order", "commune"];
/// The query parameter of the admin calls.
pub const ADMIN_PARAMETERS: [&str; 1] = ["force"];
/// The query parameter of `GET /v1/status`.
pub const STATUS_PARAMETERS: [&str; 1] = [WINDOW_PARAMETER];

/// Every `Allow` header a 405 may carry.
const ALLOW_VALUES: [&str; 3] = [
    Verbs::Read.allow_header(),
    Verbs::Post.allow_header(),
    Verbs::ReadOrPost.allow_header(),
];

/// Statuses a test cannot provoke without load or a fault: said so in
/// their descriptions.
pub const STATUSES_UNDER_LOAD: [u16; 4] = [429, 500, 503, 504];

/// The date kinds of a `match` entry for the birth date, beside the name
/// kinds of [`MatchKind`] (see `Searcher::hit`).
const DATE_MATCH_KINDS: [&str; 2] = ["approximate", "year"];
/// `ReloadReport::outcome_name` of every reload outcome.
const RELOAD_OUTCOMES: [&str; 3] = ["swapped", "unchanged", "refused"];
/// What may ask for a reload: `reload::Trigger`, lower case.
const RELOAD_TRIGGERS: [&str; 4] = ["start", "watch", "signal", "admin"];

/// The path of the admin call `action`.
pub fn admin_path(action: &str) -> String {
    format!("{ADMIN_PREFIX}{action}")
}

/// The `/openapi.json` response.
pub fn response() -> Response<Body> {
    let mut response = Response::new(Full::new(document_bytes().clone()));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The document, serialised once.
pub fn document_bytes() -> &'static Bytes {
    static BYTES: OnceLock<Bytes> = OnceLock::new();
    BYTES.get_or_init(|| {
        let bytes = serde_json::to_vec(document()).expect("a JSON value always serialises");
        Bytes::from(bytes)
    })
}

/// The document, built once.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

/// Builds the document: its paths are the route table's.
fn build() -> Value {
    let mut document = described_document();
    for route in &ROUTES {
        let operation = match route.id {
            RouteId::Search => search_operation(),
            RouteId::Voters => voters_operation(),
            RouteId::Stations => stations_operation(),
            RouteId::Healthz => healthz_operation(),
            RouteId::Readyz => readyz_operation(),
            RouteId::Metrics => metrics_operation(),
            RouteId::Status => status_operation(),
            RouteId::OpenApi => openapi_operation(),
            RouteId::AdminReload => admin_operation(ADMIN_ACTIONS[0]),
            RouteId::AdminRollback => admin_operation(ADMIN_ACTIONS[1]),
            RouteId::Page(_) => continue,
        };
        document["paths"][route.path] = match route.verbs {
            Verbs::Read => json!({ "get": operation }),
            Verbs::Post => json!({ "post": operation }),
            // The same search, its parameters in a JSON body.
            Verbs::ReadOrPost => json!({ "get": operation, "post": post_form(operation) }),
        };
    }
    document
}

/// The document without its paths.
fn described_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "voter-lookup",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Election-day voter lookup: the polling station and order number of a voter, from a name as heard or typed",
            "description": format!(
                "The HTTP/JSON door of voter-lookup. The gRPC door (package `voterlookup.v1`) \
                 answers the same lookups with the same fields.\n\n\
                 Every route answers `GET` and `HEAD`, except the admin calls under \
                 `{ADMIN_PREFIX}`, which answer `POST`. Another method is answered `405` \
                 (`#/components/responses/MethodNotAllowed`), on any path but an unknown admin \
                 call; a path that is no route is answered `404` \
                 (`#/components/responses/NotFound`). A request head (request line and headers) \
                 larger than {MAX_HEAD_BYTES} bytes, or with more than {MAX_HEADERS} headers, is \
                 refused with `431` before it is routed (the defaults of `--max-header-bytes` and \
                 `--max-headers`). A path is read once: slashes at either end are dropped and \
                 percent-encoding decoded, so `//v1/search/` is `/v1/search`; an empty segment \
                 inside is an empty parameter or no route, and an encoded slash is never a \
                 separator. A dot segment is no route.\n\n\
                 Every response the server routes carries `{REQUEST_ID}`: the client's own when it \
                 sent a printable one of at most 128 bytes, else a new one.\n\n{}",
                error_table()
            ),
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"},
        },
        "paths": {},
        "components": {
            "schemas": schemas(),
            "responses": shared_responses(),
            "headers": {
                "RequestId": {
                    "description": "The request's identifier: the client's, or a new one. Logged with the request.",
                    "required": true,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                },
                "RetryAfter": {
                    "description": "Seconds after which a retry may succeed.",
                    "required": true,
                    "schema": {"type": "integer", "minimum": 1},
                },
                "Allow": {
                    "description": "The methods the path serves (RFC 9110).",
                    "required": true,
                    "schema": {"enum": ALLOW_VALUES},
                },
                "RateLimitLimit": {
                    "description": "The client's rate limit, in requests per second (IETF RateLimit fields); sent with `rate_limited`, not with `quota_exceeded`.",
                    "required": false,
                    "schema": {"type": "integer", "minimum": 1},
                },
                "RateLimitRemaining": {
                    "description": "Requests left in the window: none.",
                    "required": false,
                    "schema": {"type": "integer", "const": 0},
                },
                "RateLimitReset": {
                    "description": "Seconds until the window lets a request through again.",
                    "required": false,
                    "schema": {"type": "integer", "minimum": 1},
                },
            },
            "securitySchemes": {
                "AdminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The server's admin token (`--admin-token`); without one configured, admin calls are refused `403`.",
                },
            },
            "parameters": {
                "RequestId": {
                    "name": REQUEST_ID,
                    "in": "header",
                    "required": false,
                    "description": "An identifier to log the request under and echo back (printable ASCII, at most 128 bytes); another is generated when absent or unfit, and the request is served either way.",
                    "schema": {"type": "string"},
                },
                "RequestTimeout": {
                    "name": HTTP_TIMEOUT_HEADER,
                    "in": "header",
                    "required": false,
                    "description": "How long, in milliseconds (a whole number), the client will wait: a lookup whose deadline has passed, or would pass before it can run, is not started, and the answer is `504 deadline_exceeded`. A value that is not a whole number is ignored, and the request served without a deadline.",
                    "schema": {"type": "string"},
                },
                "ApiKey": {
                    "name": API_KEY_HEADER,
                    "in": "header",
                    "required": false,
                    "description": format!(
                        "The client's API key. Its class ({}, highest priority first) sets the client's \
                         rate limits and its priority when load is shed; without a key, or with an \
                         unknown one, the client is `{}`, known by its address.",
                        Class::ALL.map(|class| format!("`{}`", class.as_str())).join(", "),
                        Class::Anonymous.as_str()
                    ),
                    "schema": {"type": "string"},
                },
            },
        },
    })
}

/// The table of error codes (README.md has the same), from [`ErrorKind`].
fn error_table() -> String {
    let mut table = String::from(
        "Errors are `{\"error\": {\"code\", \"message\", \"parameter\"}}`; the same meanings \
         reach gRPC clients as status codes:\n\n| `code` | HTTP | gRPC |\n|---|---|---|\n",
    );
    for kind in ErrorKind::ALL {
        table.push_str(&format!(
            "| `{}` | {} | `{}` |\n",
            kind.code(),
            kind.http_status(),
            grpc_code_name(kind.grpc_code())
        ));
    }
    table
}

/// The name the gRPC specification gives a code: `INVALID_ARGUMENT`.
fn grpc_code_name(code: tonic::Code) -> String {
    let mut name = String::new();
    for (i, c) in format!("{code:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

/// A `$ref` to a component.
fn reference(kind: &str, name: &str) -> Value {
    json!({"$ref": format!("#/components/{kind}/{name}")})
}

fn schema_ref(name: &str) -> Value {
    reference("schemas", name)
}

/// A response with a JSON body of `schema` and the request id header.
fn json_response(description: &str, schema: Value) -> Value {
    json!({
        "description": description,
        "headers": {"X-Request-Id": reference("headers", "RequestId")},
        "content": {"application/json": {"schema": schema}},
    })
}

/// The error codes of `status`, from [`ErrorKind`].
fn codes_of(status: u16) -> Vec<&'static str> {
    ErrorKind::ALL
        .iter()
        .filter(|kind| kind.http_status() == status)
        .map(|kind| kind.code())
        .collect()
}

/// An error response of `status`: the error schema with `code` narrowed to
/// the codes of that status and, for a 400, `parameter` to `parameters`.
fn error_response(status: u16, description: &str, parameters: &[&str]) -> Value {
    let mut detail = json!({
        "properties": {"code": {"enum": codes_of(status)}},
    });
    if !parameters.is_empty() {
        detail["required"] = json!(["parameter"]);
        detail["properties"]["parameter"] = json!({"enum": parameters});
    }
    let schema = json!({
        "allOf": [
            schema_ref("Error"),
            {"properties": {"error": detail}},
        ],
    });
    let mut response = json_response(description, schema);
    if status == ErrorKind::RateLimited.http_status()
        || status == ErrorKind::Overloaded.http_status()
    {
        response["headers"]["Retry-After"] = reference("headers", "RetryAfter");
    }
    if status == ErrorKind::RateLimited.http_status() {
        let headers = &mut response["headers"];
        headers["RateLimit-Limit"] = reference("headers", "RateLimitLimit");
        headers["RateLimit-Remaining"] = reference("headers", "RateLimitRemaining");
        headers["RateLimit-Reset"] = reference("headers", "RateLimitReset");
    }
    response
}

/// The refusals every lookup route may answer: under load, past the
/// client's deadline, before an index is loaded, or on a fault.
fn refusals(responses: &mut Map<String, Value>) {
    responses.insert(
        "429".into(),
        error_response(
            429,
            "The client's rate, or its class's, is exceeded, or the client or its connection has too many requests in flight (`rate_limited`, with the `RateLimit-*` fields: produced only under load); or the caller has been shown its quota of distinct voters for the hour or the day (`quota_exceeded`).",
            &[],
        ),
    );
    responses.insert(
        "408".into(),
        error_response(
            408,
            "The request's body did not arrive whole in time (`request_timeout`); the connection closes.",
            &[],
        ),
    );
    responses.insert(
        "413".into(),
        error_response(
            413,
            "The request's body is larger than the server reads (`payload_too_large`); the connection closes.",
            &[],
        ),
    );
    responses.insert(
        "500".into(),
        error_response(
            500,
            "A fault of the server (`internal`); produced only on a fault.",
            &[],
        ),
    );
    responses.insert(
        "503".into(),
        error_response(
            503,
            "No index is loaded yet (`index_not_ready`), or load is being shed (`overloaded`, produced only under load).",
            &[],
        ),
    );
    responses.insert(
        "504".into(),
        error_response(
            504,
            "The request's deadline passed (`deadline_exceeded`); produced only under load or with a deadline too short to meet.",
            &[],
        ),
    );
}

/// The headers every lookup route reads; admission governs these routes.
fn common_parameters() -> Vec<Value> {
    vec![
        reference("parameters", "RequestId"),
        reference("parameters", "RequestTimeout"),
        reference("parameters", "ApiKey"),
    ]
}

fn search_operation() -> Value {
    let mut parameters = common_parameters();
    parameters.extend([
        json!({
            "name": SEARCH_PARAMETERS[0],
            "in": "query",
            "required": true,
            "description": format!(
                "The text as typed: names in any order, optionally a birth date. At most \
                 {MAX_QUERY_BYTES} bytes (UTF-8) and {MAX_TOKENS} words; at least part of a surname."
            ),
            "schema": {"type": "string", "minLength": 1},
            "examples": {"name": {"value": "MARTIN Anais"}, "kiosk": {"value": "mart ana"}},
        }),
        json!({
            "name": SEARCH_PARAMETERS[1],
            "in": "query",
            "required": false,
            "description": "Birth date, `YYYY-MM-DD` or `YYYY` (`DD/MM/YYYY` is read too); a date in `q` counts as well, this one wins.",
            "schema": {"type": "string"},
            "examples": {"full": {"value": "1998-09-02"}, "year": {"value": "1953"}},
        }),
        json!({
            "name": SEARCH_PARAMETERS[2],
            "in": "query",
            "required": false,
            "description": format!(
                "Results wanted. Voters tied at the top all come back beyond it (up to {MAX_TIED}), \
                 with `ambiguous` set."
            ),
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        }),
        json!({
            "name": SEARCH_PARAMETERS[3],
            "in": "query",
            "required": false,
            "description": "The view asked for: `kiosk` for the kiosk answer whatever the caller's role (a narrower view is always granted), `staff` (refused `403` to kiosks and anonymous callers); absent, the caller's role decides.",
            "schema": {"enum": ["kiosk", "staff"]},
        }),
        json!({
            "name": SEARCH_PARAMETERS[4],
            "in": "query",
            "required": false,
            "description": "The département the voter is registered in (`59`, `2A`, `974`; `1` reads as `01`): only its voters come back. A server that does not hold it answers `421` (`not_served`): the request belongs to another shard. Absent or empty: the whole roll this server holds.",
            "schema": {"type": "string", "maxLength": 8},
            "examples": {"nord": {"value": "59"}, "corse-du-sud": {"value": "2A"}},
        }),
    ]);
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json_response(
            "In the staff view, ranked voters, best first; in the kiosk view, one voter's station, or not found, or several.",
            json!({"oneOf": [schema_ref("SearchResponse"), schema_ref("KioskResponse")]}),
        ),
    );
    responses.insert(
        "403".into(),
        error_response(
            403,
            "The caller's role may not search (`--anonymous deny`), or may not have the view asked for.",
            &[],
        ),
    );
    responses.insert(
        "400".into(),
        error_response(
            400,
            "A parameter is missing or malformed; `parameter` names it.",
            &SEARCH_PARAMETERS[..5],
        ),
    );
    responses.insert(
        "421".into(),
        error_response(
            421,
            "The département asked for is not held by this server (`not_served`); the message names those it holds. Send the request to that département's shard.",
            &[],
        ),
    );
    refusals(&mut responses);
    json!({
        "operationId": "search",
        "summary": "Find voters from a name as heard or typed",
        "description": "Prefer `POST` with a JSON body: names and birth dates then stay out of URLs and proxy logs.",
        "parameters": parameters,
        "responses": responses,
    })
}

/// The `POST` form of `get`: the same answers, the query parameters
/// moved into a JSON body.
fn post_form(get: Value) -> Value {
    let mut post = get;
    post["operationId"] = json!("searchPost");
    post["summary"] =
        json!("Find voters from a name as heard or typed (parameters in a JSON body)");
    let body_fields: Vec<Value> = post["parameters"]
        .as_array()
        .map(|parameters| {
            parameters
                .iter()
                .filter(|parameter| parameter["in"] == "query")
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    post["parameters"] = json!(
        post["parameters"]
            .as_array()
            .map(|parameters| parameters
                .iter()
                .filter(|parameter| parameter["in"] != "query")
                .cloned()
                .collect::<Vec<_>>())
            .unwrap_or_default()
    );
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in body_fields {
        let name = field["name"].as_str().unwrap_or_default().to_string();
        if field["required"] == true {
            required.push(name.clone());
        }
        let mut schema = field["schema"].clone();
        schema["description"] = field["description"].clone();
        properties.insert(name, schema);
    }
    post["responses"]["400"] = error_response(
        400,
        "A field is missing or malformed (`parameter` names it), or the body is no JSON object of these fields (`body`).",
        &SEARCH_PARAMETERS,
    );
    post["requestBody"] = json!({
        "required": true,
        "content": {"application/json": {"schema": {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        }}},
    });
    post
}

fn voters_operation() -> Value {
    let mut parameters = common_parameters();
    parameters.extend([
        json!({
            "name": VOTERS_PARAMETERS[0],
            "in": "path",
            "required": true,
            "description": format!("Station code: letters and digits, at most {MAX_STATION_CODE}."),
            "schema": {
                "type": "string",
                "pattern": format!("^[A-Za-z0-9]{{1,{MAX_STATION_CODE}}}$"),
            },
            "example": "0001",
        }),
        json!({
            "name": VOTERS_PARAMETERS[1],
            "in": "path",
            "required": true,
            "description": "The order number on the station's signing sheet.",
            "schema": {"type": "integer", "minimum": 1, "maximum": u32::MAX},
            "example": 741,
        }),
        json!({
            "name": VOTERS_PARAMETERS[2],
            "in": "query",
            "required": false,
            "description": "INSEE code of the station's commune, in a roll of several communes (each numbers its stations from `0001`); absent or empty, every commune's station of that code. Spaces around it are ignored.",
            "schema": {"type": "string", "pattern": "^\\s*(([0-9]{2}|2[ABab])[0-9]{3})?\\s*$"},
            "example": "59350",
        }),
    ]);
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json_response(
            "Every voter with that order number in that station (normally one).",
            schema_ref("VotersResponse"),
        ),
    );
    responses.insert(
        "400".into(),
        error_response(
            400,
            "The station code, order number or commune code is malformed.",
            &VOTERS_PARAMETERS,
        ),
    );
    responses.insert(
        "404".into(),
        error_response(404, "No voter has that order number in that station.", &[]),
    );
    responses.insert(
        "403".into(),
        error_response(403, "Reverse lookups are for the staff role only.", &[]),
    );
    refusals(&mut responses);
    json!({
        "operationId": "getVoter",
        "summary": "The voter(s) at one line of a station's signing sheet",
        "parameters": parameters,
        "responses": responses,
    })
}

fn stations_operation() -> Value {
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json_response(
            "Every polling station with its voter count.",
            schema_ref("StationsResponse"),
        ),
    );
    responses.insert(
        "403".into(),
        error_response(
            403,
            "The stations' voter counts are for the staff role only.",
            &[],
        ),
    );
    refusals(&mut responses);
    json!({
        "operationId": "listStations",
        "summary": "Every polling station of the roll",
        "parameters": common_parameters(),
        "responses": responses,
    })
}

fn admin_operation(action: &str) -> Value {
    let summary = match action {
        "reload" => "Verify the published index (the root's `current`) and put it live",
        _ => "Go back to the version served before the live one, verified the same way",
    };
    let mut parameters = vec![reference("parameters", "RequestId")];
    parameters.push(json!({
        "name": ADMIN_PARAMETERS[0],
        "in": "query",
        "required": false,
        "description": "Accept a voter count that changed more than the server allows.",
        "schema": {"enum": ["true", "false", "1", "0"], "default": "false"},
    }));
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json_response("The index live after the call.", schema_ref("AdminReply")),
    );
    responses.insert(
        "400".into(),
        error_response(400, "`force` is not true or false.", &ADMIN_PARAMETERS),
    );
    responses.insert(
        "401".into(),
        error_response(
            401,
            "No `Authorization: Bearer` header, or the wrong token.",
            &[],
        ),
    );
    responses.insert(
        "403".into(),
        error_response(
            403,
            "Admin calls are disabled (no admin token is configured), or the server serves a fixed index.",
            &[],
        ),
    );
    responses.insert(
        "409".into(),
        error_response(
            409,
            "The new index failed a check (checksums, voter count, canaries); the live one keeps serving.",
            &[],
        ),
    );
    json!({
        "operationId": format!("admin{}{}", action[..1].to_uppercase(), &action[1..]),
        "summary": summary,
        "security": [{"AdminToken": []}],
        "parameters": parameters,
        "responses": responses,
    })
}

fn healthz_operation() -> Value {
    json!({
        "operationId": "healthz",
        "summary": "Liveness: 200 while the process is alive",
        "parameters": [reference("parameters", "RequestId")],
        "responses": {
            "200": json_response("The process is alive.", schema_ref("Health")),
        },
    })
}

fn readyz_operation() -> Value {
    let readiness = |status: &str| {
        json!({"allOf": [
            schema_ref("Readiness"),
            {"properties": {"status": {"const": status}}},
        ]})
    };
    json!({
        "operationId": "readyz",
        "summary": "Readiness: an index is loaded and requests are accepted",
        "parameters": [reference("parameters", "RequestId")],
        "responses": {
            "200": json_response("Ready.", readiness("ready")),
            "503": json_response(
                "Not ready: no index is loaded yet, or the server is shutting down.",
                readiness("not_ready"),
            ),
        },
    })
}

fn metrics_operation() -> Value {
    json!({
        "operationId": "metrics",
        "summary": "Prometheus metrics",
        "parameters": [reference("parameters", "RequestId")],
        "responses": {
            "200": {
                "description": "Prometheus text exposition format, version 0.0.4.",
                "headers": {"X-Request-Id": reference("headers", "RequestId")},
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
        },
    })
}

fn status_operation() -> Value {
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json_response(
            "The server now, and its name searches (both doors) over the window: each minute since the server started, and the totals. Counts, latencies, versions and times only: no voter, no query text.",
            schema_ref("Status"),
        ),
    );
    responses.insert(
        "400".into(),
        error_response(
            400,
            "`window` is not a duration from a minute to a day.",
            &STATUS_PARAMETERS,
        ),
    );
    json!({
        "operationId": "status",
        "summary": "The server's last minutes, up to a day: what `voter-lookup weather` reports on",
        "description": "Kept in memory, a minute at a time, for the last 24 hours; a restart starts it afresh. Answered even while lookups are shed (it bypasses admission control), on the operators' address when the server has one (`--admin-listen`).",
        "parameters": [
            reference("parameters", "RequestId"),
            {
                "name": STATUS_PARAMETERS[0],
                "in": "query",
                "required": false,
                "description": format!(
                    "How far back: a duration such as `15m`, `4h` or `24h`, rounded up to whole minutes, \
                     from `1m` to `{}m`; the current minute counts as one. Default: `{DEFAULT_WINDOW_MINUTES}m`.",
                    MAX_WINDOW_MINUTES
                ),
                "schema": {"type": "string", "default": "1h"},
                "examples": {"morning": {"value": "4h"}, "day": {"value": "24h"}},
            },
        ],
        "responses": responses,
    })
}

fn openapi_operation() -> Value {
    json!({
        "operationId": "openapi",
        "summary": "This document",
        "parameters": [reference("parameters", "RequestId")],
        "responses": {
            "200": json_response(
                "The OpenAPI 3.1 description of this door.",
                json!({"type": "object", "required": ["openapi", "info", "paths"]}),
            ),
        },
    })
}

/// `#/components/responses`: the answers that belong to no route.
fn shared_responses() -> Value {
    json!({
        "NotFound": error_response(404, "The path is no route of this server.", &[]),
        "MethodNotAllowed": method_not_allowed(),
    })
}

/// A 405, with the methods the path does serve in `Allow`.
fn method_not_allowed() -> Value {
    let mut response = error_response(
        405,
        "A method the path does not serve: other than `GET` and `HEAD` (on any path but the admin calls'), or other than `POST` on an admin call.",
        &[],
    );
    response["headers"]["Allow"] = reference("headers", "Allow");
    response
}

/// `#/components/schemas`: the JSON bodies of [`super::json`].
fn schemas() -> Value {
    let nullable_string = json!({"type": ["string", "null"]});
    let name_fields: Vec<&str> = NameField::ALL
        .iter()
        .map(|field| field.as_str())
        .chain(["birth_date"])
        .collect();
    let match_kinds: Vec<&str> = [
        MatchKind::Exact,
        MatchKind::Phonetic,
        MatchKind::Prefix,
        MatchKind::Fuzzy,
    ]
    .iter()
    .map(|kind| kind.as_str())
    .chain(DATE_MATCH_KINDS)
    .collect();
    let hit_confidences: Vec<&str> = [Confidence::Exact, Confidence::Strong, Confidence::Weak]
        .iter()
        .map(|confidence| confidence.as_str())
        .collect();
    let response_confidences: Vec<&str> = hit_confidences
        .iter()
        .copied()
        .chain([Confidence::None.as_str()])
        .collect();
    let all_parameters: Vec<&str> = SEARCH_PARAMETERS
        .iter()
        .chain(&VOTERS_PARAMETERS)
        .chain(&ADMIN_PARAMETERS)
        .chain(&STATUS_PARAMETERS)
        .copied()
        .collect();
    let codes: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.code()).collect();
    let mut schemas = json!({
        "SearchResponse": object(json!({
            "view": {"const": "staff", "description": "The view answered."},
            "results": {"type": "array", "items": schema_ref("Result"), "description": "Best first."},
            "index_version": {"type": "string", "description": "Version of the index that answered."},
            "degraded": {"type": "boolean", "description": "Answered in the cheaper mode used under overload (brownout): fewer results, no far-reaching typo search."},
            "ambiguous": {"type": "boolean", "description": "Several voters fit equally well at the top: they all come back."},
            "confidence": {
                "enum": response_confidences,
                "description": "The best result's confidence, or `none` when nobody matches.",
            },
        })),
        "KioskResponse": {
            "type": "object",
            "description": "The kiosk view: the station, order number and name as a check of the one voter who fits, and nothing else; never several people.",
            "properties": {
                "view": {"const": "kiosk"},
                "outcome": {"enum": ["found", "not_found", "several"]},
                "message": {"type": "string"},
                "voter": object(json!({
                    "surname": {"type": "string", "description": "The surname the query matched (usage or birth name)."},
                    "given_name": {"type": "string", "description": "The usual (first) given name."},
                })),
                "station": schema_ref("Station"),
                "order_number": {"type": "integer", "minimum": 0},
                "index_version": {"type": "string"},
            },
            "required": ["view", "outcome", "message", "index_version"],
            "additionalProperties": false,
        },
        "VotersResponse": object(json!({
            "voters": {"type": "array", "items": schema_ref("Result"), "minItems": 1},
            "index_version": {"type": "string"},
        })),
        "StationsResponse": object(json!({
            "stations": {"type": "array", "items": schema_ref("StationSummary")},
            "index_version": {"type": "string"},
        })),
        "Result": object(json!({
            "voter": schema_ref("Voter"),
            "station": {
                "oneOf": [schema_ref("Station"), {"type": "null"}],
                "description": "The polling station; null for a voter the roll gives none.",
            },
            "order_number": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Number on the station's signing sheet; null with the station.",
            },
            "score": {"type": "number", "description": "Ranking score; only its order within one response means something."},
            "match": {"type": "array", "items": schema_ref("Match"), "description": "How each part of the query matched."},
            "confidence": {"enum": hit_confidences},
            "memberships": {"type": "array", "items": schema_ref("Membership"), "description": "Every list this person is on."},
        })),
        "Voter": object(json!({
            "birth_name": {"type": "string"},
            "usage_name": nullable_string,
            "first_names": {"type": "string"},
            "sex": {"enum": [Sex::M.as_str(), Sex::F.as_str(), null]},
            "birth_date": {
                "type": ["string", "null"],
                "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
                "description": "ISO 8601 with the roll's precision: `1962-03-14`, `1953-07` or `1953`.",
            },
            "list": {"type": "string"},
        })),
        "Station": with_optional(object(json!({
            "code": {"type": "string", "description": "Unique within its commune."},
            "label": {"type": "string"},
            "address": nullable_string,
            "commune": {"type": "string", "description": "INSEE code of the station's commune, when the roll gives one."},
            "commune_name": {"type": "string", "description": "The commune's name, when known."},
        })), &["commune", "commune_name"]),
        "Membership": object(json!({
            "list": {"type": "string"},
            "station": {"oneOf": [schema_ref("Station"), {"type": "null"}]},
            "order_number": {"type": ["integer", "null"], "minimum": 0},
        })),
        "Match": object(json!({
            "token": {"type": "string", "description": "The query token (folded), or the date as ISO."},
            "field": {"enum": name_fields},
            "kind": {"enum": match_kinds},
            "matched": {"type": "string", "description": "The voter's term (or date) it matched."},
        })),
        "StationSummary": with_optional(object(json!({
            "code": {"type": "string"},
            "label": {"type": "string"},
            "address": nullable_string,
            "voter_count": {"type": "integer", "minimum": 0},
            "commune": {"type": "string"},
            "commune_name": {"type": "string"},
        })), &["commune", "commune_name"]),
        "Error": object(json!({
            "error": {
                "type": "object",
                "properties": {
                    "code": schema_ref("ErrorCode"),
                    "message": {"type": "string", "minLength": 1},
                    "parameter": {
                        "enum": all_parameters,
                        "description": "The request parameter at fault; the message starts with it.",
                    },
                },
                "required": ["code", "message"],
                "additionalProperties": false,
            },
        })),
        "ErrorCode": {
            "enum": codes,
            "description": "A stable code; see the table in `info.description` for its HTTP status and gRPC code.",
        },
        "Health": object(json!({"status": {"const": "alive"}})),
        "Readiness": object(json!({
            "status": {"enum": ["ready", "not_ready"]},
            "index_loaded": {"type": "boolean"},
            "accepting": {"type": "boolean", "description": "False once shutdown has begun."},
            "index_version": nullable_string,
            "voters": {"type": ["integer", "null"], "minimum": 0},
            "departements": {
                "type": ["array", "null"],
                "items": {"type": "string"},
                "description": "The départements of the index's communes: what a search may name as its `departement`. Empty when the roll names no commune; null before an index is loaded.",
            },
            "last_reload": {
                "oneOf": [schema_ref("ReloadReport"), {"type": "null"}],
                "description": "The last reload of a server that follows an index root; null otherwise.",
            },
            "fallback": {
                "oneOf": [schema_ref("Fallback"), {"type": "null"}],
                "description": "Set while the version `current` names failed its checks at start and the newest version that passes serves instead.",
            },
            "pinned": {
                "oneOf": [schema_ref("Pin"), {"type": "null"}],
                "description": "Set while a rollback is kept in this server only (`current` could not be repointed): a restart serves `current` again.",
            },
        })),
        "Fallback": object(json!({
            "current": {"type": "string", "description": "The version `current` names, refused."},
            "serving": {"type": "string", "description": "The version served instead."},
            "reason": {"type": "string"},
        })),
        "Pin": object(json!({
            "version": {"type": "string", "description": "The version rolled back to."},
            "current": {"type": ["string", "null"], "description": "What `current` names; the pin holds while it does."},
            "reason": {"type": "string", "description": "Why `current` could not be repointed."},
        })),
        "ReloadReport": object(json!({
            "outcome": {"enum": RELOAD_OUTCOMES},
            "trigger": {"enum": RELOAD_TRIGGERS},
            "at": {"type": "string", "format": "date-time", "description": "When it ended (RFC 3339)."},
            "seconds": {"type": "number", "minimum": 0, "description": "How long it took."},
            "message": {"type": "string"},
        })),
        "AdminReply": object(json!({
            "outcome": {
                "enum": &RELOAD_OUTCOMES[..2],
                "description": "A refusal is answered `409`.",
            },
            "index_version": {"type": ["string", "null"], "description": "The version live after the call."},
            "previous_version": {"type": ["string", "null"], "description": "The version live before, when the call swapped."},
            "message": {"type": "string"},
        })),
    });
    if let (Value::Object(schemas), Value::Object(status)) = (&mut schemas, status_schemas(&codes))
    {
        schemas.extend(status);
    }
    schemas
}

/// The schemas of `GET /v1/status` (`crate::status::document`).
fn status_schemas(codes: &[&str]) -> Value {
    let count = json!({"type": "integer", "minimum": 0});
    let nullable_count = json!({"type": ["integer", "null"], "minimum": 0});
    let time = json!({"type": "string", "format": "date-time"});
    let nullable_time = json!({"type": ["string", "null"], "format": "date-time"});
    let tally = |mut extra: Value| {
        let mut properties = json!({
            "lookups": {"type": "integer", "minimum": 0, "description": "Name searches that ended: answered, refused or failed."},
            "found": {"type": "integer", "minimum": 0, "description": "Answered with someone found with confidence."},
            "not_found": {"type": "integer", "minimum": 0, "description": "Answered, nobody found with confidence."},
            "shed": {"type": "integer", "minimum": 0, "description": "Refused for load: `rate_limited`, `overloaded`, `deadline_exceeded`."},
            "server_errors": {"type": "integer", "minimum": 0, "description": "`internal` and `index_not_ready`."},
            "client_errors": {"type": "integer", "minimum": 0, "description": "Refused for the caller's doing: bad request, role, quota."},
            "degraded": {"type": "integer", "minimum": 0, "description": "Admitted in the degraded mode of brownout."},
            "reload_refusals": {"type": "integer", "minimum": 0, "description": "New indexes refused by a reload."},
            "errors": {
                "type": "object",
                "propertyNames": {"enum": codes},
                "additionalProperties": {"type": "integer", "minimum": 1},
                "description": "Refused or failed searches by error code; codes with none are left out.",
            },
            "latency_ms": {
                "oneOf": [schema_ref("StatusLatency"), {"type": "null"}],
                "description": "Latency of the answered searches; null when none was answered.",
            },
        });
        if let (Value::Object(properties), Value::Object(extra)) = (&mut properties, &mut extra) {
            properties.append(extra);
        }
        object(properties)
    };
    json!({
        "Status": object(json!({
            "server": object(json!({
                "version": {"type": "string"},
                "now": time.clone(),
                "started_at": time.clone(),
                "uptime_seconds": count.clone(),
                "ready": {"type": "boolean"},
                "accepting": {"type": "boolean", "description": "False once shutdown has begun."},
            })),
            "index": object(json!({
                "loaded": {"type": "boolean"},
                "version": {"type": ["string", "null"]},
                "built_at": {"type": ["string", "null"], "description": "RFC 3339; null for an index built in memory."},
                "age_seconds": nullable_count.clone(),
                "voters": nullable_count.clone(),
                "loaded_at": nullable_time,
                "fallback": {"oneOf": [schema_ref("Fallback"), {"type": "null"}]},
                "pinned": {"oneOf": [schema_ref("Pin"), {"type": "null"}]},
                "last_reload": {"oneOf": [schema_ref("ReloadReport"), {"type": "null"}]},
            })),
            "memory": object(json!({
                "resident_bytes": nullable_count.clone(),
                "limit_bytes": {"type": ["integer", "null"], "minimum": 0, "description": "The process's cgroup limit or the machine's memory, whichever is lower."},
                "limit_source": {"enum": ["cgroup", "machine", null]},
            })),
            "window": object(json!({
                "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_WINDOW_MINUTES},
                "from": time.clone(),
                "to": time.clone(),
            })),
            "totals": tally(json!({
                "resident_bytes_max": nullable_count.clone(),
                "index_versions": {"type": "array", "items": {"type": "string"}, "description": "The versions served in the window, oldest first."},
            })),
            "minutes": {
                "type": "array",
                "items": schema_ref("StatusMinute"),
                "maxItems": MAX_WINDOW_MINUTES,
                "description": "Each minute of the window since the server started, oldest first.",
            },
        })),
        "StatusMinute": tally(json!({
            "at": time,
            "resident_bytes": nullable_count,
            "index_version": {"type": ["string", "null"]},
        })),
        "StatusLatency": object(json!({
            "count": count,
            "p50": {"type": "number", "minimum": 0},
            "p90": {"type": "number", "minimum": 0},
            "p99": {"type": "number", "minimum": 0},
            "max": {"type": "number", "minimum": 0},
        })),
    })
}

/// A closed object whose every property is required: the JSON bodies
/// always write every field, `null` included.
fn object(properties: Value) -> Value {
    let required: Vec<&String> = properties
        .as_object()
        .map(|properties| properties.keys().collect())
        .unwrap_or_default();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// `schema` (an [`object`]) with `fields` no longer required: they are
/// left out of a body when they have no value.
fn with_optional(mut schema: Value, fields: &[&str]) -> Value {
    if let Some(required) = schema["required"].as_array_mut() {
        required.retain(|name| !fields.iter().any(|field| name == field));
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_uses_the_servers_limits_and_codes() {
        let document = document();
        let limit = &document["paths"][SEARCH_PATH]["get"]["parameters"][5]["schema"];
        assert_eq!(limit["maximum"], MAX_LIMIT);
        assert_eq!(limit["default"], DEFAULT_LIMIT);
        let codes = &document["components"]["schemas"]["ErrorCode"]["enum"];
        assert_eq!(codes.as_array().map(Vec::len), Some(ErrorKind::ALL.len()));
        assert_eq!(codes_of(503), ["overloaded", "index_not_ready"]);
        assert_eq!(
            grpc_code_name(tonic::Code::InvalidArgument),
            "INVALID_ARGUMENT"
        );
        assert_eq!(grpc_code_name(tonic::Code::Ok), "OK");
        let description = document["info"]["description"].as_str().unwrap();
        assert!(description.contains("| `index_not_ready` | 503 | `UNAVAILABLE` |"));
        let parsed: Value = serde_json::from_slice(document_bytes()).unwrap();
        assert_eq!(&parsed, document);
    }
}
