//! The JSON bodies of the HTTP door: the wire form of the search's domain
//! types, with the field names clients rely on.

use serde::Serialize;

use crate::error::LookupError;
use crate::privacy::kiosk::{KioskAnswer, KioskOutcome};
use crate::search::{Hit, LookupResponse, MatchDetail, MembershipView, StationView};
use voter_core::model::Station;

/// `GET /v1/search` in the staff view.
#[derive(Debug, Serialize)]
pub struct SearchBody<'a> {
    /// Always `staff`.
    pub view: &'static str,
    pub results: Vec<ResultBody<'a>>,
    pub index_version: &'a str,
    pub degraded: bool,
    pub ambiguous: bool,
    pub confidence: &'static str,
}

/// A search in the kiosk view: one voter's station, or not found, or
/// several; nothing else.
#[derive(Debug, Serialize)]
pub struct KioskBody<'a> {
    /// Always `kiosk`.
    pub view: &'static str,
    /// `found`, `not_found` or `several`.
    pub outcome: &'static str,
    /// The outcome in plain words.
    pub message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voter: Option<KioskVoterBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<StationBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<u32>,
    pub index_version: &'a str,
}

/// The name a kiosk shows as a check.
#[derive(Debug, Serialize)]
pub struct KioskVoterBody<'a> {
    pub surname: &'a str,
    pub given_name: &'a str,
}

impl<'a> KioskBody<'a> {
    pub fn new(answer: &'a KioskAnswer) -> KioskBody<'a> {
        let found = match &answer.outcome {
            KioskOutcome::Found(voter) => Some(voter),
            _ => None,
        };
        KioskBody {
            view: "kiosk",
            outcome: answer.outcome.as_str(),
            message: answer.outcome.message(),
            voter: found.map(|voter| KioskVoterBody {
                surname: &voter.surname,
                given_name: &voter.given_name,
            }),
            station: found
                .and_then(|voter| voter.station.as_ref())
                .map(StationBody::new),
            order_number: found.and_then(|voter| voter.order_number),
            index_version: &answer.index_version,
        }
    }
}

/// One result.
#[derive(Debug, Serialize)]
pub struct ResultBody<'a> {
    pub voter: VoterBody<'a>,
    pub station: Option<StationBody<'a>>,
    pub order_number: Option<u32>,
    pub score: f64,
    #[serde(rename = "match")]
    pub matches: Vec<MatchBody<'a>>,
    pub confidence: &'static str,
    pub memberships: Vec<MembershipBody<'a>>,
}

#[derive(Debug, Serialize)]
pub struct VoterBody<'a> {
    pub birth_name: &'a str,
    pub usage_name: Option<&'a str>,
    pub first_names: &'a str,
    pub sex: Option<&'static str>,
    pub birth_date: Option<String>,
    pub list: &'a str,
}

#[derive(Debug, Serialize)]
pub struct StationBody<'a> {
    pub code: &'a str,
    pub label: &'a str,
    pub address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune_name: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct MembershipBody<'a> {
    pub list: &'a str,
    pub station: Option<StationBody<'a>>,
    pub order_number: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct MatchBody<'a> {
    pub token: &'a str,
    pub field: &'static str,
    pub kind: &'static str,
    pub matched: &'a str,
}

/// `GET /v1/voters/{station}/{order}`.
#[derive(Debug, Serialize)]
pub struct VotersBody<'a> {
    pub voters: Vec<ResultBody<'a>>,
    pub index_version: &'a str,
}

/// `GET /v1/stations`.
#[derive(Debug, Serialize)]
pub struct StationsBody<'a> {
    pub stations: Vec<StationSummaryBody<'a>>,
    pub index_version: &'a str,
}

#[derive(Debug, Serialize)]
pub struct StationSummaryBody<'a> {
    pub code: &'a str,
    pub label: &'a str,
    pub address: Option<&'a str>,
    pub voter_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune_name: Option<&'a str>,
}

/// Every error: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<&'a str>,
}

impl<'a> SearchBody<'a> {
    pub fn new(response: &'a LookupResponse) -> SearchBody<'a> {
        SearchBody {
            view: "staff",
            results: response.hits.iter().map(ResultBody::new).collect(),
            index_version: &response.index_version,
            degraded: response.degraded,
            ambiguous: response.ambiguous,
            confidence: response.confidence.as_str(),
        }
    }
}

impl<'a> ResultBody<'a> {
    pub fn new(hit: &'a Hit) -> ResultBody<'a> {
        let voter = &hit.voter;
        ResultBody {
            voter: VoterBody {
                birth_name: &voter.birth_name,
                usage_name: voter.usage_name.as_deref().filter(|u| !u.is_empty()),
                first_names: &voter.first_names,
                sex: voter.sex.map(|sex| sex.as_str()),
                birth_date: voter.birth_date.to_iso(),
                list: hit.memberships.first().map_or("", |m| &*m.list),
            },
            station: hit.station.as_ref().map(StationBody::new),
            order_number: hit.order_number,
            score: hit.score,
            matches: hit.matches.iter().map(MatchBody::new).collect(),
            confidence: hit.confidence.as_str(),
            memberships: hit.memberships.iter().map(MembershipBody::new).collect(),
        }
    }
}

impl<'a> StationBody<'a> {
    fn new(station: &'a StationView) -> StationBody<'a> {
        StationBody {
            code: &station.code,
            label: &station.label,
            address: station.address.as_deref(),
            commune: station.commune_code.as_deref(),
            commune_name: station.commune_name.as_deref(),
        }
    }
}

impl<'a> MembershipBody<'a> {
    fn new(membership: &'a MembershipView) -> MembershipBody<'a> {
        MembershipBody {
            list: &membership.list,
            station: membership.station.as_ref().map(StationBody::new),
            order_number: membership.order_number,
        }
    }
}

impl<'a> MatchBody<'a> {
    fn new(detail: &'a MatchDetail) -> MatchBody<'a> {
        MatchBody {
            token: &detail.token,
            field: detail.field,
            kind: detail.kind,
            matched: &detail.matched,
        }
    }
}

impl<'a> StationSummaryBody<'a> {
    pub fn new(station: &'a Station) -> StationSummaryBody<'a> {
        StationSummaryBody {
            code: &station.code,
            label: &station.label,
            address: station.address.as_deref(),
            voter_count: station.voter_count,
            commune: station.commune_code.as_deref(),
            commune_name: station.commune_name.as_deref(),
        }
    }
}

impl<'a> ErrorBody<'a> {
    pub fn new(error: &'a LookupError) -> ErrorBody<'a> {
        ErrorBody {
            error: ErrorDetail {
                code: error.kind().code(),
                message: error.to_string(),
                parameter: error.parameter(),
            },
        }
    }
}
