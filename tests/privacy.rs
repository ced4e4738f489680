//! Roles, quotas, hashed keys and the audit trail, tried from outside as a
//! kiosk, an anonymous caller, a harvesting script and staff would, on
//! both doors.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use common::{TestServer, encode, raw_request};
use voter_core::generator::{Generator, GeneratorConfig};
use voter_core::model::{BirthDate, ListKind, RollRow};
use voter_lookup::admission::{AdmissionConfig, Class};
use voter_lookup::index::IndexHandle;
use voter_lookup::privacy::audit::AuditConfig;
use voter_lookup::privacy::keys::{KeyRing, new_key};
use voter_lookup::privacy::quota::QuotaLimits;
use voter_lookup::privacy::role::{AnonymousPolicy, Roles};
use voter_lookup::privacy::{Privacy, PrivacyConfig};
use voter_lookup::state::AppState;
use voter_lookup_proto::v1::{GetVoterRequest, ListStationsRequest, SearchRequest};

const VOTERS: usize = 3_000;
const SEED: u64 = 11;
const STAFF_KEY: &str = "staff-desk-key-1";
const KIOSK_KEY: &str = "kiosk-hall-key-1";

fn rows() -> Vec<RollRow> {
    Generator::new(GeneratorConfig {
        seed: SEED,
        voters: VOTERS,
        ..GeneratorConfig::default()
    })
    .collect()
}

fn iso(date: &BirthDate) -> Option<String> {
    match date {
        BirthDate::Full { .. } => date.to_iso(),
        _ => None,
    }
}

/// Voters whose birth name, first given name and full birth date nobody
/// else shares: a kiosk can find each of them.
fn unique_voters(rows: &[RollRow]) -> Vec<&RollRow> {
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    for row in rows {
        if let Some(date) = iso(&row.birth_date) {
            let given = row.first_names.split_whitespace().next().unwrap_or("");
            *seen
                .entry((row.birth_name.clone(), given.to_string(), date))
                .or_default() += 1;
        }
    }
    rows.iter()
        .filter(|row| {
            let Some(date) = iso(&row.birth_date) else {
                return false;
            };
            let given = row.first_names.split_whitespace().next().unwrap_or("");
            row.membership.station_code.is_some()
                && !row.birth_name.contains(' ')
                && row.birth_name.chars().all(|c| c.is_ascii_alphabetic())
                && row.usage_name.as_deref().is_none_or(str::is_empty)
                && seen[&(row.birth_name.clone(), given.to_string(), date)] == 1
        })
        .collect()
}

async fn server(privacy: PrivacyConfig, keys: KeyRing) -> TestServer {
    let index = tokio::task::spawn_blocking(|| {
        voter_lookup::demo::build_demo_index(VOTERS, SEED).expect("the index builds")
    })
    .await
    .unwrap();
    let mut admission = AdmissionConfig::default();
    admission.key_ring = Some(keys);
    admission.rates = [voter_lookup::admission::rate::RateConfig {
        per_client: None,
        total: None,
    }; 3];
    let state = AppState::new(IndexHandle::with_index(index))
        .with_optional_admission(Some(admission))
        .with_privacy(Privacy::new(privacy).unwrap());
    TestServer::start_state(Arc::new(state)).await
}

fn clear_keys() -> KeyRing {
    KeyRing::with_clear(&HashMap::from([
        (STAFF_KEY.to_string(), Class::Staff),
        (KIOSK_KEY.to_string(), Class::Kiosk),
    ]))
}

fn roles(anonymous: AnonymousPolicy) -> PrivacyConfig {
    PrivacyConfig {
        roles: Roles { anonymous },
        quotas: [QuotaLimits::NONE; 3],
        audit: None,
    }
}

/// A request with `key` (if any); returns status, headers and JSON.
async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (u16, Vec<(String, String)>, serde_json::Value) {
    let key_line = key.map_or(String::new(), |key| format!("X-Api-Key: {key}\r\n"));
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{key_line}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, headers, bytes) = raw_request(server.http, &request).await;
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, headers, json)
}

fn search_path(row: &RollRow) -> String {
    let given = row.first_names.split_whitespace().next().unwrap();
    format!(
        "/v1/search?q={}&birth_date={}",
        encode(&format!("{} {given}", row.birth_name)),
        iso(&row.birth_date).unwrap()
    )
}

fn search_body(row: &RollRow, view: Option<&str>) -> String {
    let given = row.first_names.split_whitespace().next().unwrap();
    let mut body = serde_json::json!({
        "q": format!("{} {given}", row.birth_name),
        "birth_date": iso(&row.birth_date).unwrap(),
    });
    if let Some(view) = view {
        body["view"] = serde_json::json!(view);
    }
    body.to_string()
}

#[tokio::test]
async fn a_kiosk_sees_one_voters_station_and_nothing_else_on_both_doors() {
    let rows = rows();
    let server = server(roles(AnonymousPolicy::Kiosk), clear_keys()).await;
    let voter = unique_voters(&rows)
        .into_iter()
        .find(|row| row.first_names.split_whitespace().count() >= 2)
        .expect("a voter with two given names");
    let (status, _, body) = call(&server, "GET", &search_path(voter), Some(KIOSK_KEY), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["view"], "kiosk");
    assert_eq!(body["outcome"], "found", "{body}");
    assert_eq!(body["voter"]["surname"], voter.birth_name.as_str());
    let given = voter.first_names.split_whitespace().next().unwrap();
    assert_eq!(body["voter"]["given_name"], given);
    assert_eq!(
        body["station"]["code"],
        voter.membership.station_code.as_deref().unwrap()
    );
    assert_eq!(body["order_number"], voter.membership.order_number.unwrap());
    // Nothing else: no birth date, no other given name, no sex, list or
    // match details, whatever the field is called.
    let text = body.to_string();
    let second = voter.first_names.split_whitespace().nth(1).unwrap();
    let date = iso(&voter.birth_date).unwrap();
    for secret in [
        second,
        date.as_str(),
        &date[..4],
        "sex",
        "list",
        "match",
        "score",
        "first_names",
    ] {
        assert!(!text.contains(secret), "`{secret}` in {text}");
    }

    // POST gives the same answer, and an anonymous caller the same view.
    let (status, _, posted) = call(
        &server,
        "POST",
        "/v1/search",
        None,
        Some(&search_body(voter, None)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(posted, body);

    // gRPC: the kiosk answer, no results.
    let mut client = server.grpc_client().await;
    let mut request = tonic::Request::new(SearchRequest {
        q: format!("{} {given}", voter.birth_name),
        birth_date: date.clone(),
        limit: 0,
        view: String::new(),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("x-api-key", KIOSK_KEY.parse().unwrap());
    let answer = client.search(request).await.unwrap().into_inner();
    assert!(answer.results.is_empty());
    assert_eq!(answer.view, "kiosk");
    let kiosk = answer.kiosk.expect("a kiosk answer");
    assert_eq!(kiosk.outcome, "found");
    assert_eq!(kiosk.surname.as_deref(), Some(voter.birth_name.as_str()));
    assert_eq!(kiosk.given_name.as_deref(), Some(given));
    assert_eq!(kiosk.order_number, voter.membership.order_number);

    // Staff get the full answer.
    let (status, _, full) = call(&server, "GET", &search_path(voter), Some(STAFF_KEY), None).await;
    assert_eq!(status, 200);
    assert_eq!(full["view"], "staff");
    assert!(full["results"][0]["voter"]["birth_date"].is_string());
    server.shutdown().await;
}

#[tokio::test]
async fn a_kiosk_cannot_widen_its_view_list_people_or_look_up_in_reverse() {
    let rows = rows();
    let server = server(roles(AnonymousPolicy::Kiosk), clear_keys()).await;
    let voter = unique_voters(&rows)[0];
    // Without the full date, or with a beginning only.
    let given = voter.first_names.split_whitespace().next().unwrap();
    let no_date = format!(
        "/v1/search?q={}",
        encode(&format!("{} {given}", voter.birth_name))
    );
    let (status, _, body) = call(&server, "GET", &no_date, Some(KIOSK_KEY), None).await;
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("birth_date"))
    );
    let one_word = format!(
        "/v1/search?q={}&birth_date={}",
        encode(&voter.birth_name),
        iso(&voter.birth_date).unwrap()
    );
    let (status, _, body) = call(&server, "GET", &one_word, None, None).await;
    assert_eq!(
        (status, body["error"]["parameter"].as_str()),
        (400, Some("q"))
    );
    // The staff view, reverse lookups and station counts are refused.
    let widened = format!("{}&view=staff", search_path(voter));
    for (path, key) in [
        (widened.as_str(), Some(KIOSK_KEY)),
        (widened.as_str(), None),
        ("/v1/voters/0001/1", Some(KIOSK_KEY)),
        ("/v1/voters/0001/1", None),
        ("/v1/stations", Some(KIOSK_KEY)),
        ("/v1/stations", None),
    ] {
        let (status, _, body) = call(&server, "GET", path, key, None).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "permission_denied");
        let role = if key.is_some() { "kiosk" } else { "anonymous" };
        assert!(
            body["error"]["message"].as_str().unwrap().contains(role),
            "{body}"
        );
    }
    let mut client = server.grpc_client().await;
    let denied = client
        .get_voter(GetVoterRequest {
            station: "0001".into(),
            order: 1,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);
    let denied = client
        .list_stations(ListStationsRequest {})
        .await
        .unwrap_err();
    assert_eq!(denied.code(), tonic::Code::PermissionDenied);

    // Homonyms born the same day: "several", and nobody shown. (One EU
    // citizen on both complementary lists is one identity: only the
    // principal list is looked at here.)
    let mut groups: HashMap<(String, String, String), Vec<&RollRow>> = HashMap::new();
    for row in &rows {
        if let (Some(date), ListKind::Principal) = (iso(&row.birth_date), &row.membership.list) {
            groups
                .entry((row.birth_name.clone(), row.first_names.clone(), date))
                .or_default()
                .push(row);
        }
    }
    let twins = groups
        .values()
        .find(|group| group.len() >= 2 && group[0].membership.station_code.is_some())
        .expect("true homonyms with a full birth date");
    let (status, _, body) = call(
        &server,
        "GET",
        &search_path(twins[0]),
        Some(KIOSK_KEY),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["outcome"], "several", "{body}");
    assert!(
        body.get("voter").is_none()
            && body.get("station").is_none()
            && body.get("order_number").is_none()
    );

    // Nobody: not found, and nobody shown.
    let nobody = format!(
        "/v1/search?q={}&birth_date=1931-02-03",
        encode("ZYGOMATIQUE Hortense")
    );
    let (status, _, body) = call(&server, "GET", &nobody, Some(KIOSK_KEY), None).await;
    assert_eq!((status, body["outcome"].as_str()), (200, Some("not_found")));
    server.shutdown().await;
}

#[tokio::test]
async fn deny_refuses_keyless_callers_and_an_unknown_key_is_one_of_them() {
    let rows = rows();
    let server = server(roles(AnonymousPolicy::Deny), clear_keys()).await;
    let voter = unique_voters(&rows)[0];
    for key in [None, Some("made-up-key-123")] {
        let (status, _, body) = call(&server, "GET", &search_path(voter), key, None).await;
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("anonymous")
        );
    }
    let (status, _, _) = call(&server, "GET", &search_path(voter), Some(KIOSK_KEY), None).await;
    assert_eq!(status, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn a_harvesting_script_gets_no_more_voters_than_its_quota() {
    const HOUR: u32 = 25;
    let rows = rows();
    let mut config = roles(AnonymousPolicy::Kiosk);
    config.quotas[Class::Kiosk.rank()] = QuotaLimits {
        hour: Some(HOUR),
        day: Some(100),
    };
    config.quotas[Class::Anonymous.rank()] = QuotaLimits {
        hour: Some(5),
        day: Some(10),
    };
    let server = server(config, clear_keys()).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for (key, quota) in [(Some(KIOSK_KEY), HOUR), (None, 5)] {
        // A script that knows names and dates (the worst case: it has a
        // list from elsewhere) and asks for each in turn.
        let mut revealed = HashSet::new();
        let mut refused = 0;
        for voter in unique_voters(&rows).into_iter().take(80) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the script is bounded in time"
            );
            let (status, headers, body) =
                call(&server, "GET", &search_path(voter), key, None).await;
            match status {
                200 if body["outcome"] == "found" => {
                    revealed.insert((
                        body["station"]["code"].to_string(),
                        body["order_number"].to_string(),
                    ));
                }
                200 => {}
                429 => {
                    assert_eq!(body["error"]["code"], "quota_exceeded");
                    let retry: u64 = headers
                        .iter()
                        .find(|(name, _)| name == "retry-after")
                        .map(|(_, value)| value.parse().unwrap())
                        .expect("Retry-After");
                    assert!(retry > 60 && retry <= 3600, "{retry}");
                    refused += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
            // A sweep of order numbers alongside: refused outright.
            let (status, _, _) = call(&server, "GET", "/v1/voters/0001/1", key, None).await;
            assert_eq!(status, 403);
        }
        assert!(
            revealed.len() <= quota as usize,
            "{} > {quota}",
            revealed.len()
        );
        assert!(
            revealed.len() >= quota as usize / 2,
            "the quota is not far below what was asked"
        );
        assert!(refused > 0, "the script was stopped");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn every_reveal_is_audited_without_the_query_and_hashed_keys_rotate() {
    let rows = rows();
    let trail = tempfile::tempdir().unwrap();
    let (old_key, old_line) = new_key(Class::Staff, "desk-1").unwrap();
    let keys_file = trail.path().join("keys");
    std::fs::write(&keys_file, format!("{old_line}\n")).unwrap();
    let ring = KeyRing::default().with_file(&keys_file).unwrap();
    let mut config = roles(AnonymousPolicy::Kiosk);
    config.audit = Some(AuditConfig {
        dir: trail.path().join("audit"),
        max_file_bytes: AuditConfig::DEFAULT_MAX_FILE_BYTES,
        retention: Duration::from_secs(3600),
    });
    let server = server(config, ring).await;
    let looked_up: Vec<&RollRow> = unique_voters(&rows).into_iter().take(5).collect();
    for voter in &looked_up {
        let (status, _, body) = call(
            &server,
            "POST",
            "/v1/search",
            Some(&old_key),
            Some(&search_body(voter, None)),
        )
        .await;
        assert_eq!(
            (status, body["view"].as_str()),
            (200, Some("staff")),
            "{body}"
        );
    }
    // A kiosk-view reveal by an anonymous caller, and one reverse lookup.
    let (status, _, _) = call(
        &server,
        "POST",
        "/v1/search",
        None,
        Some(&search_body(looked_up[0], Some("kiosk"))),
    )
    .await;
    assert_eq!(status, 200);
    let station = looked_up[1].membership.station_code.clone().unwrap();
    let order = looked_up[1].membership.order_number.unwrap();
    let (status, _, _) = call(
        &server,
        "GET",
        &format!("/v1/voters/{station}/{order}"),
        Some(&old_key),
        None,
    )
    .await;
    assert_eq!(status, 200);
    // A refused admin attempt is audited too.
    let (status, _, _) = call(&server, "POST", "/v1/admin/reload", None, None).await;
    assert_eq!(status, 403);
    server.state.privacy().audit().unwrap().flush();

    let mut text = String::new();
    for file in voter_lookup::privacy::audit::files(&trail.path().join("audit")).unwrap() {
        text.push_str(&std::fs::read_to_string(file).unwrap());
    }
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let reveals: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["event"] == "reveal")
        .collect();
    assert_eq!(reveals.len(), 7, "{text}");
    for line in &reveals {
        for field in ["time", "request_id", "door", "role", "client"] {
            assert!(line[field].is_string(), "{field} in {line}");
        }
        assert!(!line["voters"].as_array().unwrap().is_empty());
    }
    assert_eq!(reveals[0]["key_id"], "desk-1");
    assert_eq!(reveals[5]["role"], "anonymous");
    assert!(reveals[5]["key_id"].is_null());
    assert!(
        lines
            .iter()
            .any(|line| line["event"] == "admin" && line["outcome"] == "permission_denied")
    );
    assert!(text.contains(&format!("\"station\":\"{station}\",\"order\":{order}")));
    // No query text, no name, no birth date, no key.
    for voter in &looked_up {
        assert!(
            !text.contains(&voter.birth_name),
            "{} in the trail",
            voter.birth_name
        );
        assert!(!text.contains(&iso(&voter.birth_date).unwrap()));
    }
    assert!(!text.contains(&old_key));
    let rows =
        voter_lookup::privacy::audit::summarise(&trail.path().join("audit"), None, Some("desk-1"))
            .unwrap();
    assert_eq!(rows.iter().map(|row| row.lookups).sum::<u64>(), 6);

    // Rotation: a new key file in force (what SIGHUP does); the old key is
    // then nobody, the new one staff.
    let (new, new_line) = new_key(Class::Staff, "desk-2").unwrap();
    std::fs::write(&keys_file, format!("{new_line}\n")).unwrap();
    server
        .state
        .replace_keys(KeyRing::default().with_file(&keys_file).unwrap());
    let path = search_path(looked_up[0]);
    let (_, _, body) = call(&server, "GET", &path, Some(&old_key), None).await;
    assert_eq!(body["view"], "kiosk", "the old key is revoked");
    let (_, _, body) = call(&server, "GET", &path, Some(&new), None).await;
    assert_eq!(body["view"], "staff");
    server.shutdown().await;
}

#[tokio::test]
async fn a_malformed_post_body_is_refused_naming_it() {
    let server = server(roles(AnonymousPolicy::Staff), KeyRing::default()).await;
    for body in [
        "{",
        "[]",
        "{\"q\": 3}",
        "{\"q\": \"A B\", \"nickname\": \"x\"}",
    ] {
        let (status, _, json) = call(&server, "POST", "/v1/search", None, Some(body)).await;
        assert_eq!(status, 400, "{body}: {json}");
        assert_eq!(json["error"]["parameter"], "body");
    }
    let (status, _, json) = call(
        &server,
        "POST",
        "/v1/search",
        None,
        Some("{\"q\": \"MARTIN\", \"view\": \"vip\"}"),
    )
    .await;
    assert_eq!(
        (status, json["error"]["parameter"].as_str()),
        (400, Some("view"))
    );
    server.shutdown().await;
}
