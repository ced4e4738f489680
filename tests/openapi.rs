//! `/openapi.json` checked two ways: as a document (the official OpenAPI 3.1
//! JSON Schema, then the rules a schema cannot express: every operation has
//! responses, every `$ref` resolves, path templates match their
//! parameters), and against what the server really answers (every route,
//! every error the doors give, validated with the `jsonschema` crate
//! against the schema the document declares for that route and status,
//! headers included; the refusals of admission control too, provoked with
//! a tiny configuration; and every status the document declares is one the
//! server gives, or one it says is given only under load or on a fault).
//!
//! `fixtures/openapi-3.1-schema.json` is the OpenAPI Initiative's schema for
//! 3.1 documents (`$id` `https://spec.openapis.org/oas/3.1/schema/2022-10-07`,
//! Apache-2.0), copied unchanged from the `openapi-spec-validator` package on
//! PyPI (0.9.0, `resources/schemas/v3.1/schema.json`): no crate bundles it,
//! and tests reach no network. It leaves schema objects unchecked, so each
//! schema of the document is also checked against the JSON Schema 2020-12
//! meta-schema, the dialect of OpenAPI 3.1.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{TEST_VOTERS, TestServer, encode, publish_generated, raw_request};
use serde_json::{Value, json};
use voter_core::generator::GeneratorConfig;
use voter_core::publish;
use voter_lookup::admission::limit::LimitConfig;
use voter_lookup::admission::rate::{ClientId, RateConfig};
use voter_lookup::admission::{API_KEY_HEADER, Admission, AdmissionConfig, Class};
use voter_lookup::http::openapi::{self, STATUSES_UNDER_LOAD};
use voter_lookup::index::IndexHandle;
use voter_lookup::index::reload::{IndexSource, ReloadPolicy, Reloader};
use voter_lookup::privacy::role::{AnonymousPolicy, Roles};
use voter_lookup::privacy::{Privacy, PrivacyConfig};
use voter_lookup::state::{AppState, BodyLimits};

const OPENAPI_31_SCHEMA: &str = include_str!("fixtures/openapi-3.1-schema.json");

/// The HTTP methods an OpenAPI path item may hold.
const OPERATIONS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn served_document(server: &TestServer) -> Value {
    let (status, headers, body) = server.get(openapi::OPENAPI_PATH).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type").as_deref(),
        Some("application/json")
    );
    serde_json::from_slice(&body).expect("the document is JSON")
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.clone())
}

/// Every string value of a `$ref` key anywhere in `value`, with where it is.
fn references(value: &Value, at: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{key}");
                if let ("$ref", Value::String(target)) = (key.as_str(), child) {
                    found.push((here.clone(), target.clone()));
                }
                references(child, &here, found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                references(child, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Follows `$ref`s (local ones: the document has no other kind).
fn resolve<'a>(document: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref {target}"));
        value = document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("$ref {target} does not resolve"));
    }
    panic!("a $ref cycle")
}

/// Every schema object the document holds outside the components (in
/// parameters, headers and media types), with where it is.
fn inline_schemas<'a>(value: &'a Value, at: &str, found: &mut Vec<(String, &'a Value)>) {
    if let Value::Object(map) = value {
        for (key, child) in map {
            let here = format!("{at}/{key}");
            if key == "schema" && child.is_object() {
                found.push((here, child));
            } else {
                inline_schemas(child, &here, found);
            }
        }
    } else if let Value::Array(items) = value {
        for (i, child) in items.iter().enumerate() {
            inline_schemas(child, &format!("{at}/{i}"), found);
        }
    }
}

/// A validator for `schema`, a schema of `document` whose `$ref`s point
/// into its components.
fn validator(document: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = match schema {
        Value::Object(map) => map.clone(),
        other => panic!("a schema object, not {other}"),
    };
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("components".into(), document["components"].clone());
    jsonschema::options()
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .unwrap_or_else(|error| panic!("{schema} does not compile: {error}"))
}

#[tokio::test]
async fn the_document_is_a_valid_openapi_3_1_document() {
    let server = TestServer::start(IndexHandle::default()).await;
    let document = served_document(&server).await;
    server.shutdown().await;
    assert_eq!(&document, openapi::document(), "served as built");

    // The official schema of OpenAPI 3.1 documents.
    let meta: Value = serde_json::from_str(OPENAPI_31_SCHEMA).unwrap();
    assert_eq!(
        meta["$id"],
        "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
    );
    let official = jsonschema::options()
        .should_validate_formats(true)
        .build(&meta)
        .expect("the official schema compiles");
    let errors: Vec<String> = official
        .iter_errors(&document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not a valid OpenAPI 3.1 document: {errors:#?}"
    );
    // The schema is not a formality: it refuses a broken document.
    let mut broken = document.clone();
    broken["paths"]["/v1/search"]["get"]["responses"] = json!({"200": {}});
    assert!(
        !official.is_valid(&broken),
        "a response without description"
    );

    // What the schema does not check.
    let version = document["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "{version}");
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        let templated: BTreeSet<&str> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let operations: Vec<&str> = OPERATIONS
            .into_iter()
            .filter(|method| item.get(*method).is_some())
            .collect();
        assert!(!operations.is_empty(), "{path} has no operation");
        for method in operations {
            let operation = &item[method];
            let responses = operation["responses"].as_object();
            assert!(
                responses.is_some_and(|r| !r.is_empty()),
                "{method} {path} declares no responses"
            );
            for (status, response) in responses.unwrap() {
                let code: u16 = status.parse().expect("explicit status codes");
                assert!((200..600).contains(&code), "{status}");
                assert!(resolve(&document, response)["description"].is_string());
            }
            let id = operation["operationId"].as_str().expect("an operationId");
            assert!(operation_ids.insert(id), "operationId {id} twice");
            let parameters: Vec<&Value> = operation["parameters"]
                .as_array()
                .map(|list| list.iter().map(|p| resolve(&document, p)).collect())
                .unwrap_or_default();
            let in_path: BTreeSet<&str> = parameters
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| {
                    assert_eq!(p["required"], true, "{p}");
                    p["name"].as_str().unwrap()
                })
                .collect();
            assert_eq!(in_path, templated, "{method} {path}: path parameters");
            let mut seen = BTreeSet::new();
            for p in &parameters {
                assert!(
                    seen.insert((p["in"].as_str(), p["name"].as_str())),
                    "{method} {path}: {p} twice"
                );
            }
        }
    }
    let mut refs = Vec::new();
    references(&document, "#", &mut refs);
    assert!(refs.len() > 20, "the document shares its schemas: {refs:?}");
    for (at, target) in &refs {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: non-local $ref {target}"));
        assert!(
            document.pointer(pointer).is_some(),
            "{at}: $ref {target} does not resolve"
        );
    }

    // Every schema is a JSON Schema 2020-12 schema (the official schema
    // only says they are objects or booleans), and compiles with the
    // document's components.
    let components = document["components"]["schemas"].as_object().unwrap();
    let mut schemas: Vec<(String, &Value)> = components
        .iter()
        .map(|(name, schema)| (format!("#/components/schemas/{name}"), schema))
        .collect();
    inline_schemas(&document["paths"], "#/paths", &mut schemas);
    inline_schemas(
        &document["components"]["responses"],
        "#/components/responses",
        &mut schemas,
    );
    inline_schemas(
        &document["components"]["parameters"],
        "#/components/parameters",
        &mut schemas,
    );
    assert!(schemas.len() > components.len());
    for (at, schema) in schemas {
        if let Err(error) = jsonschema::draft202012::meta::validate(schema) {
            panic!("{at} is not a JSON Schema 2020-12 schema: {error}");
        }
        validator(&document, schema);
    }
}

/// Where the document describes an answer: an operation, or a response
/// shared by every path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Described {
    /// The operation of a method (lower case, as the document writes it)
    /// on a path.
    Operation(&'static str, String),
    /// A response of `#/components/responses`.
    Shared(&'static str),
}

fn get(path: &str) -> Described {
    Described::Operation("get", path.to_string())
}

fn post(path: &str) -> Described {
    Described::Operation("post", path.to_string())
}

/// A real answer of the server.
struct Answer {
    described: Described,
    request: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Sends `method path` with `headers` (whole lines) and keeps the answer
/// with what should describe it.
async fn ask(
    server: &TestServer,
    described: &Described,
    method: &str,
    path: &str,
    headers: &str,
) -> Answer {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (status, headers, body) = raw_request(server.http, &request).await;
    Answer {
        described: described.clone(),
        request: format!("{method} {path}"),
        status,
        headers,
        body,
    }
}

/// `POST path` with a JSON `body`.
async fn ask_with_body(
    server: &TestServer,
    described: &Described,
    path: &str,
    body: &str,
) -> Answer {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, headers, bytes) = raw_request(server.http, &request).await;
    Answer {
        described: described.clone(),
        request: format!("POST {path} {body}"),
        status,
        headers,
        body: bytes,
    }
}

/// Checks `answer` against the response the document declares for it, and
/// returns the body when it is JSON.
fn check(document: &Value, answer: &Answer) -> Option<Value> {
    let Answer {
        described,
        request,
        status,
        headers,
        body,
    } = answer;
    let declared = match described {
        Described::Operation(method, path) => {
            let responses = &document["paths"][path][*method]["responses"];
            assert!(
                responses.is_object(),
                "{method} {path} is not in the document"
            );
            responses.get(status.to_string()).unwrap_or_else(|| {
                panic!(
                    "{request} answered {status}, which the document does not declare for {method} {path}: {}",
                    String::from_utf8_lossy(body)
                )
            })
        }
        Described::Shared(name) => &document["components"]["responses"][*name],
    };
    let declared = resolve(document, declared);
    assert!(declared.is_object(), "{request}: {described:?} is declared");

    if let Some(declared_headers) = declared["headers"].as_object() {
        for (name, declared_header) in declared_headers {
            let declared_header = resolve(document, declared_header);
            let Some(value) = header(headers, name) else {
                assert_ne!(
                    declared_header["required"], true,
                    "{request} ({status}): header {name} missing"
                );
                continue;
            };
            let value = match declared_header["schema"]["type"].as_str() {
                Some("integer") => json!(value.parse::<i64>().unwrap_or_else(|_| panic!(
                    "{request}: header {name}: `{value}` is not an integer"
                ))),
                _ => json!(value),
            };
            let schema = validator(document, &declared_header["schema"]);
            assert!(
                schema.is_valid(&value),
                "{request}: header {name}: {value} does not fit {}",
                declared_header["schema"]
            );
        }
    }

    let content = declared["content"].as_object().expect("declared content");
    let content_type =
        header(headers, "content-type").unwrap_or_else(|| panic!("{request}: no content-type"));
    let essence = content_type.split(';').next().unwrap().trim();
    let media = content.get(essence).unwrap_or_else(|| {
        panic!(
            "{request} ({status}): content-type {content_type}, declared {:?}",
            content.keys().collect::<Vec<_>>()
        )
    });
    if essence != "application/json" {
        assert!(
            validator(document, &media["schema"]).is_valid(&json!(String::from_utf8_lossy(body))),
            "{request}: body does not fit {}",
            media["schema"]
        );
        return None;
    }
    let value: Value = serde_json::from_slice(body).unwrap_or_else(|error| {
        panic!(
            "{request}: body is not JSON ({error}): {}",
            String::from_utf8_lossy(body)
        )
    });
    let schema = validator(document, &media["schema"]);
    let errors: Vec<String> = schema
        .iter_errors(&value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{request} ({status}) does not fit its declared schema: {errors:#?}\n{value}"
    );
    Some(value)
}

/// What the real answers showed, to hold the document to.
#[derive(Default)]
struct Coverage {
    /// Every (description, status) answered.
    produced: BTreeSet<(Described, u16)>,
    /// The parameters real 400s named, by operation.
    refused_parameters: BTreeMap<Described, BTreeSet<String>>,
    /// Every error code answered.
    codes: BTreeSet<String>,
}

impl Coverage {
    /// Checks `answer` against the document and remembers it; returns its
    /// JSON body.
    fn record(&mut self, document: &Value, answer: &Answer) -> Option<Value> {
        let body = check(document, answer);
        self.produced
            .insert((answer.described.clone(), answer.status));
        if let Some(error) = body.as_ref().and_then(|body| body.get("error")) {
            self.codes
                .insert(error["code"].as_str().unwrap().to_string());
            if let Some(parameter) = error["parameter"].as_str() {
                let message = error["message"].as_str().unwrap();
                assert!(message.starts_with(parameter), "{message}");
                self.refused_parameters
                    .entry(answer.described.clone())
                    .or_default()
                    .insert(parameter.to_string());
            }
        }
        body
    }

    /// Every status the document declares on the paths `owned` is one the
    /// server gave, or one it says is given only under load or on a fault;
    /// every parameter a declared 400 may name was named by a real one.
    fn assert_declared_statuses_are_real(&self, document: &Value, owned: impl Fn(&str) -> bool) {
        let mut checked = 0;
        for (path, item) in document["paths"].as_object().unwrap() {
            if !owned(path) {
                continue;
            }
            for (method, operation) in item.as_object().unwrap() {
                let method = OPERATIONS
                    .into_iter()
                    .find(|known| known == method)
                    .unwrap_or_else(|| panic!("{method} {path}"));
                let described = Described::Operation(method, path.clone());
                for (status, response) in operation["responses"].as_object().unwrap() {
                    checked += 1;
                    let status: u16 = status.parse().unwrap();
                    if self.produced.contains(&(described.clone(), status)) {
                        continue;
                    }
                    let description = resolve(document, response)["description"].as_str().unwrap();
                    assert!(
                        STATUSES_UNDER_LOAD.contains(&status)
                            && (description.contains("only under load")
                                || description.contains("only on a fault")),
                        "{method} {path} declares {status}, which the server never gave here \
                         and which is not said to come only under load: {description}"
                    );
                }
                if let Some(bad) = operation["responses"].get("400") {
                    let declared: BTreeSet<String> =
                        resolve(document, bad)["content"]["application/json"]["schema"]["allOf"][1]
                            ["properties"]["error"]["properties"]["parameter"]["enum"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p.as_str().unwrap().to_string())
                            .collect();
                    assert_eq!(
                        self.refused_parameters.get(&described),
                        Some(&declared),
                        "{method} {path}: parameters refused by a real 400"
                    );
                }
            }
        }
        assert!(checked > 0, "no path checked");
    }
}

fn is_admin(path: &str) -> bool {
    path.starts_with(voter_lookup::http::ADMIN_PREFIX)
}

#[tokio::test]
async fn real_answers_fit_the_document_and_every_declared_status_is_real() {
    let server = TestServer::start_generated(TEST_VOTERS, 11).await;
    let empty = TestServer::start(IndexHandle::default()).await;
    let document = served_document(&server).await;
    let search = get(openapi::SEARCH_PATH);
    let voters = get(openapi::VOTERS_PATH);
    let stations = get(openapi::STATIONS_PATH);
    let lookup_paths = [
        openapi::SEARCH_PATH,
        openapi::VOTERS_PATH,
        openapi::STATIONS_PATH,
        openapi::HEALTHZ_PATH,
        openapi::READYZ_PATH,
        openapi::METRICS_PATH,
        openapi::STATUS_PATH,
        openapi::OPENAPI_PATH,
    ];
    for path in document["paths"].as_object().unwrap().keys() {
        assert!(
            lookup_paths.contains(&path.as_str()) || is_admin(path),
            "the tests ask nothing of {path}"
        );
    }

    let canaries = voter_lookup::index::canary::lookups(&server.state.service.snapshot().unwrap());
    assert!(!canaries.is_empty());
    let mut answers = Vec::new();
    for canary in &canaries {
        let date = canary.birth_date.clone().unwrap_or_default();
        let q = encode(&canary.query);
        for (described, path) in [
            (&search, format!("/v1/search?q={q}&birth_date={date}")),
            (&search, format!("/v1/search?q={q}&limit=3")),
            (
                &voters,
                format!("/v1/voters/{}/{}", canary.station_code, canary.order_number),
            ),
            (
                &voters,
                format!(
                    "/v1/voters/{}/{}?commune={}",
                    canary.station_code,
                    canary.order_number,
                    canary.commune_code.as_deref().unwrap_or("")
                ),
            ),
        ] {
            answers.push(ask(&server, described, "GET", &path, "").await);
        }
    }
    let too_long = "A".repeat(voter_lookup::search::query::MAX_QUERY_BYTES + 1);
    let too_many_words = ["MARTIN"; voter_lookup::search::query::MAX_TOKENS + 1].join("+");
    let not_found = Described::Shared("NotFound");
    let gets = [
        // Kiosk prefixes, many ties, a date typed in the text, nobody.
        (&search, "/v1/search?q=mar+an".to_string()),
        (&search, "/v1/search?q=MARTIN&limit=50".to_string()),
        (&search, "/v1/search?q=MARTIN+12%2F03%2F1962".to_string()),
        (&search, "/v1/search?q=XQZWYK+Vbnrt".to_string()),
        (&search, "/v1/search".to_string()),
        (&search, "/v1/search?q=".to_string()),
        (&search, format!("/v1/search?q={too_long}")),
        (&search, format!("/v1/search?q={too_many_words}")),
        (&search, "/v1/search?q=MARTIN+31%2F02%2F1990".to_string()),
        (&search, "/v1/search?q=MARTIN&limit=0".to_string()),
        (&search, "/v1/search?q=MARTIN&limit=51".to_string()),
        (&search, "/v1/search?q=MARTIN&limit=ten".to_string()),
        (
            &search,
            "/v1/search?q=MARTIN&birth_date=1962-13-01".to_string(),
        ),
        (&voters, "/v1/voters/0001/abc".to_string()),
        (&voters, "/v1/voters/0001/0".to_string()),
        (&voters, "/v1/voters/00%2F01/3".to_string()),
        (&voters, format!("/v1/voters/{}/1", "7".repeat(40))),
        (&voters, "/v1/voters/0001/999999".to_string()),
        (&voters, "/v1/voters/0001/1?commune=Lille".to_string()),
        (&voters, "/v1/voters/0001/1?commune=59350".to_string()),
        // The demo roll's commune is in the Loiret (45): a request for
        // another département belongs to another shard.
        (&search, "/v1/search?q=MARTIN&departement=45".to_string()),
        (&search, "/v1/search?q=MARTIN&departement=59".to_string()),
        (&search, "/v1/search?q=MARTIN&departement=Nord".to_string()),
        (&stations, "/v1/stations".to_string()),
        (&get(openapi::HEALTHZ_PATH), "/healthz".to_string()),
        (&get(openapi::READYZ_PATH), "/readyz".to_string()),
        (&get(openapi::METRICS_PATH), "/metrics".to_string()),
        (&get(openapi::STATUS_PATH), "/v1/status".to_string()),
        (
            &get(openapi::STATUS_PATH),
            "/v1/status?window=24h".to_string(),
        ),
        (
            &get(openapi::STATUS_PATH),
            "/v1/status?window=soon".to_string(),
        ),
        (&get(openapi::OPENAPI_PATH), "/openapi.json".to_string()),
        (&not_found, "/v2/nothing".to_string()),
        (&not_found, "/v1/search/more".to_string()),
        (&not_found, "/v1%2Fsearch".to_string()),
        (&not_found, "/v1/./search".to_string()),
    ];
    for (described, path) in gets {
        answers.push(ask(&server, described, "GET", &path, "").await);
    }
    let not_allowed = Described::Shared("MethodNotAllowed");
    for method in ["PUT", "DELETE", "PATCH"] {
        answers.push(ask(&server, &not_allowed, method, "/v1/search", "").await);
    }
    // The POST form of the search: its JSON body, good and bad.
    let posted = post(openapi::SEARCH_PATH);
    let canary = &canaries[0];
    let good = serde_json::json!({
        "q": canary.query,
        "birth_date": canary.birth_date.clone().unwrap_or_default(),
    });
    let mut kiosk = good.clone();
    kiosk["view"] = serde_json::json!("kiosk");
    for body in [
        good.to_string(),
        kiosk.to_string(),
        r#"{"q": "MARTIN", "limit": 3}"#.to_string(),
        r#"{"q": ""}"#.to_string(),
        r#"{"q": "MARTIN", "birth_date": "1962-13-01"}"#.to_string(),
        r#"{"q": "MARTIN", "limit": 0}"#.to_string(),
        r#"{"q": "MARTIN", "view": "vip"}"#.to_string(),
        r#"{"q": "MARTIN Marie", "view": "kiosk"}"#.to_string(),
        r#"{"q": "#.to_string(),
        r#"{"q": "MARTIN", "nickname": "x"}"#.to_string(),
        r#"{"q": "MARTIN", "departement": "45"}"#.to_string(),
        r#"{"q": "MARTIN", "departement": "2C"}"#.to_string(),
        r#"{"q": "MARTIN", "departement": "2A"}"#.to_string(),
    ] {
        answers.push(ask_with_body(&server, &posted, openapi::SEARCH_PATH, &body).await);
    }
    answers.push(ask(&server, &search, "GET", "/v1/search?q=MARTIN&view=vip", "").await);
    answers.push(ask(&empty, &posted, "POST", openapi::SEARCH_PATH, "").await);
    // A server that refuses keyless callers: 403 on every lookup route.
    let denied = TestServer::start_state(Arc::new(
        AppState::new(IndexHandle::default()).with_privacy(
            Privacy::new(PrivacyConfig {
                roles: Roles {
                    anonymous: AnonymousPolicy::Deny,
                },
                ..PrivacyConfig::default()
            })
            .unwrap(),
        ),
    ))
    .await;
    for (described, path) in [
        (&search, "/v1/search?q=DUPONT"),
        (&voters, "/v1/voters/0001/1"),
        (&stations, "/v1/stations"),
    ] {
        answers.push(ask(&denied, described, "GET", path, "").await);
    }
    answers.push(ask_with_body(&denied, &posted, openapi::SEARCH_PATH, r#"{"q": "DUPONT"}"#).await);
    denied.shutdown().await;
    answers.push(ask(&server, &not_allowed, "POST", "/nowhere", "").await);
    // Before any index is loaded.
    for (described, path) in [
        (&search, "/v1/search?q=DUPONT"),
        (&voters, "/v1/voters/0001/1"),
        (&stations, "/v1/stations"),
        (&get(openapi::READYZ_PATH), "/readyz"),
        (&get(openapi::HEALTHZ_PATH), "/healthz"),
        (&get(openapi::STATUS_PATH), "/v1/status?window=15m"),
    ] {
        answers.push(ask(&empty, described, "GET", path, "").await);
    }
    // A body too large, or too slow to arrive whole, is refused before any
    // lookup; a server with tight body limits shows it quickly.
    let strict = TestServer::start_state(Arc::new(
        AppState::new(IndexHandle::default()).with_body_limits(BodyLimits {
            timeout: Duration::from_millis(100),
            max_bytes: 64,
        }),
    ))
    .await;
    for (described, method, path) in [
        (&search, "GET", "/v1/search?q=DUPONT"),
        (&posted, "POST", "/v1/search"),
        (&voters, "GET", "/v1/voters/0001/1"),
        (&stations, "GET", "/v1/stations"),
    ] {
        for (length, sent, status) in [(100_000, "", 413), (10, "abc", 408)] {
            let request = format!(
                "{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n{sent}"
            );
            let (answered, headers, body) = raw_request(strict.http, &request).await;
            assert_eq!(answered, status, "{request}");
            answers.push(Answer {
                described: described.clone(),
                request: format!("{method} {path} with a body of {length} bytes"),
                status: answered,
                headers,
                body,
            });
        }
    }
    // HEAD is served like GET, without a body.
    let head = ask(&server, &get(openapi::HEALTHZ_PATH), "HEAD", "/healthz", "").await;
    assert_eq!((head.status, head.body.len()), (200, 0));

    let mut coverage = Coverage::default();
    let mut searches_answered = 0;
    for answer in &answers {
        coverage.record(&document, answer);
        searches_answered += usize::from(answer.described == search && answer.status == 200);
    }
    assert!(searches_answered > canaries.len(), "searches answered");
    coverage.assert_declared_statuses_are_real(&document, |path| !is_admin(path));
    for shared in ["NotFound", "MethodNotAllowed"] {
        assert!(
            coverage
                .produced
                .iter()
                .any(|(d, _)| *d == Described::Shared(shared)),
            "{shared}"
        );
    }
    for code in [
        "invalid_argument",
        "not_found",
        "method_not_allowed",
        "index_not_ready",
    ] {
        assert!(
            coverage.codes.contains(code),
            "{code} never produced: {:?}",
            coverage.codes
        );
    }
    empty.shutdown().await;
    server.shutdown().await;
}

const ADMIN_TOKEN: &str = "openapi-test-admin-token-0123";

/// Builds a roll of `voters` voters from `seed` and publishes it in `root`
/// (which then names it `current`); returns its version.
fn publish_roll(root: &Path, seed: u64, voters: usize) -> String {
    let config = GeneratorConfig {
        seed,
        voters,
        ..GeneratorConfig::default()
    };
    publish_generated(root, &config)
}

#[tokio::test]
async fn admin_answers_fit_the_document() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path().to_path_buf();
    let versions = tokio::task::spawn_blocking({
        let root = root.clone();
        move || {
            [
                publish_roll(&root, 41, 400),
                publish_roll(&root, 42, 400),
                // More than the 20% change a reload accepts without force.
                publish_roll(&root, 43, 900),
            ]
        }
    })
    .await
    .unwrap();
    publish::switch_current(&root, &versions[0]).unwrap();
    let state = AppState::new(IndexHandle::default())
        .with_reloader(Reloader::new(
            IndexSource::Root(root.clone()),
            ReloadPolicy::default(),
        ))
        .with_admin_token(Some(ADMIN_TOKEN.to_string()));
    let server = TestServer::start_state(Arc::new(state)).await;
    let fixed = TestServer::start(IndexHandle::default()).await;
    let document = served_document(&server).await;

    let reload_path = openapi::admin_path("reload");
    let rollback_path = openapi::admin_path("rollback");
    let reload = post(&reload_path);
    let rollback = post(&rollback_path);
    let token = format!("Authorization: Bearer {ADMIN_TOKEN}\r\n");
    let mut coverage = Coverage::default();
    let mut admin = async |described: &Described, path: &str, headers: &str| {
        let answer = ask(&server, described, "POST", path, headers).await;
        coverage.record(&document, &answer)
    };
    let body = admin(&reload, &reload_path, &token).await.unwrap();
    assert_eq!(body["outcome"], "swapped", "the first load: {body}");
    let body = admin(&reload, &reload_path, &token).await.unwrap();
    assert_eq!(body["outcome"], "unchanged", "{body}");
    admin(&reload, &reload_path, "").await;
    admin(
        &reload,
        &reload_path,
        "Authorization: Bearer wrong-token-wrong-token\r\n",
    )
    .await;
    admin(&reload, &format!("{reload_path}?force=maybe"), &token).await;
    admin(&rollback, &format!("{rollback_path}?force=perhaps"), &token).await;
    publish::switch_current(&root, &versions[1]).unwrap();
    let body = admin(&reload, &format!("{reload_path}?force=false"), &token)
        .await
        .unwrap();
    assert_eq!(body["index_version"], versions[1].as_str(), "{body}");
    let body = admin(&rollback, &rollback_path, &token).await.unwrap();
    assert_eq!(body["index_version"], versions[0].as_str(), "{body}");
    admin(&rollback, &rollback_path, "").await;
    publish::switch_current(&root, &versions[2]).unwrap();
    let refused = admin(&reload, &reload_path, &token).await.unwrap();
    assert_eq!(refused["error"]["code"], "reload_refused", "{refused}");
    admin(&rollback, &rollback_path, &token).await;
    // A rollback that succeeded repointed `current`: name v2 again.
    publish::switch_current(&root, &versions[2]).unwrap();
    let body = admin(&reload, &format!("{reload_path}?force=1"), &token)
        .await
        .unwrap();
    assert_eq!(body["index_version"], versions[2].as_str(), "{body}");
    // Back to a roll of less than half the voters: refused, unless forced.
    let refused = admin(&rollback, &rollback_path, &token).await.unwrap();
    assert_eq!(refused["error"]["code"], "reload_refused", "{refused}");
    let body = admin(&rollback, &format!("{rollback_path}?force=true"), &token)
        .await
        .unwrap();
    assert_eq!(body["outcome"], "swapped", "{body}");

    // Readiness tells of the last reload.
    let answer = ask(&server, &get(openapi::READYZ_PATH), "GET", "/readyz", "").await;
    let readiness = coverage.record(&document, &answer).unwrap();
    assert_eq!(readiness["last_reload"]["trigger"], "admin", "{readiness}");
    // Admin calls of a server without a token or a reloader.
    for path in [&reload_path, &rollback_path] {
        let described = post(path);
        let answer = ask(&fixed, &described, "POST", path, &token).await;
        assert_eq!(answer.status, 403);
        coverage.record(&document, &answer);
    }
    // Wrong methods and unknown calls.
    let not_allowed = Described::Shared("MethodNotAllowed");
    let answer = ask(&server, &not_allowed, "GET", &reload_path, &token).await;
    assert_eq!(answer.status, 405);
    coverage.record(&document, &answer);
    let answer = ask(
        &server,
        &Described::Shared("NotFound"),
        "POST",
        &openapi::admin_path("explode"),
        &token,
    )
    .await;
    assert_eq!(answer.status, 404);
    coverage.record(&document, &answer);

    coverage.assert_declared_statuses_are_real(&document, is_admin);
    fixed.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn admission_refusals_fit_the_document() {
    const STAFF_KEY: &str = "openapi-test-staff-key";
    // One lookup at a time and no queue, so that a held permit sheds the
    // rest; anonymous clients get one request a second (bursts of two).
    let mut config = AdmissionConfig {
        limit: LimitConfig {
            min_limit: 1,
            max_limit: 1,
            initial_limit: 1,
            max_queue_wait: Duration::from_millis(50),
            queue_capacity: 0,
            brownout_delay: Duration::from_secs(60),
            shares: [0.6, 0.3, 0.1],
            staff_reserve: 0.0,
        },
        rates: [RateConfig {
            per_client: None,
            total: None,
        }; 3],
        ..AdmissionConfig::default()
    };
    config.rates[Class::Anonymous.rank()].per_client = NonZeroU32::new(1);
    config.api_keys.insert(STAFF_KEY.into(), Class::Staff);
    let index = tokio::task::spawn_blocking(|| {
        voter_lookup::demo::build_demo_index(TEST_VOTERS, 13).expect("the test index builds")
    })
    .await
    .unwrap();
    let state =
        AppState::new(IndexHandle::with_index(index)).with_admission(Admission::new(config));
    let server = TestServer::start_state(Arc::new(state)).await;
    let document = served_document(&server).await;
    let staff = format!("{API_KEY_HEADER}: {STAFF_KEY}\r\n");
    let routes = [
        (get(openapi::SEARCH_PATH), "/v1/search?q=MARTIN"),
        (get(openapi::VOTERS_PATH), "/v1/voters/0001/1"),
        (get(openapi::STATIONS_PATH), "/v1/stations"),
    ];
    let mut coverage = Coverage::default();
    for (described, path) in &routes {
        // A deadline that has passed already.
        let headers = format!("{staff}X-Request-Timeout: 0\r\n");
        let answer = ask(&server, described, "GET", path, &headers).await;
        assert_eq!(answer.status, 504, "{path}");
        coverage.record(&document, &answer);
        // An anonymous client past its burst.
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let answer = ask(&server, described, "GET", path, "").await;
            statuses.push(answer.status);
            coverage.record(&document, &answer);
        }
        assert!(statuses.contains(&429), "{path}: {statuses:?}");
    }
    // Shedding: the only slot is taken and nobody may queue.
    let admission = server.state.admission().unwrap().clone();
    let held = admission
        .admit(Class::Staff, &ClientId::Overflow, None)
        .await
        .unwrap();
    for (described, path) in &routes {
        let answer = ask(&server, described, "GET", path, &staff).await;
        assert_eq!(answer.status, 503, "{path}");
        let body = coverage.record(&document, &answer).unwrap();
        assert_eq!(body["error"]["code"], "overloaded", "{body}");
    }
    admission.release(held);
    // Admission governs lookups only.
    for path in [
        openapi::HEALTHZ_PATH,
        openapi::READYZ_PATH,
        openapi::OPENAPI_PATH,
    ] {
        let answer = ask(&server, &get(path), "GET", path, "").await;
        assert_eq!(answer.status, 200, "{path}");
        coverage.record(&document, &answer);
    }
    for (described, _) in &routes {
        for status in [429, 503, 504] {
            assert!(
                coverage.produced.contains(&(described.clone(), status)),
                "{described:?} never answered {status}"
            );
        }
    }
    server.shutdown().await;
}
