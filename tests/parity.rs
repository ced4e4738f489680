//! One search, two doors: the same queries through HTTP/JSON and gRPC give
//! the same answers, field for field, and the same errors.
//!
//! A server over a generated roll of 5,000 voters answers 300 labelled
//! queries (25 of every category of [`voter_core::queries`]: typos,
//! sound-alikes, married names, kiosk prefixes, people not on the roll…)
//! with several limits, `GetVoter` for 50 lines of the signing sheets, and
//! `ListStations`. Each gRPC answer is written out as the JSON the HTTP
//! door should give, from the proto's fields, and compared whole with the
//! HTTP answer: results in the same order with the same voter, station,
//! order number, score, match list, confidence and memberships, and the
//! same `ambiguous`, `degraded`, `confidence` and `index_version`. Errors
//! must be of the same kind on both doors: the HTTP status and the gRPC
//! code are the ones README.md's table gives for the JSON `code`, and a bad
//! argument names the same parameter.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{TestServer, encode};
use serde_json::{Value, json};
use tonic_types::StatusExt;
use voter_core::generator::{Generator, GeneratorConfig};
use voter_core::model::RollRow;
use voter_core::queries::{Category, QuerySetConfig, labelled_queries};
use voter_lookup::error::ErrorKind;
use voter_lookup::index::IndexHandle;
use voter_lookup_proto::v1;

const VOTERS: usize = 5_000;
const ROLL_SEED: u64 = 31;
const QUERIES_PER_CATEGORY: usize = 25;
const VOTER_LINES: usize = 50;

type Client = v1::voter_lookup_client::VoterLookupClient<tonic::transport::Channel>;

/// The gRPC station as the JSON writes it.
fn station(station: &v1::Station) -> Value {
    let mut body =
        json!({"code": station.code, "label": station.label, "address": station.address});
    with_commune(&mut body, &station.commune, &station.commune_name);
    body
}

/// The commune fields, which the JSON leaves out when the roll names none.
fn with_commune(body: &mut Value, commune: &Option<String>, commune_name: &Option<String>) {
    for (field, value) in [("commune", commune), ("commune_name", commune_name)] {
        if let Some(value) = value {
            body[field] = json!(value);
        }
    }
}

/// A gRPC result as the JSON writes it.
fn result(result: &v1::SearchResult) -> Value {
    let voter = result.voter.as_ref().expect("every result has a voter");
    json!({
        "voter": {
            "birth_name": voter.birth_name,
            "usage_name": voter.usage_name,
            "first_names": voter.first_names,
            "sex": voter.sex,
            "birth_date": voter.birth_date,
            "list": voter.list,
        },
        "station": result.station.as_ref().map(station),
        "order_number": result.order_number,
        "score": result.score,
        "match": result.r#match.iter().map(|m| json!({
            "token": m.token, "field": m.field, "kind": m.kind, "matched": m.matched,
        })).collect::<Vec<_>>(),
        "confidence": result.confidence,
        "memberships": result.memberships.iter().map(|m| json!({
            "list": m.list,
            "station": m.station.as_ref().map(station),
            "order_number": m.order_number,
        })).collect::<Vec<_>>(),
    })
}

fn search_response(response: &v1::SearchResponse) -> Value {
    json!({
        "view": response.view,
        "results": response.results.iter().map(result).collect::<Vec<_>>(),
        "index_version": response.index_version,
        "degraded": response.degraded,
        "ambiguous": response.ambiguous,
        "confidence": response.confidence,
    })
}

/// How a door answered: the JSON body, or an error.
#[derive(Debug)]
enum Answer {
    Body(Value),
    Error(Refusal),
}

/// An error as a door gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    Http {
        status: u16,
        code: String,
        parameter: Option<String>,
    },
    Grpc {
        code: tonic::Code,
        parameter: Option<String>,
    },
}

async fn http(server: &TestServer, path: &str) -> Answer {
    let (status, body) = server.get_json(path).await;
    if status == 200 {
        return Answer::Body(body);
    }
    let error = &body["error"];
    Answer::Error(Refusal::Http {
        status,
        code: error["code"].as_str().unwrap_or_default().to_string(),
        parameter: error["parameter"].as_str().map(String::from),
    })
}

fn grpc<T>(
    answer: Result<tonic::Response<T>, tonic::Status>,
    to_json: impl Fn(&T) -> Value,
) -> Answer {
    match answer {
        Ok(response) => Answer::Body(to_json(response.get_ref())),
        Err(status) => Answer::Error(Refusal::Grpc {
            code: status.code(),
            parameter: status
                .get_details_bad_request()
                .and_then(|details| details.field_violations.first().map(|v| v.field.clone())),
        }),
    }
}

/// `INVALID_ARGUMENT` for [`tonic::Code::InvalidArgument`].
fn grpc_name(code: tonic::Code) -> String {
    let mut name = String::new();
    for (i, c) in format!("{code:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

/// README.md's table of errors: `code` → (HTTP status, gRPC code name).
fn readme_table() -> BTreeMap<String, (u16, String)> {
    let readme = include_str!("../README.md");
    let section = readme
        .split("## Errors")
        .nth(1)
        .expect("README.md has an Errors section");
    let table: BTreeMap<String, (u16, String)> = section
        .lines()
        .take_while(|line| !line.starts_with("## "))
        // Rows of the table, not its header.
        .filter(|line| line.starts_with("| `") && !line.starts_with("| `code`"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let unquote = |cell: &str| cell.trim_matches('`').to_string();
            let status = cells[3]
                .parse()
                .unwrap_or_else(|_| panic!("README.md: no HTTP status in {line}"));
            (unquote(cells[1]), (status, unquote(cells[4])))
        })
        .collect();
    // Each row says what error.rs does.
    for (code, row) in &table {
        let kind = ErrorKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .unwrap_or_else(|| panic!("README.md lists `{code}`, which error.rs does not know"));
        assert_eq!(
            row,
            &(kind.http_status(), grpc_name(kind.grpc_code())),
            "README.md's row for `{code}`"
        );
    }
    table
}

/// Both doors answered alike: the same body, or errors of the same kind.
fn assert_same(what: &str, http: Answer, grpc: Answer, table: &BTreeMap<String, (u16, String)>) {
    match (http, grpc) {
        (Answer::Body(http), Answer::Body(grpc)) => {
            if http != grpc {
                panic!(
                    "{what}: the doors differ\nhttp: {}\ngrpc: {}",
                    serde_json::to_string_pretty(&http).unwrap(),
                    serde_json::to_string_pretty(&grpc).unwrap()
                );
            }
        }
        (
            Answer::Error(Refusal::Http {
                status,
                code,
                parameter,
            }),
            Answer::Error(Refusal::Grpc {
                code: grpc_code,
                parameter: grpc_parameter,
            }),
        ) => {
            let (table_status, table_grpc) = table.get(&code).unwrap_or_else(|| {
                panic!("{what}: HTTP code `{code}` is not in README.md's table")
            });
            assert_eq!(status, *table_status, "{what}: HTTP status of `{code}`");
            assert_eq!(
                grpc_name(grpc_code),
                *table_grpc,
                "{what}: gRPC answered {grpc_code:?}, HTTP `{code}`"
            );
            assert_eq!(parameter, grpc_parameter, "{what}: the parameter at fault");
        }
        (http, grpc) => {
            panic!("{what}: one door answered, the other refused\nhttp: {http:?}\ngrpc: {grpc:?}")
        }
    }
}

/// A search sent through both doors.
struct Search<'a> {
    what: String,
    q: &'a str,
    birth_date: Option<&'a str>,
    limit: Option<u32>,
}

async fn compare_search(
    server: &TestServer,
    client: &mut Client,
    search: &Search<'_>,
    table: &BTreeMap<String, (u16, String)>,
) -> Option<Value> {
    let mut path = format!("/v1/search?q={}", encode(search.q));
    if let Some(date) = search.birth_date {
        path.push_str(&format!("&birth_date={}", encode(date)));
    }
    if let Some(limit) = search.limit {
        path.push_str(&format!("&limit={limit}"));
    }
    let from_http = http(server, &path).await;
    let from_grpc = grpc(
        client
            .search(v1::SearchRequest {
                q: search.q.to_string(),
                birth_date: search.birth_date.unwrap_or_default().to_string(),
                limit: search.limit.unwrap_or(0),
                view: String::new(),
                ..Default::default()
            })
            .await,
        search_response,
    );
    let body = match &from_http {
        Answer::Body(body) => Some(body.clone()),
        Answer::Error(_) => None,
    };
    assert_same(&search.what, from_http, from_grpc, table);
    body
}

async fn compare_voter(
    server: &TestServer,
    client: &mut Client,
    station: &str,
    order: u32,
    table: &BTreeMap<String, (u16, String)>,
) -> bool {
    let from_http = http(server, &format!("/v1/voters/{}/{order}", encode(station))).await;
    let found = matches!(from_http, Answer::Body(_));
    let from_grpc = grpc(
        client
            .get_voter(v1::GetVoterRequest {
                station: station.to_string(),
                order,
                ..Default::default()
            })
            .await,
        |response| {
            json!({
                "voters": response.voters.iter().map(result).collect::<Vec<_>>(),
                "index_version": response.index_version,
            })
        },
    );
    assert_same(
        &format!("GetVoter {station:?} {order}"),
        from_http,
        from_grpc,
        table,
    );
    found
}

async fn compare_stations(
    server: &TestServer,
    client: &mut Client,
    table: &BTreeMap<String, (u16, String)>,
) -> Option<usize> {
    let from_http = http(server, "/v1/stations").await;
    let count = match &from_http {
        Answer::Body(body) => body["stations"].as_array().map(Vec::len),
        Answer::Error(_) => None,
    };
    let from_grpc = grpc(
        client.list_stations(v1::ListStationsRequest {}).await,
        |response| {
            json!({
                "stations": response.stations.iter().map(|s| {
                    let mut body = json!({
                        "code": s.code, "label": s.label, "address": s.address, "voter_count": s.voter_count,
                    });
                    with_commune(&mut body, &s.commune, &s.commune_name);
                    body
                }).collect::<Vec<_>>(),
                "index_version": response.index_version,
            })
        },
    );
    assert_same("ListStations", from_http, from_grpc, table);
    count
}

/// The roll the server is built from (the demo's generator, same seed).
fn roll() -> (Vec<RollRow>, voter_core::generator::NameSampler) {
    let generator = Generator::new(GeneratorConfig {
        seed: ROLL_SEED,
        voters: VOTERS,
        ..GeneratorConfig::default()
    });
    let names = generator.names().clone();
    (generator.collect(), names)
}

#[tokio::test]
async fn both_doors_give_the_same_answers_to_the_same_queries() {
    let table = readme_table();
    let server = TestServer::start_generated(VOTERS, ROLL_SEED).await;
    let mut client = server.grpc_client().await;
    let (rows, names) = roll();
    let queries = labelled_queries(
        &rows,
        &names,
        &QuerySetConfig {
            seed: 2026,
            per_category: QUERIES_PER_CATEGORY,
            only: Vec::new(),
            ..QuerySetConfig::default()
        },
    );
    let categories: BTreeSet<Category> = queries.iter().map(|q| q.category).collect();
    assert_eq!(
        categories,
        Category::ALL.into_iter().collect(),
        "every category"
    );
    assert!(queries.len() >= 280, "{} queries", queries.len());

    let mut results = 0;
    let mut ambiguous = 0;
    let mut confidences = BTreeSet::new();
    for (i, query) in queries.iter().enumerate() {
        // Mostly the default limit; some the smallest and the largest.
        let limit = match i % 10 {
            3 => Some(1),
            7 => Some(voter_lookup::search::MAX_LIMIT as u32),
            _ => None,
        };
        let search = Search {
            what: format!(
                "query {i} ({}) {:?} {:?} limit {limit:?}",
                query.category, query.text, query.birth_date
            ),
            q: &query.text,
            birth_date: query.birth_date.as_deref(),
            limit,
        };
        if let Some(body) = compare_search(&server, &mut client, &search, &table).await {
            results += body["results"].as_array().map_or(0, Vec::len);
            ambiguous += usize::from(body["ambiguous"] == true);
            confidences.insert(body["confidence"].as_str().unwrap_or_default().to_string());
        }
    }
    // The comparison saw real answers, of every kind.
    assert!(results >= queries.len(), "{results} results");
    assert!(ambiguous > 0, "some answers are ambiguous");
    for confidence in ["exact", "strong", "weak", "none"] {
        assert!(
            confidences.contains(confidence),
            "no answer of confidence {confidence}: {confidences:?}"
        );
    }

    // Lines of signing sheets, spread over the roll.
    let lines: Vec<(&str, u32)> = rows
        .iter()
        .filter_map(|row| {
            Some((
                row.membership.station_code.as_deref()?,
                row.membership.order_number?,
            ))
        })
        .collect();
    let step = (lines.len() / VOTER_LINES).max(1);
    let mut found = 0;
    for &(station, order) in lines.iter().step_by(step).take(VOTER_LINES) {
        found += usize::from(compare_voter(&server, &mut client, station, order, &table).await);
    }
    assert_eq!(found, VOTER_LINES, "every line of the roll is found");

    let stations = compare_stations(&server, &mut client, &table).await;
    assert!(stations.is_some_and(|n| n > 1), "{stations:?}");

    // Errors: the same kind through both doors.
    let too_long = "A".repeat(voter_lookup::search::query::MAX_QUERY_BYTES + 1);
    let bad_searches = [
        ("", None, None),
        ("   ", None, None),
        (too_long.as_str(), None, None),
        ("A B C D E F G H I", None, None),
        ("MARTIN 31/02/1990", None, None),
        ("MARTIN", Some("1962-13-01"), None),
        ("MARTIN", Some("yesterday"), None),
        ("MARTIN", None, Some(51)),
        ("MARTIN", None, Some(1000)),
    ];
    for (q, birth_date, limit) in bad_searches {
        let search = Search {
            what: format!("bad search {q:?} {birth_date:?} {limit:?}"),
            q,
            birth_date,
            limit,
        };
        let body = compare_search(&server, &mut client, &search, &table).await;
        assert!(body.is_none(), "{} was answered", search.what);
    }
    for (station, order) in [
        ("0001", 999_999),
        ("0001", 0),
        ("00/01", 3),
        ("", 1),
        ("ZZZZ", 1),
    ] {
        let found = compare_voter(&server, &mut client, station, order, &table).await;
        assert!(!found, "{station:?} {order} was found");
    }
    server.shutdown().await;

    // Before an index is loaded.
    let empty = TestServer::start(IndexHandle::default()).await;
    let mut client = empty.grpc_client().await;
    let search = Search {
        what: "search without an index".into(),
        q: "MARTIN",
        birth_date: None,
        limit: None,
    };
    assert!(
        compare_search(&empty, &mut client, &search, &table)
            .await
            .is_none()
    );
    assert!(!compare_voter(&empty, &mut client, "0001", 1, &table).await);
    assert!(
        compare_stations(&empty, &mut client, &table)
            .await
            .is_none()
    );
    empty.shutdown().await;
}
