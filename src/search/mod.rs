//! The one search of the service: both doors call [`Searcher::lookup`] and
//! translate its domain types; nothing here knows of hyper or prost.
//!
//! A lookup parses the text ([`query`]), finds candidates through the
//! surname dictionary ([`candidates`]), scores each from its name record
//! ([`rank`]) and returns the best, saying how each matched and how sure the
//! match is. A first, narrow pass handles the usual query; only when it finds
//! nothing better than weak do wider passes reach for two-letter beginnings,
//! then for the extended edit distance. Once the list is full of voters
//! whose every word the query spells out or begins, no wider pass runs: it
//! could only add typos, which rank below them.

pub mod candidates;
use voter_core::distance;
mod docset;
mod literal;
pub mod query;
pub mod rank;
pub mod scope;
pub mod steps;
mod typos;

use std::borrow::Cow;
use std::sync::Arc;

use tantivy::DocId;
use voter_core::model::{BirthDate, Station};
use voter_core::schema::station_order_term;
use voter_core::voter_records::{MembershipView as RecordMembership, VoterView};

use crate::error::LookupError;
use crate::index::LoadedIndex;
use candidates::{TokenMask, Walks};
use literal::LiteralQuery;
use query::{ParsedQuery, QueryDate};
pub use rank::{Confidence, MatchKind};
use rank::{DateFit, Evaluation, PreparedQuery};
use scope::Scope;
use steps::{Reach, Standing, WayIn};

/// Results returned when the client does not say.
pub const DEFAULT_LIMIT: usize = 10;
/// Most results a client may ask for.
pub const MAX_LIMIT: usize = 50;
/// Voters tied at the top returned at most, whatever the limit: a short
/// kiosk query (`bar ma`) can fit hundreds equally well, and the honest
/// answer lists them rather than picking some.
pub const MAX_TIED: usize = 500;
/// How many candidates ahead of the one being scored its record is asked
/// for: enough for a fetch from memory to arrive in time.
const PREFETCH_AHEAD: usize = 8;
/// Results a degraded search returns at most.
pub const DEGRADED_LIMIT: usize = 5;

/// How much work a lookup may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchMode {
    /// Everything: phonetic, prefixes, fuzzy up to the extended reach.
    #[default]
    Full,
    /// Under overload: exact, phonetic, prefixes of three letters and one
    /// edit; fewer results.
    Degraded,
}

/// A lookup as the doors hand it over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupQuery {
    /// The text typed.
    pub text: String,
    /// Optional birth date parameter.
    pub birth_date: Option<String>,
    /// Results wanted, 1 to [`MAX_LIMIT`]; `None` for [`DEFAULT_LIMIT`].
    pub limit: Option<u32>,
    /// The département the voter is looked for in, as typed; `None` for
    /// the whole index ([`scope`]).
    pub departement: Option<String>,
}

/// A polling station as a result shows it. Its texts are shared: the
/// hundreds of results of a short kiosk query name the same few stations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationView {
    /// INSEE code of the station's commune, when the roll gives one.
    pub commune_code: Option<Arc<str>>,
    /// The commune's name, when known.
    pub commune_name: Option<Arc<str>>,
    /// Code, e.g. `0001`, unique within its commune.
    pub code: Arc<str>,
    /// Label.
    pub label: Arc<str>,
    /// Street address, when known.
    pub address: Option<Arc<str>>,
}

impl StationView {
    /// How a station of the index shows.
    pub fn of(station: &Station) -> StationView {
        StationView {
            commune_code: station.commune_code.as_deref().map(Arc::from),
            commune_name: station.commune_name.as_deref().map(Arc::from),
            code: station.code.as_str().into(),
            label: station.label.as_str().into(),
            address: station.address.as_deref().map(Arc::from),
        }
    }
}

/// One list membership as a result shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    /// List label.
    pub list: Cow<'static, str>,
    /// Station, when the roll gives one.
    pub station: Option<StationView>,
    /// Order number in it.
    pub order_number: Option<u32>,
}

/// How one part of the query matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchDetail {
    /// The query token (folded), or the date as ISO.
    pub token: Arc<str>,
    /// `birth_name`, `usage_name`, `first_names` or `birth_date`.
    pub field: &'static str,
    /// `exact`, `phonetic`, `prefix`, `fuzzy`, or for a date `approximate`
    /// and `year`.
    pub kind: &'static str,
    /// The voter's term (or date) it matched.
    pub matched: String,
}

/// One voter found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The voter as the roll writes them.
    pub voter: VoterView,
    /// Station of the primary membership.
    pub station: Option<StationView>,
    /// Order number of the primary membership.
    pub order_number: Option<u32>,
    /// Every membership.
    pub memberships: Vec<MembershipView>,
    /// Ranking score (only the order within a response means something).
    pub score: f64,
    /// How each part of the query matched.
    pub matches: Vec<MatchDetail>,
    /// How sure the match is.
    pub confidence: Confidence,
}

/// The answer to a lookup.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupResponse {
    /// Best first.
    pub hits: Vec<Hit>,
    /// Version of the index that answered.
    pub index_version: Arc<str>,
    /// Answered in degraded mode.
    pub degraded: bool,
    /// Several voters fit equally well at the top.
    pub ambiguous: bool,
    /// Confidence of the best hit, [`Confidence::None`] without hits.
    pub confidence: Confidence,
}

/// A scored candidate.
struct Scored {
    score: f32,
    segment: usize,
    doc: DocId,
    voter_id: u64,
    evaluation: Evaluation,
}

/// Runs lookups against any [`LoadedIndex`]; holds nothing, so it is free
/// to make and share.
#[derive(Debug, Default, Clone, Copy)]
pub struct Searcher;

/// Scores closer than this are equal.
const TIE: f32 = 1e-4;

impl Searcher {
    /// Finds the voters `query` is about in `index`.
    pub fn lookup(
        &self,
        index: &LoadedIndex,
        query: &LookupQuery,
        mode: SearchMode,
    ) -> Result<LookupResponse, LookupError> {
        let limit = match query.limit {
            None => DEFAULT_LIMIT,
            Some(limit) if (1..=MAX_LIMIT as u32).contains(&limit) => limit as usize,
            Some(limit) => {
                return Err(LookupError::invalid(
                    "limit",
                    format!("{limit} is out of range: ask for 1 to {MAX_LIMIT} results"),
                ));
            }
        };
        let limit = match mode {
            SearchMode::Full => limit,
            SearchMode::Degraded => limit.min(DEGRADED_LIMIT),
        };
        let parsed = ParsedQuery::parse(&query.text, query.birth_date.as_deref())?;
        let scope = Scope::of(index, query.departement.as_deref())?;
        let prepared = PreparedQuery::new(&parsed, mode);

        let last_step = match mode {
            SearchMode::Full => Reach::Loose,
            SearchMode::Degraded => Reach::Near,
        };
        let mut scored = Vec::new();
        let mut seen: Vec<(usize, DocId)> = Vec::new();
        let mut walks = Walks::default();
        let steps = Reach::STEPS.iter().copied();
        let steps = steps.take(
            Reach::STEPS
                .iter()
                .position(|&reach| reach == last_step)
                .map_or(0, |p| p + 1),
        );
        for reach in steps {
            if !reach.applies(&parsed) {
                continue;
            }
            self.score_candidates(
                index,
                &prepared,
                &scope,
                reach,
                TokenMask::ALL,
                limit,
                &mut seen,
                &mut walks,
                &mut scored,
            )?;
            if !reach
                .step()
                .stops(&standing(&scored, &parsed), &parsed, limit)
            {
                continue;
            }
            // An exact answer may be a typo that happens to spell another
            // voter's name: when it leaves room in the list, the near step
            // fills it with the voters one typo or one sound away.
            if reach == Reach::Exact && scored.len() < limit && mode == SearchMode::Full {
                // Only the tokens the answer read as its surname.
                let best = scored.iter().max_by(|a, b| a.score.total_cmp(&b.score));
                let focus = best.map_or(TokenMask::ALL, |best| {
                    TokenMask::of(
                        best.evaluation
                            .tokens
                            .iter()
                            .map(|m| m.is_some_and(|m| m.field.is_surname())),
                    )
                });
                self.score_candidates(
                    index,
                    &prepared,
                    &scope,
                    Reach::Alternatives,
                    focus,
                    limit,
                    &mut seen,
                    &mut walks,
                    &mut scored,
                )?;
            }
            break;
        }
        // When no voter spells out every word, the query may have been
        // typed as beginnings (a kiosk): a word that begins a name then
        // fits as well as one that is the whole name, and such voters tie.
        // Unless a voter reads every word whole, the usual given name
        // exactly: the words were finished, one of them mistyped or heard
        // (`MARE Louis` is MARRE Louis before MARECOMTE Louis).
        if !scored
            .iter()
            .any(|s| s.evaluation.all_exact || s.evaluation.whole_words)
        {
            for candidate in &mut scored {
                candidate.score = candidate.evaluation.prefix_score();
            }
        }
        // Surest first, so that the confidence shown never contradicts
        // the order; then best score; among equals, by which surname the
        // query spells out (`SurnameTyped`), then readings that put the
        // surname where the typing says (in capitals, or first), then
        // typos a slip of the fingers explains, then surnames the query
        // leaves fewer words of untyped, then the voters the query spells
        // out more of (a longer typed prefix), then roll order.
        let order = |a: &Scored, b: &Scored| {
            b.evaluation
                .confidence
                .cmp(&a.evaluation.confidence)
                .then(b.score.total_cmp(&a.score))
                .then(a.evaluation.surname_typed.cmp(&b.evaluation.surname_typed))
                .then(b.evaluation.read_as_typed.cmp(&a.evaluation.read_as_typed))
                .then(b.evaluation.slips.cmp(&a.evaluation.slips))
                .then(
                    a.evaluation
                        .untyped_surname_words
                        .cmp(&b.evaluation.untyped_surname_words),
                )
                .then(b.evaluation.coverage.total_cmp(&a.evaluation.coverage))
                .then(a.voter_id.cmp(&b.voter_id))
        };
        let best = scored.iter().min_by(|a, b| order(a, b));
        let tied = best.map_or(0, |best| {
            scored
                .iter()
                .filter(|s| {
                    s.evaluation.confidence == best.evaluation.confidence
                        && (best.score - s.score).abs() < TIE
                })
                .count()
        });
        // Voters who fit the whole query equally well all come back, even
        // past the limit. Voters who fit only part of it (the surname of
        // someone whose given name is on nobody's record) are hints: the
        // limit is enough of them.
        let complete_top = best.is_some_and(|s| s.evaluation.complete);
        let keep = if complete_top {
            limit.max(tied.min(MAX_TIED))
        } else {
            limit
        };
        // Only the kept are put in order: a wide step scores thousands.
        if scored.len() > keep {
            scored.select_nth_unstable_by(keep, order);
            scored.truncate(keep);
        }
        scored.sort_unstable_by(order);

        let texts = QueryTexts::of(&parsed);
        let mut hits = Vec::with_capacity(scored.len());
        for (position, candidate) in scored.iter().enumerate() {
            if let Some(ahead) = scored.get(position + PREFETCH_AHEAD) {
                index.prefetch_voter(ahead.voter_id);
            }
            hits.push(self.hit(index, &texts, candidate)?);
        }
        // Among voters scored alike, the one whose record is written as
        // the query was typed first.
        let hits = LiteralQuery::of(&query.text).order(hits);
        let confidence = hits.first().map_or(Confidence::None, |hit| hit.confidence);
        Ok(LookupResponse {
            hits,
            index_version: index.version().clone(),
            degraded: mode == SearchMode::Degraded,
            ambiguous: tied > 1,
            confidence,
        })
    }

    /// Every voter registered under `order` in `station` (normally one),
    /// of `commune` when given: in a roll of several communes, each has its
    /// own station `0001`.
    pub fn voters_at(
        &self,
        index: &LoadedIndex,
        commune: Option<&str>,
        station: &str,
        order: u32,
    ) -> Result<Vec<Hit>, LookupError> {
        let term = station_order_term(station, order);
        let mut hits = Vec::new();
        for (segment, view) in index.segments.iter().enumerate() {
            let Some(info) = view.station_order.terms().get(&term)? else {
                continue;
            };
            let mut block = view.station_order.read_block_postings_from_terminfo(
                &info,
                tantivy::schema::IndexRecordOption::Basic,
            )?;
            while !block.docs().is_empty() {
                for &doc in block.docs() {
                    let voter = index.voter(segment, doc)?;
                    if commune.is_some_and(|commune| voter.commune_code.as_deref() != Some(commune))
                    {
                        continue;
                    }
                    hits.push(present(
                        index,
                        voter,
                        Vec::new(),
                        0.0,
                        Confidence::Exact,
                        Some((station, order)),
                    ));
                }
                block.advance();
            }
        }
        Ok(hits)
    }

    /// Scores the candidates one step adds, skipping those already `seen`
    /// (which it then extends; it stays sorted).
    #[allow(clippy::too_many_arguments)]
    fn score_candidates(
        &self,
        index: &LoadedIndex,
        query: &PreparedQuery<'_>,
        scope: &Scope,
        reach: Reach,
        focus: TokenMask,
        limit: usize,
        seen: &mut Vec<(usize, DocId)>,
        walks: &mut Walks,
        scored: &mut Vec<Scored>,
    ) -> Result<(), LookupError> {
        let mut found = candidates::Found::default();
        let mut waiting: Vec<(usize, DocId)> = Vec::new();
        let mut fresh = Vec::new();
        // Voters who tie at the top past what a response shows end the
        // step: a short kiosk query (`cha ma`) fits thousands equally well,
        // and scoring them all would only pick which of them to show.
        let mut top = TopTier::of(query.parsed, scored);
        // With a date asked, voters born on a date far from it are scored
        // last, and only when the others leave room in the list: the date
        // costs them more than any name can make up for against a voter
        // whose name fits at all and whose date does not contradict (a
        // thousand MARTINs, of whom the few born that year are the answer).
        let mut later: Vec<(usize, DocId)> = Vec::new();
        let mut scratch = rank::Scratch::default();
        // Voters found by their birth date alone are many (every voter born
        // on one of its slips), and few have a name the query may meet:
        // the others are turned down before their names are read in full.
        let by_date = reach.step().way_in == WayIn::BirthDate;
        let mut score =
            |segment: usize, doc: DocId, top: &mut TopTier, scored: &mut Vec<Scored>| {
                if seen.binary_search(&(segment, doc)).is_ok() {
                    return;
                }
                fresh.push((segment, doc));
                let Some(voter_id) = index.segments[segment].voter_id(doc) else {
                    return;
                };
                if !scope.admits(index, voter_id) {
                    return;
                }
                let Some(record) = index.names.get(voter_id) else {
                    return;
                };
                if by_date && !rank::may_meet_a_surname(query, &record) {
                    return;
                }
                if let Some(evaluation) = rank::evaluate(query, &record, &mut scratch) {
                    top.count(&evaluation);
                    scored.push(Scored {
                        score: evaluation.score,
                        segment,
                        doc,
                        voter_id,
                        evaluation,
                    });
                }
            };
        'segments: for segment in 0..index.segments.len() {
            candidates::collect(index, query, reach, focus, segment, walks, &mut found)?;
            waiting.extend(found.unfitting.iter().map(|&doc| (segment, doc)));
            let docs = &found.docs;
            let dates = &index.segments[segment].birth_date;
            let view = &index.segments[segment];
            for (position, &doc) in docs.iter().enumerate() {
                if top.tied_past_showing() {
                    break 'segments;
                }
                // Records lie scattered over a buffer far larger than any
                // cache, found through a table of where each begins, also
                // larger than any cache: ask for where a record lies some
                // candidates ahead, and for the record itself when it is
                // half as far, so that both fetches overlap the scoring of
                // those in between.
                let ahead = |by: usize| docs.get(position + by).and_then(|&doc| view.voter_id(doc));
                if let Some(voter_id) = ahead(2 * PREFETCH_AHEAD) {
                    index.names.prefetch_place(voter_id);
                }
                if let Some(voter_id) = ahead(PREFETCH_AHEAD) {
                    index.names.prefetch(voter_id);
                }
                // Voters the date step found are born on the date asked or
                // on one of its slips, which never contradict it.
                if let Some(asked) = query.parsed.birth_date.filter(|_| !by_date) {
                    let born = BirthDate::from_packed(dates.first(doc).unwrap_or(0));
                    if rank::fit_date(asked, born) == DateFit::Mismatch {
                        later.push((segment, doc));
                        continue;
                    }
                }
                score(segment, doc, &mut top, scored);
            }
        }
        // Voters whom a typed particle fits nowhere rank below those whose
        // every word fits: only when these leave room in the list.
        if top.begun < limit {
            for (segment, doc) in waiting {
                if top.tied_past_showing() {
                    break;
                }
                if let Some(asked) = query.parsed.birth_date {
                    let dates = &index.segments[segment].birth_date;
                    let born = BirthDate::from_packed(dates.first(doc).unwrap_or(0));
                    if rank::fit_date(asked, born) == DateFit::Mismatch {
                        later.push((segment, doc));
                        continue;
                    }
                }
                score(segment, doc, &mut top, scored);
            }
        }
        let best_mismatch = rank::best_score(query.parsed) + DateFit::Mismatch.score();
        let above = scored.iter().filter(|s| s.score > best_mismatch).count();
        if above < limit {
            for (segment, doc) in later {
                if top.tied_past_showing() {
                    break;
                }
                score(segment, doc, &mut top, scored);
            }
        }
        seen.extend(fresh);
        seen.sort_unstable();
        Ok(())
    }

    fn hit(
        &self,
        index: &LoadedIndex,
        texts: &QueryTexts,
        candidate: &Scored,
    ) -> Result<Hit, LookupError> {
        let voter = index.voter(candidate.segment, candidate.doc)?;
        let mut matches = Vec::with_capacity(texts.tokens.len() + 1);
        let record = index.names.get(candidate.voter_id);
        for (token, found) in texts.tokens.iter().zip(&candidate.evaluation.tokens) {
            let (Some(found), Some(record)) = (found, record.as_ref()) else {
                continue;
            };
            let matched = record
                .terms(found.field)
                .nth(found.term_index as usize)
                .map(|term| term.text())
                .unwrap_or_default();
            matches.push(MatchDetail {
                token: token.clone(),
                field: found.field.as_str(),
                kind: found.kind.as_str(),
                matched,
            });
        }
        if let Some(date) = &texts.date {
            let kind = match candidate.evaluation.date {
                DateFit::Exact => Some("exact"),
                DateFit::Approximate => Some("approximate"),
                DateFit::SameYear => Some("year"),
                _ => None,
            };
            if let Some(kind) = kind {
                matches.push(MatchDetail {
                    token: date.clone(),
                    field: "birth_date",
                    kind,
                    matched: voter.birth_date.to_iso().unwrap_or_default(),
                });
            }
        }
        let score = (f64::from(candidate.score) * 1000.0).round() / 1000.0;
        Ok(present(
            index,
            voter,
            matches,
            score,
            candidate.evaluation.confidence,
            None,
        ))
    }
}

/// The query's words and date as every hit's `matches` name them, made
/// once per lookup and shared by its hits.
struct QueryTexts {
    tokens: Vec<Arc<str>>,
    date: Option<Arc<str>>,
}

impl QueryTexts {
    fn of(parsed: &ParsedQuery) -> QueryTexts {
        QueryTexts {
            tokens: parsed
                .tokens
                .iter()
                .map(|token| token.text.as_str().into())
                .collect(),
            date: parsed.birth_date.map(|date| date.to_iso().into()),
        }
    }
}

/// What the candidates scored so far show, for the steps' stop rules.
fn standing(scored: &[Scored], parsed: &ParsedQuery) -> Standing {
    let tally = TopTier::of(parsed, scored);
    let fits = |fit: fn(&Evaluation) -> bool| {
        scored.iter().any(|s| {
            let evaluation = &s.evaluation;
            evaluation.complete && !evaluation.date.contradicts() && fit(evaluation)
        })
    };
    Standing {
        confident: scored
            .iter()
            .any(|s| s.evaluation.confidence >= Confidence::Strong),
        typed: fits(|evaluation| evaluation.prefix_weight == 0.0),
        close: fits(|evaluation| evaluation.close),
        complete: fits(|_| true),
        exact: tally.exact,
        begun: tally.begun,
    }
}

/// Counts the candidates at the top a lookup can reach. A voter whose every
/// word is spelled out (and whose date, if asked, is the same, or is of
/// the year asked) has the best score there is, and the exact step finds
/// every such voter. Once the query reads as typed beginnings (nobody
/// spells it out), a voter whose every word is spelled out or begun has
/// the best score, and ties with all the others who do.
#[derive(Debug, Clone, Copy)]
struct TopTier {
    /// The best fit the query's date allows.
    best_date: DateFit,
    exact: usize,
    begun: usize,
}

impl TopTier {
    fn new(parsed: &ParsedQuery) -> TopTier {
        let best_date = match parsed.birth_date {
            None => DateFit::Absent,
            Some(QueryDate::Full { .. }) => DateFit::Exact,
            Some(QueryDate::Year(_)) => DateFit::SameYear,
        };
        TopTier {
            best_date,
            exact: 0,
            begun: 0,
        }
    }

    /// The tally of the candidates `scored` so far.
    fn of(parsed: &ParsedQuery, scored: &[Scored]) -> TopTier {
        let mut tally = TopTier::new(parsed);
        for candidate in scored {
            tally.count(&candidate.evaluation);
        }
        tally
    }

    fn count(&mut self, evaluation: &Evaluation) {
        if !evaluation.complete || evaluation.date != self.best_date {
            return;
        }
        if evaluation.all_exact {
            self.exact += 1;
        }
        // Every word, particles too: a voter whom `el` fits nowhere ranks
        // below one whose given name it begins.
        let begun = evaluation
            .tokens
            .iter()
            .all(|m| m.is_some_and(|m| (m.kind == MatchKind::Exact || m.begins) && !m.joined));
        if begun {
            self.begun += 1;
        }
    }

    /// True once a response could show no more of them: scoring further
    /// candidates could only find more voters who tie.
    fn tied_past_showing(&self) -> bool {
        self.exact >= MAX_TIED || self.begun >= MAX_TIED
    }
}

/// Builds the hit of `voter`; `at` picks the membership shown first (the
/// one a signing-sheet lookup asked for), else the primary one.
fn present(
    index: &LoadedIndex,
    voter: VoterView,
    matches: Vec<MatchDetail>,
    score: f64,
    confidence: Confidence,
    at: Option<(&str, u32)>,
) -> Hit {
    let memberships: Vec<MembershipView> = voter
        .memberships
        .iter()
        .map(|membership| membership_view(index, voter.commune_code.as_deref(), membership))
        .collect();
    let shown = at
        .and_then(|(station, order)| {
            voter.memberships.iter().position(|m| {
                m.station_code.as_deref() == Some(station) && m.order_number == Some(order)
            })
        })
        .unwrap_or(0);
    let (station, order_number) = memberships
        .get(shown)
        .map(|m| (m.station.clone(), m.order_number))
        .unwrap_or((None, None));
    Hit {
        voter,
        station,
        order_number,
        memberships,
        score,
        matches,
        confidence,
    }
}

fn membership_view(
    index: &LoadedIndex,
    commune: Option<&str>,
    membership: &RecordMembership,
) -> MembershipView {
    let station = membership.station_code.as_deref().map(|code| {
        // The roll's label for the station, else the stations file's.
        let roll_label = membership
            .station_label
            .as_deref()
            .filter(|label| !label.is_empty());
        match index.station_view(commune, code) {
            Some(known) if roll_label.is_none_or(|label| label == &*known.label) => known.clone(),
            known => StationView {
                commune_code: commune.map(Arc::from),
                commune_name: known.and_then(|s| s.commune_name.clone()),
                code: code.into(),
                label: roll_label
                    .map(Arc::from)
                    .or_else(|| known.map(|s| s.label.clone()))
                    .unwrap_or_else(|| "".into()),
                address: known.and_then(|s| s.address.clone()),
            },
        }
    });
    let list = match membership.list.known_label() {
        Some(label) => Cow::Borrowed(label),
        None => Cow::Owned(membership.list.label().to_owned()),
    };
    MembershipView {
        list,
        station,
        order_number: membership
            .station_code
            .as_ref()
            .and(membership.order_number),
    }
}
