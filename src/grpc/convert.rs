//! Domain types to `voterlookup.v1` messages.

use voter_core::model::Station as RollStation;
use voter_lookup_proto::v1;

use crate::privacy::Answer;
use crate::privacy::kiosk::{KioskAnswer, KioskOutcome};
use crate::search::{Hit, LookupResponse, MatchDetail, MembershipView, StationView};

pub fn answer(answer: &Answer) -> v1::SearchResponse {
    match answer {
        Answer::Staff(response) => search_response(response),
        Answer::Kiosk(kiosk) => kiosk_response(kiosk),
    }
}

pub fn search_response(response: &LookupResponse) -> v1::SearchResponse {
    v1::SearchResponse {
        results: response.hits.iter().map(search_result).collect(),
        index_version: response.index_version.to_string(),
        degraded: response.degraded,
        ambiguous: response.ambiguous,
        confidence: response.confidence.as_str().to_string(),
        view: "staff".into(),
        kiosk: None,
    }
}

fn kiosk_response(answer: &KioskAnswer) -> v1::SearchResponse {
    let found = match &answer.outcome {
        KioskOutcome::Found(voter) => Some(voter),
        _ => None,
    };
    v1::SearchResponse {
        results: Vec::new(),
        index_version: answer.index_version.to_string(),
        degraded: false,
        ambiguous: false,
        confidence: String::new(),
        view: "kiosk".into(),
        kiosk: Some(v1::KioskAnswer {
            outcome: answer.outcome.as_str().into(),
            message: answer.outcome.message().into(),
            surname: found.map(|voter| voter.surname.clone()),
            given_name: found.map(|voter| voter.given_name.clone()),
            station: found.and_then(|voter| voter.station.as_ref()).map(station),
            order_number: found.and_then(|voter| voter.order_number),
        }),
    }
}

pub fn search_result(hit: &Hit) -> v1::SearchResult {
    let voter = &hit.voter;
    v1::SearchResult {
        voter: Some(v1::Voter {
            birth_name: voter.birth_name.clone(),
            usage_name: voter.usage_name.clone().filter(|u| !u.is_empty()),
            first_names: voter.first_names.clone(),
            sex: voter.sex.map(|sex| sex.as_str().to_string()),
            birth_date: voter.birth_date.to_iso(),
            list: hit
                .memberships
                .first()
                .map(|m| m.list.to_string())
                .unwrap_or_default(),
        }),
        station: hit.station.as_ref().map(station),
        order_number: hit.order_number,
        score: hit.score,
        r#match: hit.matches.iter().map(match_detail).collect(),
        confidence: hit.confidence.as_str().to_string(),
        memberships: hit.memberships.iter().map(membership).collect(),
    }
}

fn station(view: &StationView) -> v1::Station {
    v1::Station {
        code: view.code.to_string(),
        label: view.label.to_string(),
        address: view.address.as_deref().map(str::to_owned),
        commune: view.commune_code.as_deref().map(str::to_owned),
        commune_name: view.commune_name.as_deref().map(str::to_owned),
    }
}

fn membership(view: &MembershipView) -> v1::Membership {
    v1::Membership {
        list: view.list.to_string(),
        station: view.station.as_ref().map(station),
        order_number: view.order_number,
    }
}

fn match_detail(detail: &MatchDetail) -> v1::Match {
    v1::Match {
        token: detail.token.to_string(),
        field: detail.field.to_string(),
        kind: detail.kind.to_string(),
        matched: detail.matched.clone(),
    }
}

pub fn station_summary(station: &RollStation) -> v1::StationSummary {
    v1::StationSummary {
        code: station.code.clone(),
        label: station.label.clone(),
        address: station.address.clone(),
        voter_count: station.voter_count,
        commune: station.commune_code.clone(),
        commune_name: station.commune_name.clone(),
    }
}
