//! The steps of a lookup, each in one place: how it finds voters (its way
//! in), what it expands a word into when reading it as the surname, how
//! the other words narrow that reading, and when the lookup may stop after
//! it. A new way in is a new row of [`Reach::step`], not a branch in every
//! function that finds or scores candidates.

use super::MAX_TIED;
use super::query::{ParsedQuery, QueryDate};
use super::typos::Place;

/// Terms a prefix may expand to when it narrows; beyond it the prefix is
/// too short to help (a narrowing then requires nothing of that token).
const MAX_PREFIX_TERMS: usize = 5_000;
/// Terms a prefix read as the surname may expand to: every one, in
/// practice (a surname dictionary of a million voters has fewer than
/// 10,000 terms under any three letters), so that no voter is silently left
/// out; the bound only keeps a pathological dictionary finite.
pub(super) const MAX_READING_PREFIX_TERMS: usize = 200_000;

/// The steps of a lookup, from what was typed outwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// Terms spelled exactly as typed.
    Exact,
    /// Also the same sound, beginnings of three letters or more, and the
    /// usual number of typos, the first letter kept as typed.
    Near,
    /// The surnames the near step left out: within the usual typos, one
    /// of them on the first letter (`ARMON` for PARMON, `JERVAN` for
    /// KERVAN), the other words narrowing as they did. A reading the near
    /// step found one typo away may be a slip on the first letter from
    /// another voter's name, just as close.
    FirstLetter,
    /// The same, but with typos wherever they fall, the first letter
    /// included in every word: a walk several times dearer, taken only when
    /// neither the near step nor the first-letter step found an answer.
    Anywhere,
    /// With a full birth date: the voters born that day or on one of its
    /// usual slips, whatever their names; ranking keeps those a name fits.
    Dated,
    /// Also two-letter beginnings and particles that may begin a name
    /// (`del` of `DELAROSA`): every beginning a kiosk user may type.
    Beginnings,
    /// Also the extended number of typos, and typos in joined forms.
    Wide,
    /// Surnames spelled or sounding as typed, without requiring the other
    /// tokens to fit.
    Loose,
    /// After an exact answer: surnames one typo or one sound away, with
    /// every other token spelled exactly, as alternatives to show below it.
    Alternatives,
}

/// How a step finds its voters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WayIn {
    /// Each word in turn read as the surname, through the dictionaries.
    Surname,
    /// The birth date asked, and its usual slips.
    BirthDate,
}

/// What the other words do to the voters a reading finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narrowing {
    /// Each must fit a name of the voter (a word fitting nobody skips the
    /// reading).
    Required,
    /// As required, but a short word fitting no name at all, or a particle
    /// mistyped beside another (`DE KA VILLE`), is a slip and requires
    /// nothing.
    RequiredButSlips,
    /// Not required: the voters whom some other word fits come first, and
    /// only a few of the others.
    Preferred,
    /// The step finds voters by something other than their names.
    None,
}

/// What the voters scored so far must show for no wider step to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRule {
    /// A match the service vouches for (`strong` or `exact`).
    Confident,
    /// That, or a voter whom every word fits without being read as a
    /// beginning, none further than one typo, once the surnames one slip on
    /// the first letter away were read: a walk with typos anywhere would
    /// find nothing closer.
    ConfidentOrClose,
    /// That, or a voter whom every word fits without being read as a
    /// beginning (a typo, a sound-alike).
    ConfidentOrTyped,
    /// That, or a voter whom every word fits in any way.
    ConfidentOrComplete,
}

/// One step's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Which step.
    pub reach: Reach,
    /// How it finds voters.
    pub way_in: WayIn,
    /// How the other words narrow what it finds.
    pub narrowing: Narrowing,
    /// When the lookup stops after it.
    pub stop: StopRule,
    /// Typed particles hold back, for last, the voters they fit nowhere.
    pub particles_wait: bool,
    /// Particles alone (`DER` of `VAN DER BERG`) may be read as the
    /// surname: only where other words narrow them down.
    pub particles_alone: bool,
}

impl Reach {
    /// The steps a lookup takes, in order, until one answers.
    pub const STEPS: [Reach; 8] = [
        Reach::Exact,
        Reach::Near,
        Reach::FirstLetter,
        Reach::Anywhere,
        Reach::Dated,
        Reach::Beginnings,
        Reach::Wide,
        Reach::Loose,
    ];

    /// The policy of this step.
    pub fn step(self) -> Step {
        let dictionary = |narrowing, stop, particles_wait| Step {
            reach: self,
            way_in: WayIn::Surname,
            narrowing,
            stop,
            particles_wait,
            particles_alone: narrowing != Narrowing::Preferred,
        };
        match self {
            Reach::Exact => dictionary(Narrowing::Required, StopRule::Confident, false),
            Reach::Alternatives => {
                dictionary(Narrowing::Required, StopRule::ConfidentOrComplete, false)
            }
            // The near step keeps the first letter as typed, so however
            // close its readings, the surnames one slip on the first letter
            // away are read next.
            Reach::Near => dictionary(Narrowing::Required, StopRule::Confident, true),
            // A reading within one typo then answers: typos anywhere in the
            // other words could read the query no closer. A word two typos
            // from a name (`CERILLON`, CAILLON) may be one slip on the first
            // letter from another (FERILLON), as may a given name: the walk
            // anywhere reads those.
            Reach::FirstLetter => dictionary(Narrowing::Required, StopRule::ConfidentOrClose, true),
            Reach::Anywhere => dictionary(Narrowing::Required, StopRule::ConfidentOrTyped, true),
            Reach::Dated => Step {
                reach: self,
                way_in: WayIn::BirthDate,
                narrowing: Narrowing::None,
                stop: StopRule::ConfidentOrTyped,
                particles_wait: false,
                particles_alone: false,
            },
            Reach::Beginnings => dictionary(Narrowing::Required, StopRule::Confident, true),
            Reach::Wide => dictionary(
                Narrowing::RequiredButSlips,
                StopRule::ConfidentOrComplete,
                true,
            ),
            Reach::Loose => dictionary(Narrowing::Preferred, StopRule::ConfidentOrComplete, true),
        }
    }

    /// True when this step can add anything to `parsed`'s lookup: the
    /// date is a way in only when it names a day, and without two-letter
    /// words or long particles the near step has already read every
    /// beginning the beginnings step would.
    pub fn applies(self, parsed: &ParsedQuery) -> bool {
        match self {
            Reach::Dated => matches!(parsed.birth_date, Some(QueryDate::Full { .. })),
            // Always, if only for its stop rule: where no word is long
            // enough to carry a typo it reads nothing, and a reading the
            // near step found within one typo still answers.
            Reach::FirstLetter => true,
            // Words of three letters or less carry no typo.
            Reach::Anywhere => parsed
                .tokens
                .iter()
                .any(|token| !token.particle && token.text.len() > 3),
            Reach::Beginnings => !Reach::Near.reads_every_beginning(parsed),
            _ => true,
        }
    }

    /// True when this step has read each of `parsed`'s words as the
    /// beginning of a name wherever a later step would: the near step
    /// leaves out two-letter words and particles of three letters or more.
    pub fn reads_every_beginning(self, parsed: &ParsedQuery) -> bool {
        match self {
            Reach::Exact | Reach::Alternatives => false,
            Reach::Near | Reach::FirstLetter | Reach::Anywhere | Reach::Dated => {
                parsed.tokens.iter().all(|token| {
                    if token.particle {
                        token.text.len() < 3
                    } else {
                        token.text.len() != 2
                    }
                })
            }
            Reach::Beginnings | Reach::Wide | Reach::Loose => true,
        }
    }

    /// What reading `word` as the surname expands it into at this step.
    pub(super) fn surname_expansion(self, word: &Word) -> Expand {
        if word.particle {
            // A particle may be a whole surname (`LE`) or where one begins
            // (`VAN` of `VAN DER POEL`, `del` of `DELAROSA`); the other
            // tokens narrow its many voters down.
            let prefix_from = if matches!(self, Reach::Beginnings | Reach::Wide | Reach::Loose) {
                3
            } else {
                usize::MAX
            };
            return Expand {
                prefix_from,
                ..Expand::EXACT
            };
        }
        let joined_prefix = if word.joined { usize::MAX } else { 0 };
        match self {
            Reach::Exact | Reach::Dated => Expand::EXACT,
            // One typo: the usual slip that happens to spell another name.
            Reach::Alternatives => Expand {
                phonetic: true,
                prefix_from: usize::MAX,
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: if word.joined {
                    0
                } else {
                    word.base_distance.min(1)
                },
                itself: false,
                place: Place::AfterFirstLetter,
            },
            Reach::Near | Reach::Anywhere => Expand {
                phonetic: true,
                prefix_from: 3.max(joined_prefix),
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: if word.joined { 0 } else { word.base_distance },
                itself: true,
                place: if self == Reach::Anywhere {
                    Place::Anywhere
                } else {
                    Place::AfterFirstLetter
                },
            },
            // Only what the near step left out: no sound, no beginning.
            Reach::FirstLetter => Expand {
                typos: if word.joined { 0 } else { word.base_distance },
                itself: false,
                place: Place::OnFirstLetter,
                ..Expand::EXACT
            },
            Reach::Beginnings => Expand {
                phonetic: true,
                prefix_from: 2.max(joined_prefix),
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: if word.joined { 0 } else { word.base_distance },
                itself: true,
                place: Place::Anywhere,
            },
            Reach::Wide => Expand {
                phonetic: true,
                prefix_from: 2.max(joined_prefix),
                prefix_limit: MAX_READING_PREFIX_TERMS,
                typos: word.reach_distance,
                itself: true,
                place: Place::Anywhere,
            },
            // Without narrowing, only what is spelled or sounds the same: a
            // surname typed right beside a given name that fits nobody.
            Reach::Loose => Expand {
                phonetic: true,
                ..Expand::EXACT
            },
        }
    }

    /// What `word` requires of the voters another word's reading found:
    /// as typed for alternatives, and never further than the usual typos.
    /// The loose step prefers the voters the wide step's narrowing fits.
    pub(super) fn narrowing_expansion(self, word: &Word) -> Expand {
        match self {
            Reach::Exact | Reach::Alternatives | Reach::Dated => Expand::EXACT,
            Reach::Loose => Reach::Wide.narrowing_expansion(word),
            // The other words narrow as they did at the near step, whose
            // narrowings this step reuses.
            Reach::FirstLetter => Reach::Near.narrowing_expansion(word),
            Reach::Near | Reach::Anywhere | Reach::Beginnings | Reach::Wide => Expand {
                phonetic: true,
                // The same spec at each step from the walk anywhere on for a
                // word of three letters or more, whose narrowing is then the
                // same: a later step reuses what an earlier one built.
                prefix_from: if matches!(self, Reach::Near | Reach::Anywhere) && word.text.len() < 3
                {
                    3
                } else {
                    2
                },
                prefix_limit: MAX_PREFIX_TERMS,
                typos: word.base_distance,
                itself: true,
                place: if self == Reach::Near {
                    Place::AfterFirstLetter
                } else {
                    Place::Anywhere
                },
            },
        }
    }
}

/// A query word (or joined form) as a step's expansions see it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word<'a> {
    /// Folded text.
    pub text: &'a str,
    /// A particle (`DE`, `VAN`…).
    pub particle: bool,
    /// A joined form of several words rather than one.
    pub joined: bool,
    /// Edits a walk allows at the usual and the extended distance.
    pub base_distance: u8,
    pub reach_distance: u8,
}

/// What to expand a text into, in a dictionary: the phonetic key, the terms
/// it begins (from how many letters), and terms within how many typos, and
/// where they may fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Expand {
    pub phonetic: bool,
    /// Shortest text expanded as a prefix; `usize::MAX` for none.
    pub prefix_from: usize,
    /// Most terms a prefix expands to before it gives up.
    pub prefix_limit: usize,
    pub typos: u8,
    /// The text itself may be looked up (not for alternatives, which
    /// were already found as typed).
    pub itself: bool,
    /// Where the typos may fall.
    pub place: Place,
}

impl Expand {
    pub const EXACT: Expand = Expand {
        phonetic: false,
        prefix_from: usize::MAX,
        prefix_limit: MAX_READING_PREFIX_TERMS,
        typos: 0,
        itself: true,
        place: Place::AfterFirstLetter,
    };
}

/// What the candidates scored so far show, for the stop rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Some voter is matched `strong` or `exact`.
    pub confident: bool,
    /// Some voter fits every word, none read as a beginning, and the date
    /// (if asked) does not contradict.
    pub typed: bool,
    /// The same, none further than one typo.
    pub close: bool,
    /// Some voter fits every word in any way, the date not contradicting.
    pub complete: bool,
    /// Voters spelling out every word, with the best date fit there is.
    pub exact: usize,
    /// Voters spelling out or beginning every word, with the best date
    /// fit there is.
    pub begun: usize,
}

impl Step {
    /// Whether the lookup stops after this step, given what it has found:
    /// its own rule, or a list already full of voters that no wider step
    /// can outrank ([`list_is_full`]).
    pub fn stops(&self, standing: &Standing, parsed: &ParsedQuery, limit: usize) -> bool {
        let answered = match self.stop {
            StopRule::Confident => standing.confident,
            StopRule::ConfidentOrClose => standing.confident || standing.close,
            StopRule::ConfidentOrTyped => standing.confident || standing.typed,
            StopRule::ConfidentOrComplete => standing.confident || standing.complete,
        };
        answered || list_is_full(standing, parsed, self.reach, limit)
    }
}

/// True when wider steps could only add voters ranked below those already
/// scored, or tied with them past what a response shows: `limit` voters
/// spelling out every word fill the list, and so do [`MAX_TIED`] voters
/// spelling out or beginning every word; once every word has been read as
/// a beginning, `limit` of the latter do too, as wider steps add only
/// typos, which rank below them.
pub fn list_is_full(standing: &Standing, parsed: &ParsedQuery, after: Reach, limit: usize) -> bool {
    let begun_enough = if after.reads_every_beginning(parsed) {
        limit
    } else {
        MAX_TIED
    };
    standing.exact >= limit || standing.begun >= begun_enough
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, date: Option<&str>) -> ParsedQuery {
        ParsedQuery::parse(text, date).expect("a valid query")
    }

    #[test]
    fn two_letter_words_and_long_particles_wait_for_the_beginnings_step() {
        let read_at_near = |text: &str| Reach::Near.reads_every_beginning(&parse(text, None));
        assert!(read_at_near("gauth ber"));
        assert!(read_at_near("de la fon mar"));
        assert!(!read_at_near("robe st"));
        assert!(!read_at_near("van tho"));
        let parsed = parse("robe st", None);
        assert!(Reach::Beginnings.reads_every_beginning(&parsed));
        assert!(!Reach::Exact.reads_every_beginning(&parsed));
        assert!(Reach::Beginnings.applies(&parsed));
        assert!(!Reach::Beginnings.applies(&parse("gauth ber", None)));
    }

    #[test]
    fn the_date_is_a_way_in_only_when_it_names_a_day() {
        assert!(Reach::Dated.applies(&parse("MARTIN 12/03/1962", None)));
        assert!(Reach::Dated.applies(&parse("MARTIN", Some("1962-03-12"))));
        assert!(!Reach::Dated.applies(&parse("MARTIN 1962", None)));
        assert!(!Reach::Dated.applies(&parse("MARTIN", None)));
        assert_eq!(Reach::Dated.step().way_in, WayIn::BirthDate);
        assert!(
            Reach::STEPS
                .iter()
                .filter(|&&reach| reach != Reach::Dated)
                .all(|reach| reach.step().way_in == WayIn::Surname)
        );
    }

    #[test]
    fn a_confident_match_stops_every_step() {
        let parsed = parse("MARTIN Marie", None);
        let standing = Standing {
            confident: true,
            ..Standing::default()
        };
        for reach in Reach::STEPS.into_iter().chain([Reach::Alternatives]) {
            assert!(reach.step().stops(&standing, &parsed, 10), "{reach:?}");
        }
        for reach in Reach::STEPS {
            assert!(
                !reach.step().stops(&Standing::default(), &parsed, 10),
                "{reach:?} stops on nothing"
            );
        }
    }

    #[test]
    fn a_typo_answers_from_the_near_step_and_a_beginning_from_the_wide_one() {
        let parsed = parse("MARTIM Marie", None);
        let close = Standing {
            typed: true,
            close: true,
            complete: true,
            ..Standing::default()
        };
        assert!(!Reach::Exact.step().stops(&close, &parsed, 10));
        // A reading one typo away with the first letter kept: the surnames
        // one slip on the first letter away are as close, and read next.
        assert!(!Reach::Near.step().stops(&close, &parsed, 10));
        assert!(Reach::FirstLetter.step().stops(&close, &parsed, 10));
        assert!(Reach::Dated.step().stops(&close, &parsed, 10));
        // Two typos with the first letter kept: one typo on the first
        // letter may read it closer, so the walk anywhere still runs.
        let typed = Standing {
            close: false,
            ..close
        };
        assert!(!Reach::Near.step().stops(&typed, &parsed, 10));
        assert!(!Reach::FirstLetter.step().stops(&typed, &parsed, 10));
        assert!(Reach::Anywhere.step().stops(&typed, &parsed, 10));
        assert!(Reach::Dated.step().stops(&typed, &parsed, 10));
        // Read as beginnings only: the kiosk reading waits for every
        // beginning to have been read.
        let begun = Standing {
            complete: true,
            ..Standing::default()
        };
        assert!(!Reach::Near.step().stops(&begun, &parsed, 10));
        assert!(!Reach::Beginnings.step().stops(&begun, &parsed, 10));
        assert!(Reach::Wide.step().stops(&begun, &parsed, 10));
        assert!(Reach::Loose.step().stops(&begun, &parsed, 10));
    }

    #[test]
    fn a_full_list_stops_once_nothing_wider_can_outrank_it() {
        let kiosk = parse("robe st", None);
        let spelled = Standing {
            exact: 10,
            ..Standing::default()
        };
        assert!(Reach::Exact.step().stops(&spelled, &kiosk, 10));
        assert!(!Reach::Exact.step().stops(&spelled, &kiosk, 11));
        let begun = Standing {
            begun: 10,
            ..Standing::default()
        };
        // `st` is read as a beginning only from the beginnings step on.
        assert!(!Reach::Near.step().stops(&begun, &kiosk, 10));
        assert!(Reach::Beginnings.step().stops(&begun, &kiosk, 10));
        let tied = Standing {
            begun: MAX_TIED,
            ..Standing::default()
        };
        assert!(Reach::Exact.step().stops(&tied, &kiosk, 10));
    }

    #[test]
    fn steps_expand_outwards() {
        let word = Word {
            text: "MARTIM",
            particle: false,
            joined: false,
            base_distance: 1,
            reach_distance: 2,
        };
        let typos: Vec<u8> = Reach::STEPS
            .iter()
            .filter(|reach| reach.step().way_in == WayIn::Surname)
            .map(|reach| reach.surname_expansion(&word).typos)
            .collect();
        assert_eq!(typos, [0, 1, 1, 1, 1, 2, 0]);
        // The dear walk over every first letter waits for its own step;
        // the step before it reads only the surnames the near step left
        // out, narrowed as the near step narrowed.
        for (reach, surname, narrowing) in [
            (
                Reach::Near,
                Place::AfterFirstLetter,
                Place::AfterFirstLetter,
            ),
            (
                Reach::FirstLetter,
                Place::OnFirstLetter,
                Place::AfterFirstLetter,
            ),
            (Reach::Anywhere, Place::Anywhere, Place::Anywhere),
            (Reach::Wide, Place::Anywhere, Place::Anywhere),
        ] {
            assert_eq!(reach.surname_expansion(&word).place, surname, "{reach:?}");
            assert_eq!(
                reach.narrowing_expansion(&word).place,
                narrowing,
                "{reach:?}"
            );
        }
        let first_letter = Reach::FirstLetter.surname_expansion(&word);
        assert!(!first_letter.itself && !first_letter.phonetic);
        assert_eq!(
            Reach::FirstLetter.narrowing_expansion(&word),
            Reach::Near.narrowing_expansion(&word)
        );
        assert!(!Reach::Anywhere.applies(&parse("LE NG", None)));
        assert!(Reach::Anywhere.applies(&parse("NARCIA Anne", None)));
        assert_eq!(Reach::Exact.narrowing_expansion(&word), Expand::EXACT);
        assert_eq!(
            Reach::Loose.narrowing_expansion(&word),
            Reach::Wide.narrowing_expansion(&word)
        );
        assert!(Reach::Near.step().particles_wait);
        assert!(!Reach::Exact.step().particles_wait);
        assert!(!Reach::Loose.step().particles_alone);
    }
}
