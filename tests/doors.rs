//! Both doors against a server started inside the test: round trips,
//! readiness, and bad input named by parameter.

mod common;

use common::{TEST_VOTERS, TestServer, encode};
use voter_lookup::index::IndexHandle;
use voter_lookup_proto::v1::{GetVoterRequest, ListStationsRequest, SearchRequest};

/// A voter of the test roll as a desk would type them.
fn example(server: &TestServer) -> voter_lookup::index::canary::CanaryLookup {
    let index = server.state.service.snapshot().unwrap();
    voter_lookup::demo::example_query(&index).expect("the roll has canaries")
}

#[tokio::test]
async fn http_search_finds_the_example_voter_first() {
    let server = TestServer::start_generated(TEST_VOTERS, 7).await;
    let example = example(&server);
    let path = format!(
        "/v1/search?q={}&birth_date={}",
        encode(&example.query),
        example.birth_date.clone().unwrap_or_default()
    );
    let (status, body) = server.get_json(&path).await;
    assert_eq!(status, 200, "{body}");
    let first = &body["results"][0];
    assert_eq!(
        first["station"]["code"],
        example.station_code.as_str(),
        "{body}"
    );
    assert_eq!(first["order_number"], example.order_number, "{body}");
    assert_eq!(first["confidence"], "exact", "{body}");
    for field in [
        "birth_name",
        "usage_name",
        "first_names",
        "sex",
        "birth_date",
        "list",
    ] {
        assert!(
            first["voter"].get(field).is_some(),
            "voter.{field} missing: {body}"
        );
    }
    for field in ["code", "label", "address"] {
        assert!(
            first["station"].get(field).is_some(),
            "station.{field} missing: {body}"
        );
    }
    assert!(first["score"].is_number());
    assert_eq!(body["index_version"], "demo-seed7-3000");
    assert_eq!(body["degraded"], false);

    // Personal data is never left in a cache: the answers with voters, and
    // the errors too.
    for path in [path.as_str(), "/v1/stations", "/v1/search?limit=3"] {
        let (_, headers, _) = server.get(path).await;
        let cache = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("cache-control"))
            .map(|(_, value)| value.as_str());
        assert_eq!(cache, Some("no-store"), "{path}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn grpc_search_gives_the_same_answer_as_http() {
    let server = TestServer::start_generated(TEST_VOTERS, 7).await;
    let example = example(&server);
    let mut client = server.grpc_client().await;
    let response = client
        .search(SearchRequest {
            q: example.query.clone(),
            birth_date: example.birth_date.clone().unwrap_or_default(),
            limit: 5,
            view: String::new(),
            ..Default::default()
        })
        .await
        .expect("search succeeds")
        .into_inner();
    let (_, http) = server
        .get_json(&format!(
            "/v1/search?q={}&birth_date={}&limit=5",
            encode(&example.query),
            example.birth_date.clone().unwrap_or_default()
        ))
        .await;
    let http_results = http["results"].as_array().unwrap();
    assert_eq!(response.results.len(), http_results.len());
    for (grpc, http) in response.results.iter().zip(http_results) {
        let voter = grpc.voter.as_ref().unwrap();
        assert_eq!(
            voter.birth_name,
            http["voter"]["birth_name"].as_str().unwrap()
        );
        assert_eq!(
            voter.first_names,
            http["voter"]["first_names"].as_str().unwrap()
        );
        assert_eq!(
            grpc.station.as_ref().map(|s| s.code.as_str()),
            http["station"]["code"].as_str()
        );
        assert_eq!(
            grpc.order_number.map(u64::from),
            http["order_number"].as_u64()
        );
        assert_eq!(grpc.score, http["score"].as_f64().unwrap());
        assert_eq!(grpc.confidence, http["confidence"].as_str().unwrap());
    }
    let first = &response.results[0];
    assert_eq!(first.station.as_ref().unwrap().code, example.station_code);
    assert_eq!(first.order_number, Some(example.order_number));
    assert_eq!(
        response.index_version,
        http["index_version"].as_str().unwrap()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn voters_and_stations_are_served_by_both_doors() {
    let server = TestServer::start_generated(TEST_VOTERS, 7).await;
    let example = example(&server);
    let (status, body) = server
        .get_json(&format!(
            "/v1/voters/{}/{}",
            example.station_code, example.order_number
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["voters"][0]["order_number"], example.order_number);

    let mut client = server.grpc_client().await;
    let voters = client
        .get_voter(GetVoterRequest {
            station: example.station_code.clone(),
            order: example.order_number,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        voters.voters[0].voter.as_ref().unwrap().birth_name,
        body["voters"][0]["voter"]["birth_name"].as_str().unwrap()
    );

    let (status, stations) = server.get_json("/v1/stations").await;
    assert_eq!(status, 200);
    let grpc_stations = client
        .list_stations(ListStationsRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        stations["stations"].as_array().unwrap().len(),
        grpc_stations.stations.len()
    );
    let total: u64 = grpc_stations.stations.iter().map(|s| s.voter_count).sum();
    assert!(
        total >= TEST_VOTERS as u64 * 99 / 100,
        "station counts add up to the roll: {total}"
    );

    let (status, missing) = server.get_json("/v1/voters/0001/999999").await;
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["code"], "not_found");
    server.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_are_named_on_both_doors() {
    let server = TestServer::start_generated(TEST_VOTERS, 7).await;
    for (path, parameter) in [
        ("/v1/search", "q"),
        ("/v1/search?q=", "q"),
        ("/v1/search?q=DUPONT&limit=0", "limit"),
        ("/v1/search?q=DUPONT&limit=51", "limit"),
        ("/v1/search?q=DUPONT&limit=ten", "limit"),
        ("/v1/search?q=DUPONT&birth_date=1962-13-01", "birth_date"),
        ("/v1/voters/0001/abc", "order"),
        ("/v1/voters/00%2F01/3", "station"),
    ] {
        let (status, body) = server.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "invalid_argument", "{path}");
        assert_eq!(body["error"]["parameter"], parameter, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(parameter),
            "{path}: {body}"
        );
    }
    let mut client = server.grpc_client().await;
    let error = client
        .search(SearchRequest {
            q: "DUPONT".into(),
            birth_date: "not a date".into(),
            limit: 0,
            view: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), tonic::Code::InvalidArgument);
    assert!(
        error.message().contains("birth_date"),
        "{}",
        error.message()
    );
    let error = client
        .search(SearchRequest {
            q: "DUPONT".into(),
            birth_date: String::new(),
            limit: 80,
            view: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), tonic::Code::InvalidArgument);

    let (status, body) = server.get_json("/v2/nothing").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn readiness_follows_the_index_and_shutdown() {
    let empty = TestServer::start(IndexHandle::default()).await;
    let (status, _) = empty.get_json("/healthz").await;
    assert_eq!(status, 200);
    let (status, body) = empty.get_json("/readyz").await;
    assert_eq!(status, 503, "no index loaded: {body}");
    let (status, body) = empty.get_json("/v1/search?q=DUPONT").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("index_not_ready"))
    );
    let mut client = empty.grpc_client().await;
    let error = client
        .search(SearchRequest {
            q: "DUPONT".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), tonic::Code::Unavailable);
    empty.shutdown().await;

    let server = TestServer::start_generated(TEST_VOTERS, 7).await;
    let (status, body) = server.get_json("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["index_version"], "demo-seed7-3000");
    server.shutdown().await;
}
