//! A roll of several communes in two départements, as one shard of a
//! national service holds it: stations told apart by their commune, a
//! request's `departement` keeping its voters only, and a département the
//! server does not hold refused as misdirected, on both doors alike.

mod common;

use common::{TestServer, encode};
use serde_json::Value;
use voter_core::generator::{Generator, GeneratorConfig};
use voter_lookup::demo::{index_rows, station_infos};
use voter_lookup::index::{IndexHandle, LoadedIndex, reload};
use voter_lookup_proto::v1;

/// Two communes of two départements, each numbering its stations from 0001.
const COMMUNES: [(&str, &str, &str, u64); 2] = [
    ("59350", "Lille", "59000", 71),
    ("62041", "Arras", "62000", 72),
];

fn two_departements() -> LoadedIndex {
    let mut rows = Vec::new();
    let mut stations = Vec::new();
    for (code, name, postcode, seed) in COMMUNES {
        let generator = Generator::new(GeneratorConfig {
            seed,
            voters: 2_500,
            commune_code: code.into(),
            commune_name: name.into(),
            postcode: postcode.into(),
            ..GeneratorConfig::default()
        });
        stations.extend(station_infos(&generator));
        rows.extend(generator);
    }
    index_rows(rows, &stations, "two-departements").expect("the index builds")
}

async fn server() -> TestServer {
    let index = tokio::task::spawn_blocking(two_departements).await.unwrap();
    assert_eq!(index.info().departements, ["59", "62"]);
    // Every canary, asked within its own département, finds its voter.
    reload::run_canaries(&index).expect("the canaries pass");
    TestServer::start(IndexHandle::with_index(index)).await
}

/// The communes of the stations of an HTTP search's results.
fn communes_of(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["station"]["commune"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_departement_asked_keeps_its_voters_and_one_not_held_is_misdirected() {
    let server = server().await;
    // A surname common in both communes' rolls.
    let (status, everyone) = server.get_json("/v1/search?q=MARTIN&limit=50").await;
    assert_eq!(status, 200, "{everyone}");
    let communes = communes_of(&everyone);
    assert!(communes.iter().any(|c| c == "59350"), "{communes:?}");
    assert!(communes.iter().any(|c| c == "62041"), "{communes:?}");

    for (typed, commune) in [("62", "62041"), ("59", "59350"), (" 59 ", "59350")] {
        let path = format!("/v1/search?q=MARTIN&limit=50&departement={}", encode(typed));
        let (status, body) = server.get_json(&path).await;
        assert_eq!(status, 200, "{body}");
        let communes = communes_of(&body);
        assert!(!communes.is_empty(), "{typed}: {body}");
        assert!(
            communes.iter().all(|c| c == commune),
            "{typed}: {communes:?}"
        );
        // The station shows its commune's name, from the roll.
        let station = &body["results"][0]["station"];
        assert!(station["commune_name"].is_string(), "{station}");
    }

    let (status, body) = server.get_json("/v1/search?q=MARTIN&departement=75").await;
    assert_eq!(status, 421, "{body}");
    assert_eq!(body["error"]["code"], "not_served");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("département 75") && message.contains("59, 62"),
        "{message}"
    );

    let (status, body) = server
        .get_json("/v1/search?q=MARTIN&departement=Nord")
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["parameter"], "departement");

    // The gRPC door says the same.
    let mut client = server.grpc_client().await;
    let reply = client
        .search(v1::SearchRequest {
            q: "MARTIN".into(),
            limit: 50,
            departement: "62".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!reply.results.is_empty());
    assert!(reply.results.iter().all(|result| {
        result.station.as_ref().and_then(|s| s.commune.as_deref()) == Some("62041")
    }));
    let refused = client
        .search(v1::SearchRequest {
            q: "MARTIN".into(),
            departement: "75".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    assert!(
        refused.message().contains("59, 62"),
        "{}",
        refused.message()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn each_commune_has_its_own_station_0001() {
    let server = server().await;
    let (status, body) = server.get_json("/v1/stations").await;
    assert_eq!(status, 200);
    let firsts: Vec<(&str, &str)> = body["stations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|station| station["code"] == "0001")
        .map(|station| {
            (
                station["commune"].as_str().unwrap(),
                station["commune_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(firsts, [("59350", "LILLE"), ("62041", "ARRAS")]);

    // Order number 1 of station 0001: one voter in each commune, unless
    // the commune is named.
    let (status, both) = server.get_json("/v1/voters/0001/1").await;
    assert_eq!(status, 200, "{both}");
    assert_eq!(both["voters"].as_array().unwrap().len(), 2, "{both}");
    // An empty `commune` (a form left blank) is the same as none, as the
    // OpenAPI document says; spaces around a code are ignored.
    let (status, blank) = server.get_json("/v1/voters/0001/1?commune=").await;
    assert_eq!(status, 200, "{blank}");
    assert_eq!(blank["voters"].as_array().unwrap().len(), 2, "{blank}");
    let (status, padded) = server
        .get_json("/v1/voters/0001/1?commune=%2062041%20")
        .await;
    assert_eq!(status, 200, "{padded}");
    assert_eq!(padded["voters"].as_array().unwrap().len(), 1, "{padded}");
    let (status, arras) = server.get_json("/v1/voters/0001/1?commune=62041").await;
    assert_eq!(status, 200, "{arras}");
    let voters = arras["voters"].as_array().unwrap();
    assert_eq!(voters.len(), 1);
    assert_eq!(voters[0]["station"]["commune"], "62041");
    assert!(
        voters[0]["station"]["address"]
            .as_str()
            .unwrap()
            .contains("Arras")
    );
    let (status, body) = server.get_json("/v1/voters/0001/1?commune=75056").await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("75056/0001"),
        "{body}"
    );
    let (status, body) = server.get_json("/v1/voters/0001/1?commune=Arras").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["parameter"], "commune");

    let mut client = server.grpc_client().await;
    let reply = client
        .get_voter(v1::GetVoterRequest {
            station: "0001".into(),
            order: 1,
            commune: "59350".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reply.voters.len(), 1);
    let station = reply.voters[0].station.as_ref().unwrap();
    assert_eq!(station.commune.as_deref(), Some("59350"));
    assert_eq!(station.commune_name.as_deref(), Some("LILLE"));
    server.shutdown().await;
}

/// Commune codes outside the usual départements still serve: a consular
/// list abroad (`99…`) and a made-up test commune (`96…`), as rolls from
/// other generators carry. The canaries, asked within their own
/// département, find their voters, and a client may name the département
/// `/readyz` lists.
#[tokio::test]
async fn rolls_of_communes_abroad_or_made_up_are_served() {
    for (code, departement) in [("99049", "99"), ("96123", "96")] {
        let index = tokio::task::spawn_blocking(move || {
            let generator = Generator::new(GeneratorConfig {
                seed: 73,
                voters: 500,
                commune_code: code.into(),
                commune_name: "COMMUNE D'ESSAI".into(),
                ..GeneratorConfig::default()
            });
            let stations = station_infos(&generator);
            index_rows(generator, &stations, "elsewhere").expect("the index builds")
        })
        .await
        .unwrap();
        assert_eq!(index.info().departements, [departement]);
        reload::run_canaries(&index).expect("the canaries pass");
        let server = TestServer::start(IndexHandle::with_index(index)).await;
        let path = format!("/v1/search?q=MARTIN&departement={departement}");
        let (status, body) = server.get_json(&path).await;
        assert_eq!(status, 200, "{code}: {body}");
    }
}
