//! Who may see what of the roll, how much of it, and the trace it leaves:
//! the one gate both doors call before they show a voter.
//!
//! - [`role`]: each class's view (staff, kiosk, anonymous) and the routes
//!   reserved to staff;
//! - [`kiosk`]: what a kiosk query must carry and what its answer shows;
//! - [`keys`]: API keys, kept as salted hashes, each with an id;
//! - [`quota`]: distinct voters revealed per hour and per day, per key and
//!   per address;
//! - [`harvest`]: signs of someone reading the roll out;
//! - [`audit`]: the audit trail of every reveal and admin call.
//!
//! [`Privacy::search`] runs them in order: view, quota (is anything left?),
//! the kiosk's rule, the search, the view's answer, the quota again (may
//! these voters be shown?), the audit line; an answer is shown only once
//! its line is queued.

pub mod audit;
pub mod commands;
pub mod harvest;
pub mod keys;
pub mod kiosk;
pub mod quota;
pub mod role;

use std::sync::Arc;
use std::time::Instant;

use crate::admission::Class;
use crate::context::RequestContext;
use crate::error::LookupError;
use crate::search::query::{ParsedQuery, QueryDate};
use crate::search::{Hit, LookupQuery, LookupResponse, SearchMode};
use crate::service::LookupService;
use audit::{AuditConfig, AuditLine, AuditLog, AuditVoter};
use harvest::HarvestWatch;
use kiosk::KioskAnswer;
use quota::{QuotaLimits, Quotas, Subject, VoterRef};
use role::{Roles, View};

/// Settings of the gate.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivacyConfig {
    /// Each class's view.
    pub roles: Roles,
    /// Quotas per class (staff, kiosk, anonymous).
    pub quotas: [QuotaLimits; 3],
    /// The audit trail, when kept.
    pub audit: Option<AuditConfig>,
}

impl Default for PrivacyConfig {
    /// A closed server with no keys: every caller gets the staff view, and
    /// no quota applies (see [`QuotaLimits::defaults`]).
    fn default() -> Self {
        PrivacyConfig {
            roles: Roles::default(),
            quotas: QuotaLimits::defaults(false),
            audit: None,
        }
    }
}

/// A search's answer in the caller's view.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Ranked voters, every field.
    Staff(LookupResponse),
    /// One voter's station, or not found, or several.
    Kiosk(KioskAnswer),
}

/// The gate.
pub struct Privacy {
    roles: Roles,
    quotas: Quotas,
    harvest: HarvestWatch,
    audit: Option<AuditLog>,
    metrics: PrivacyMetrics,
}

/// The gate's counters, registered at start so that every series is
/// scraped from the first minute, zeros included.
struct PrivacyMetrics {
    /// Lookups that found nobody with confidence, per door and view.
    not_found: [[metrics::Counter; 2]; 2],
    /// Answers refused at the quota, per class.
    quota_refused: [metrics::Counter; 3],
}

impl PrivacyMetrics {
    fn register() -> PrivacyMetrics {
        crate::metrics::requests();
        let views = [View::Staff, View::Kiosk];
        let doors = [crate::metrics::Door::Http, crate::metrics::Door::Grpc];
        harvest::register();
        metrics::counter!("voter_lookup_audit_refused_total").increment(0);
        PrivacyMetrics {
            not_found: doors.map(|door| {
                views.map(|view| {
                    metrics::counter!(
                        "voter_lookup_lookups_not_found_total",
                        "door" => door.as_str(),
                        "view" => view.as_str()
                    )
                })
            }),
            quota_refused: Class::ALL.map(|class| {
                metrics::counter!("voter_lookup_quota_refused_total", "class" => class.as_str())
            }),
        }
    }

    fn not_found(&self, door: crate::metrics::Door, view: View) {
        let door = usize::from(door == crate::metrics::Door::Grpc);
        let view = usize::from(view == View::Kiosk);
        self.not_found[door][view].increment(1);
        crate::status::history::record_not_found();
    }
}

impl Privacy {
    /// The gate of `config`; fails when the audit trail cannot be opened.
    pub fn new(config: PrivacyConfig) -> std::io::Result<Privacy> {
        let audit = config.audit.map(AuditLog::open).transpose()?;
        Ok(Privacy {
            roles: config.roles,
            quotas: Quotas::new(config.quotas),
            harvest: HarvestWatch::default(),
            audit,
            metrics: PrivacyMetrics::register(),
        })
    }

    /// The role table.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// The audit trail, when kept.
    pub fn audit(&self) -> Option<&AuditLog> {
        self.audit.as_ref()
    }

    /// A search by name, in the view the caller may have.
    pub async fn search(
        &self,
        service: &LookupService,
        context: &RequestContext,
        mut query: LookupQuery,
        requested: Option<View>,
        mode: SearchMode,
        deadline: Option<Instant>,
    ) -> Result<Answer, LookupError> {
        let view = self.roles.search_view(context.class, requested)?;
        if mode == SearchMode::Degraded {
            // Both doors pass here: the status history's brownout share.
            crate::status::history::record_degraded();
        }
        let subjects = subjects(context);
        self.quotas
            .before(context.class, &subjects, Instant::now())?;
        let parsed = ParsedQuery::parse(&query.text, query.birth_date.as_deref())?;
        if view == View::Kiosk {
            kiosk::check_parsed(&parsed)?;
            query.limit = Some(kiosk::KIOSK_SEARCH_LIMIT);
        }
        let response = service.search(query, mode, deadline).await?;
        let (answer, revealed) = match view {
            View::Staff => {
                let revealed: Vec<VoterRef> = response.hits.iter().flat_map(voters_of).collect();
                (Answer::Staff(response), revealed)
            }
            View::Kiosk => {
                let answer = kiosk::answer(&response);
                let revealed = kiosk::revealed(&answer)
                    .into_iter()
                    .filter_map(|(station, order)| voter_ref(station.map(|s| &s.code), order))
                    .collect();
                (Answer::Kiosk(answer), revealed)
            }
        };
        let found = match &answer {
            Answer::Staff(response) => response.confidence >= crate::search::Confidence::Strong,
            Answer::Kiosk(answer) => !matches!(answer.outcome, kiosk::KioskOutcome::NotFound),
        };
        if !found {
            self.metrics.not_found(context.door, view);
        }
        self.watch_search(context, &subjects, &parsed, revealed.is_empty());
        self.reveal(context, &subjects, &revealed)?;
        Ok(answer)
    }

    /// The voters at one line of a signing sheet: staff only.
    pub fn voters_at(
        &self,
        service: &LookupService,
        context: &RequestContext,
        commune: Option<&str>,
        station: &str,
        order: u32,
    ) -> Result<(Vec<Hit>, Arc<str>), LookupError> {
        self.roles.require_staff(context.class, "reverse lookups")?;
        let subjects = subjects(context);
        self.quotas
            .before(context.class, &subjects, Instant::now())?;
        if let Some(subject) = subjects.first() {
            let signals = self.harvest.reverse_lookup(subject, station.trim(), order);
            harvest::report(&signals, context.class.as_str(), &who(context));
        }
        let (hits, version) = service.voters_at(commune, station, order)?;
        let revealed: Vec<VoterRef> = hits.iter().flat_map(voters_of).collect();
        self.reveal(context, &subjects, &revealed)?;
        Ok((hits, version))
    }

    /// The stations with their voter counts: staff only.
    pub fn stations(&self, context: &RequestContext) -> Result<(), LookupError> {
        self.roles
            .require_staff(context.class, "the stations' voter counts")
    }

    /// Writes the audit line of an admin call: its action (`reload`,
    /// `rollback`) and what came of it, refusals included.
    pub fn admin_call(&self, context: &RequestContext, action: &str, outcome: &str) {
        let Some(audit) = &self.audit else { return };
        let mut line = audit_line(context, "admin", Vec::new());
        line.action = Some(action.to_string());
        line.outcome = Some(outcome.to_string());
        if let Err(error) = audit.record(&line) {
            tracing::error!(%error, action, "admin call not written to the audit trail");
        }
    }

    /// Counts `revealed` against the quotas, then writes its audit line:
    /// an error means the answer must not be shown.
    fn reveal(
        &self,
        context: &RequestContext,
        subjects: &[Subject],
        revealed: &[VoterRef],
    ) -> Result<(), LookupError> {
        if revealed.is_empty() {
            return Ok(());
        }
        self.quotas
            .reveal(context.class, subjects, revealed, Instant::now())
            .inspect_err(|_| {
                self.metrics.quota_refused[context.class.rank()].increment(1);
                tracing::info!(class = context.class.as_str(), client = %who(context), "quota reached");
            })?;
        if let Some(audit) = &self.audit {
            let voters = revealed.iter().map(AuditVoter::from).collect();
            audit.record(&audit_line(context, "reveal", voters))?;
        }
        Ok(())
    }

    fn watch_search(
        &self,
        context: &RequestContext,
        subjects: &[Subject],
        parsed: &ParsedQuery,
        not_found: bool,
    ) {
        let Some(subject) = subjects.first() else {
            return;
        };
        let first = parsed
            .tokens
            .iter()
            .find(|token| !token.particle)
            .map_or("", |token| token.text.as_str());
        let date = match parsed.birth_date {
            Some(date @ QueryDate::Full { .. }) => Some(date.to_iso()),
            _ => None,
        };
        let signals =
            self.harvest
                .search(subject, first, date.as_deref(), not_found, Instant::now());
        harvest::report(&signals, context.class.as_str(), &who(context));
    }
}

/// Who a request counts as for quotas: its key's id, and its address.
fn subjects(context: &RequestContext) -> Vec<Subject> {
    let mut subjects = Vec::with_capacity(2);
    if let Some(id) = context.key_id() {
        subjects.push(Subject::Key(Arc::from(id)));
    }
    if let Some(address) = context.address {
        subjects.push(Subject::Address(context.class, address));
    }
    subjects
}

/// How logs name the caller: the key id, or the address.
fn who(context: &RequestContext) -> String {
    match (context.key_id(), context.address) {
        (Some(id), _) => format!("key:{id}"),
        (None, Some(address)) => address.to_string(),
        (None, None) => "-".into(),
    }
}

fn voter_ref(station: Option<&Arc<str>>, order: Option<u32>) -> Option<VoterRef> {
    Some(VoterRef {
        station: station?.clone(),
        order: order?,
    })
}

/// Every line of the signing sheets a hit shows.
fn voters_of(hit: &Hit) -> Vec<VoterRef> {
    let mut voters: Vec<VoterRef> = hit
        .memberships
        .iter()
        .filter_map(|m| voter_ref(m.station.as_ref().map(|s| &s.code), m.order_number))
        .collect();
    if voters.is_empty()
        && let Some(voter) = voter_ref(hit.station.as_ref().map(|s| &s.code), hit.order_number)
    {
        voters.push(voter);
    }
    voters
}

fn audit_line(context: &RequestContext, event: &str, voters: Vec<AuditVoter>) -> AuditLine {
    AuditLine {
        time: audit::now_text(),
        event: event.to_string(),
        request_id: context.request_id.to_string(),
        door: context.door.as_str().to_string(),
        role: context.class.as_str().to_string(),
        key_id: context.key_id().map(String::from),
        client: context.address.map(|address| address.to_string()),
        voters,
        action: None,
        outcome: None,
    }
}
