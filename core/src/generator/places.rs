//! Places on the synthetic roll: birthplaces in France and abroad (with the
//! country spellings that vary between registers, historic ones included),
//! nationalities, the commune's streets, and voters' addresses.

use super::names::{NameSampler, Origin, strip_accents};
use super::random::{Draw, GenRng, Weighted};
use crate::model::{Address, Sex};
use rand::Rng;
use std::collections::HashSet;

/// A birthplace as columns 9–12 carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BirthPlace {
    pub(crate) code: Option<String>,
    pub(crate) label: String,
    pub(crate) department: String,
    pub(crate) country: String,
}

/// Communes of birth in France: INSEE code and official name. Paris, Lyon
/// and Marseille births are recorded by arrondissement, generated below.
#[rustfmt::skip]
const FRENCH_BIRTH_COMMUNES: &[(&str, &str)] = &[
    ("31555", "Toulouse"), ("06088", "Nice"), ("44109", "Nantes"), ("34172", "Montpellier"),
    ("67482", "Strasbourg"), ("33063", "Bordeaux"), ("59350", "Lille"), ("35238", "Rennes"),
    ("51454", "Reims"), ("83137", "Toulon"), ("42218", "Saint-Étienne"), ("76351", "Le Havre"),
    ("38185", "Grenoble"), ("21231", "Dijon"), ("49007", "Angers"), ("69266", "Villeurbanne"),
    ("30189", "Nîmes"), ("72181", "Le Mans"), ("63113", "Clermont-Ferrand"),
    ("13001", "Aix-en-Provence"), ("29019", "Brest"), ("37261", "Tours"), ("87085", "Limoges"),
    ("80021", "Amiens"), ("66136", "Perpignan"), ("57463", "Metz"), ("25056", "Besançon"),
    ("45234", "Orléans"), ("68224", "Mulhouse"), ("76540", "Rouen"), ("14118", "Caen"),
    ("54395", "Nancy"), ("93066", "Saint-Denis"), ("92012", "Boulogne-Billancourt"),
    ("95018", "Argenteuil"), ("93048", "Montreuil"), ("59512", "Roubaix"), ("59599", "Tourcoing"),
    ("84007", "Avignon"), ("92050", "Nanterre"), ("94028", "Créteil"), ("86194", "Poitiers"),
    ("64445", "Pau"), ("17300", "La Rochelle"), ("92049", "Montrouge"), ("78646", "Versailles"),
    ("64102", "Bayonne"), ("2A004", "Ajaccio"), ("2B033", "Bastia"), ("29232", "Quimper"),
    ("22278", "Saint-Brieuc"), ("56121", "Lorient"), ("62193", "Calais"), ("59183", "Dunkerque"),
    ("62041", "Arras"), ("10387", "Troyes"), ("68066", "Colmar"), ("90010", "Belfort"),
    ("18033", "Bourges"), ("41018", "Blois"), ("28085", "Chartres"), ("53130", "Laval"),
    ("79191", "Niort"), ("16015", "Angoulême"), ("65440", "Tarbes"), ("11069", "Carcassonne"),
    ("81004", "Albi"), ("82121", "Montauban"), ("26362", "Valence"), ("06029", "Cannes"),
    ("13004", "Arles"), ("73065", "Chambéry"), ("74010", "Annecy"), ("97411", "Saint-Denis"),
    ("97209", "Fort-de-France"), ("97120", "Pointe-à-Pitre"), ("97302", "Cayenne"),
];

/// A country as registers spell it: the usual form first, then variants.
struct Country {
    spellings: &'static [&'static str],
    cities: &'static [&'static str],
}

const ALGERIA: Country = Country {
    spellings: &["ALGERIE", "ALGÉRIE", "Algérie"],
    cities: &[
        "ALGER",
        "ORAN",
        "CONSTANTINE",
        "TIZI OUZOU",
        "SETIF",
        "BEJAIA",
        "TLEMCEN",
        "ANNABA",
        "BATNA",
        "BLIDA",
    ],
};
const MOROCCO: Country = Country {
    spellings: &["MAROC", "Maroc"],
    cities: &[
        "CASABLANCA",
        "RABAT",
        "FES",
        "MARRAKECH",
        "OUJDA",
        "AGADIR",
        "TANGER",
        "MEKNES",
        "NADOR",
    ],
};
const TUNISIA: Country = Country {
    spellings: &["TUNISIE", "Tunisie"],
    cities: &["TUNIS", "SFAX", "SOUSSE", "BIZERTE", "GABES"],
};
const PORTUGAL: Country = Country {
    spellings: &["PORTUGAL", "Portugal"],
    cities: &[
        "LISBONNE",
        "PORTO",
        "BRAGA",
        "VISEU",
        "GUARDA",
        "LEIRIA",
        "CHAVES",
        "VILA REAL",
        "COIMBRA",
    ],
};
const SPAIN: Country = Country {
    spellings: &["ESPAGNE", "Espagne"],
    cities: &[
        "MADRID",
        "BARCELONE",
        "VALENCE",
        "MURCIE",
        "ALMERIA",
        "SEVILLE",
        "MALAGA",
        "SARAGOSSE",
    ],
};
const ITALY: Country = Country {
    spellings: &["ITALIE", "Italie"],
    cities: &[
        "NAPLES",
        "ROME",
        "TURIN",
        "PALERME",
        "MILAN",
        "BARI",
        "CALTANISSETTA",
        "UDINE",
        "BERGAME",
    ],
};
const SENEGAL: Country = Country {
    spellings: &["SENEGAL", "SÉNÉGAL", "Sénégal"],
    cities: &["DAKAR", "THIES", "SAINT-LOUIS", "KAOLACK", "ZIGUINCHOR"],
};
const MALI: Country = Country {
    spellings: &["MALI", "Mali"],
    cities: &["BAMAKO", "KAYES", "SEGOU", "MOPTI"],
};
const IVORY_COAST: Country = Country {
    spellings: &["COTE D'IVOIRE", "CÔTE D'IVOIRE", "Côte d'Ivoire"],
    cities: &["ABIDJAN", "BOUAKE", "YAMOUSSOUKRO", "DALOA"],
};
const VIETNAM: Country = Country {
    spellings: &["VIET NAM", "VIETNAM", "Viêt Nam"],
    cities: &["HANOI", "HAIPHONG", "HUE", "DA NANG", "CAN THO"],
};
const CHINA: Country = Country {
    spellings: &["CHINE", "Chine"],
    cities: &["WENZHOU", "SHANGHAI", "PEKIN", "CANTON", "QINGTIAN"],
};
const TURKEY: Country = Country {
    spellings: &["TURQUIE", "Turquie"],
    cities: &["ISTANBUL", "ANKARA", "KAYSERI", "KONYA", "IZMIR", "SIVAS"],
};
const POLAND: Country = Country {
    spellings: &["POLOGNE", "Pologne"],
    cities: &["VARSOVIE", "CRACOVIE", "LODZ", "KATOWICE", "POZNAN"],
};
const ARMENIA: Country = Country {
    spellings: &["ARMENIE", "ARMÉNIE", "Arménie"],
    cities: &["EREVAN", "GUMRI", "VANADZOR"],
};
const SOVIET_UNION: Country = Country {
    spellings: &["U.R.S.S.", "URSS"],
    cities: &["EREVAN", "LENINAKAN", "MOSCOU", "KIEV"],
};
const LEBANON: Country = Country {
    spellings: &["LIBAN", "Liban"],
    cities: &["BEYROUTH", "ANJAR"],
};
const SYRIA: Country = Country {
    spellings: &["SYRIE", "Syrie"],
    cities: &["ALEP", "DAMAS"],
};
const IRELAND: Country = Country {
    spellings: &["IRLANDE", "Irlande"],
    cities: &["DUBLIN", "CORK", "GALWAY", "LIMERICK"],
};
const ROMANIA: Country = Country {
    spellings: &["ROUMANIE", "Roumanie"],
    cities: &["BUCAREST", "CLUJ-NAPOCA", "IASI", "TIMISOARA", "CONSTANTA"],
};
const GERMANY: Country = Country {
    spellings: &["ALLEMAGNE", "Allemagne"],
    cities: &[
        "BERLIN",
        "MUNICH",
        "HAMBOURG",
        "STUTTGART",
        "SARREBRUCK",
        "FRANCFORT",
        "FRIBOURG",
    ],
};
const WEST_GERMANY: Country = Country {
    spellings: &["REPUBLIQUE FEDERALE D'ALLEMAGNE", "R.F.A.", "ALLEMAGNE"],
    cities: &["SARREBRUCK", "FRIBOURG", "BADEN-BADEN", "COLOGNE", "MUNICH"],
};
const NETHERLANDS: Country = Country {
    spellings: &["PAYS-BAS", "Pays-Bas"],
    cities: &["AMSTERDAM", "ROTTERDAM", "LA HAYE", "UTRECHT", "EINDHOVEN"],
};
const BELGIUM: Country = Country {
    spellings: &["BELGIQUE", "Belgique"],
    cities: &[
        "BRUXELLES",
        "LIEGE",
        "ANVERS",
        "GAND",
        "MONS",
        "CHARLEROI",
        "MOUSCRON",
        "COURTRAI",
    ],
};
const ELSEWHERE: &[Country] = &[
    BELGIUM,
    Country {
        spellings: &["SUISSE", "Suisse"],
        cities: &["GENEVE", "LAUSANNE", "BALE"],
    },
    Country {
        spellings: &["ROYAUME-UNI", "Royaume-Uni"],
        cities: &["LONDRES", "MANCHESTER"],
    },
    Country {
        spellings: &["ETATS-UNIS", "ÉTATS-UNIS"],
        cities: &["NEW YORK", "WASHINGTON"],
    },
    Country {
        spellings: &["CANADA", "Canada"],
        cities: &["MONTREAL", "QUEBEC"],
    },
    Country {
        spellings: &["MADAGASCAR"],
        cities: &["ANTANANARIVO", "TAMATAVE"],
    },
    Country {
        spellings: &["CAMBODGE", "Cambodge"],
        cities: &["PHNOM PENH"],
    },
];

/// Birthplace in France: the commune itself for a good share, a large
/// French city otherwise.
pub(crate) fn french_birthplace(
    rng: &mut GenRng,
    commune_code: &str,
    commune_name: &str,
) -> BirthPlace {
    let (code, name) = match rng.below(100) {
        0..=17 => (commune_code.to_string(), commune_name.to_string()),
        18..=29 => {
            let n = rng.between(1, 20);
            (format!("751{n:02}"), format!("Paris {}", arrondissement(n)))
        }
        30..=34 => {
            let n = rng.between(1, 16);
            (
                format!("132{n:02}"),
                format!("Marseille {}", arrondissement(n)),
            )
        }
        35..=38 => {
            let n = rng.between(1, 9);
            (format!("6938{n}"), format!("Lyon {}", arrondissement(n)))
        }
        _ => {
            let (code, name) = rng.pick(FRENCH_BIRTH_COMMUNES);
            ((*code).to_string(), (*name).to_string())
        }
    };
    let department = if code.starts_with("97") {
        &code[..3]
    } else {
        &code[..2]
    }
    .to_string();
    // Registers mostly write birthplaces in capitals without accents; some
    // keep the official spelling.
    let label = if rng.chance(0.8) {
        upper_ascii(&name)
    } else {
        name
    };
    let country = if rng.chance(0.85) { "FRANCE" } else { "France" }.to_string();
    BirthPlace {
        code: Some(code),
        label,
        department,
        country,
    }
}

fn arrondissement(n: u32) -> String {
    if n == 1 {
        "1er Arrondissement".to_string()
    } else {
        format!("{n}e Arrondissement")
    }
}

/// Birthplace abroad (département `99`, no commune code) fitting the origin
/// and the birth year: historic states for historic births.
pub(crate) fn foreign_birthplace(rng: &mut GenRng, origin: Origin, birth_year: u16) -> BirthPlace {
    let country: &Country = match origin {
        Origin::Portuguese => &PORTUGAL,
        Origin::Spanish => &SPAIN,
        Origin::Italian | Origin::Corsican => &ITALY,
        Origin::Maghrebi => match rng.below(10) {
            0..=4 => &ALGERIA,
            5..=7 => &MOROCCO,
            _ => &TUNISIA,
        },
        Origin::WestAfrican => match rng.below(10) {
            0..=3 => &SENEGAL,
            4..=7 => &MALI,
            _ => &IVORY_COAST,
        },
        Origin::Vietnamese => &VIETNAM,
        Origin::Chinese => &CHINA,
        Origin::Turkish => &TURKEY,
        Origin::Polish => &POLAND,
        Origin::Armenian => match birth_year {
            ..1940 => {
                if rng.chance(0.5) {
                    &TURKEY
                } else if rng.chance(0.5) {
                    &LEBANON
                } else {
                    &SYRIA
                }
            }
            1940..1992 => &SOVIET_UNION,
            _ => &ARMENIA,
        },
        Origin::Irish => &IRELAND,
        Origin::Romanian => &ROMANIA,
        Origin::German | Origin::Alsatian => {
            if (1949..1991).contains(&birth_year) {
                &WEST_GERMANY
            } else {
                &GERMANY
            }
        }
        Origin::Dutch => &NETHERLANDS,
        Origin::Flemish => &BELGIUM,
        // French families abroad: North Africa before independence,
        // anywhere since.
        _ if birth_year < 1962 => match rng.below(10) {
            0..=5 => &ALGERIA,
            6..=7 => &MOROCCO,
            _ => &TUNISIA,
        },
        _ => rng.pick(ELSEWHERE),
    };
    let country_label = if rng.chance(0.75) {
        country.spellings[0]
    } else {
        *rng.pick(country.spellings)
    };
    let mut city = *rng.pick(country.cities);
    if origin == Origin::Vietnamese && birth_year < 1976 && rng.chance(0.5) {
        city = "SAIGON";
    } else if origin == Origin::Vietnamese && rng.chance(0.3) {
        city = "HO CHI MINH VILLE";
    }
    BirthPlace {
        code: None,
        label: city.to_string(),
        department: "99".to_string(),
        country: country_label.to_string(),
    }
}

/// Nationality of an EU citizen on the complementary lists, by origin.
pub(crate) fn eu_nationality(origin: Origin) -> &'static str {
    match origin {
        Origin::Portuguese => "Portugaise",
        Origin::Spanish => "Espagnole",
        Origin::Italian => "Italienne",
        Origin::German => "Allemande",
        Origin::Dutch => "Néerlandaise",
        Origin::Polish => "Polonaise",
        Origin::Romanian => "Roumaine",
        Origin::Irish => "Irlandaise",
        _ => "Belge",
    }
}

/// Origins of EU citizens on the complementary lists, with their weights.
pub(crate) fn eu_origins() -> Weighted<Origin> {
    Weighted::new([
        (Origin::Portuguese, 35.0),
        (Origin::Italian, 15.0),
        (Origin::Spanish, 12.0),
        (Origin::Flemish, 4.0),
        (Origin::French, 4.0),
        (Origin::German, 8.0),
        (Origin::Romanian, 8.0),
        (Origin::Polish, 6.0),
        (Origin::Dutch, 4.0),
        (Origin::Irish, 4.0),
    ])
}

/// Upper case without accents, punctuation kept: `Rue de l'Église` →
/// `RUE DE L'EGLISE`.
pub(crate) fn upper_ascii(text: &str) -> String {
    strip_accents(text).to_ascii_uppercase()
}

#[rustfmt::skip]
const STREET_TYPES: &[(&str, f64)] = &[
    ("Rue", 55.0), ("Avenue", 10.0), ("Allée", 7.0), ("Impasse", 7.0), ("Chemin", 6.0),
    ("Boulevard", 4.0), ("Place", 3.0), ("Route", 3.0), ("Square", 1.5), ("Passage", 1.5),
    ("Cours", 1.0), ("Quai", 1.0), ("Sentier", 0.5),
];

/// People streets are named after.
#[rustfmt::skip]
const STREET_PEOPLE: &[&str] = &[
    "Victor Hugo", "Jean Jaurès", "Louis Pasteur", "Jules Ferry", "Émile Zola", "Anatole France",
    "Aristide Briand", "Paul Bert", "Jean Moulin", "Gambetta", "Voltaire", "Marcel Pagnol",
    "Georges Brassens", "Jacques Prévert", "Pierre Curie", "Marie Curie", "Albert Camus",
    "du Général de Gaulle", "du Maréchal Foch", "du Maréchal Leclerc", "Jean Mermoz",
    "Antoine de Saint-Exupéry", "George Sand", "Alphonse Daudet", "Frédéric Mistral",
    "Edmond Rostand", "Jean Racine", "Molière", "Pierre Corneille", "Claude Debussy",
    "Hector Berlioz", "Maurice Ravel", "Camille Saint-Saëns", "Paul Verlaine", "Arthur Rimbaud",
    "Charles Baudelaire", "Guy de Maupassant", "Gustave Flaubert", "Honoré de Balzac",
    "Jules Verne", "Louise Michel", "Simone Veil", "Olympe de Gouges", "Lucie Aubrac",
    "Pierre Mendès France", "Léon Blum", "Jean Zay", "Danton", "Carnot", "Condorcet", "Lamartine",
    "Paul Éluard", "Louis Aragon", "Robert Desnos", "Henri Barbusse", "Romain Rolland",
    "Gabriel Péri", "Pablo Picasso", "Auguste Renoir", "Claude Monet", "Paul Cézanne", "Édith Piaf",
    "Jacques Brel", "Nelson Mandela", "Martin Luther King", "Salvador Allende", "Jean Monnet",
    "Robert Schuman", "Pierre de Coubertin", "de l'Abbé Pierre", "Roger Salengro",
    "Jean-Baptiste Clément", "Jean Macé", "Ferdinand Buisson", "Denis Papin", "Blaise Pascal",
    "René Descartes", "Ampère", "Lavoisier", "Parmentier", "Georges Clemenceau", "Jean Monnet",
    "Joseph Kessel", "Marcel Cerdan", "Henri Matisse", "Gustave Eiffel", "Jean Giono",
    "François Mitterrand", "du Docteur Schweitzer", "du Docteur Roux", "de l'Abbé Grégoire",
];

/// Things and places streets are named after.
#[rustfmt::skip]
const STREET_THINGS: &[&str] = &[
    "de la République", "de la Liberté", "de la Paix", "de la Gare", "de l'Église", "des Écoles",
    "du Moulin", "du Stade", "de la Mairie", "du Château", "de la Fontaine", "du Lavoir",
    "des Lilas", "des Tilleuls", "des Acacias", "des Peupliers", "des Chênes", "des Érables",
    "des Marronniers", "des Rosiers", "des Violettes", "des Mimosas", "des Vignes", "des Vergers",
    "des Prés", "des Champs", "du Bois", "de la Forêt", "du Parc", "des Jardins", "de la Croix",
    "du Calvaire", "du Cimetière", "de la Poste", "du Commerce", "de l'Industrie", "des Artisans",
    "du Four", "de la Forge", "du Pont", "de la Rivière", "du Canal", "des Sources", "du Puits",
    "des Cerisiers", "des Noisetiers", "des Bleuets", "des Coquelicots", "des Glycines",
    "des Hirondelles", "des Alouettes", "des Mésanges", "du Soleil", "de l'Europe", "de Verdun",
    "du 8 Mai 1945", "du 11 Novembre 1918", "du 19 Mars 1962", "du 14 Juillet", "de la Libération",
    "des Anciens Combattants", "des Déportés", "de la Résistance", "Nationale", "Principale",
    "Neuve", "Haute", "Basse", "Centrale", "de Paris", "de Lyon", "d'Orléans", "de Bordeaux",
    "de Nantes", "de Tours", "de Chartres", "de Bourges", "des Platanes", "des Saules",
    "du Vieux Moulin", "de la Vallée", "des Carrières", "des Fauvettes", "des Pinsons", "du Clos",
    "des Roses", "de la Source", "des Sablons",
];

#[rustfmt::skip]
const RESIDENCES: &[&str] = &[
    "LES TILLEULS", "LES CEDRES", "LE PARC", "LES JARDINS", "BEAU SITE", "LES PINS", "LE CLOS",
    "LES ORMEAUX", "LA ROSERAIE", "LES HAUTS DE VILLE", "LE BELVEDERE", "LES CHAMPS FLEURIS",
];

#[rustfmt::skip]
const LOCALITIES: &[&str] = &[
    "LE MOULIN", "LA FERME DES GRANDS CHAMPS", "LES GRANDS CHAMPS", "LE HAMEAU", "LA CROIX BLANCHE",
    "LE PETIT BOIS", "LES GRANGES", "LA BORDE", "LE VAL", "LES VIGNES", "LA MALADRERIE",
];

/// The commune's streets, unique, in their official mixed-case spelling.
/// Named after famous people and things first; once those run out, after
/// local figures (`Rue Marcel Dubois`), as large towns do.
pub(crate) fn commune_streets(rng: &mut GenRng, count: usize, names: &NameSampler) -> Vec<String> {
    let types = Weighted::new(STREET_TYPES.iter().copied());
    let mut seen = HashSet::with_capacity(count);
    let mut streets = Vec::with_capacity(count);
    let mut misses = 0;
    while streets.len() < count {
        let kind = *types.sample(rng);
        let street = if misses < 20 {
            let dedication = if rng.chance(0.5) {
                *rng.pick(STREET_PEOPLE)
            } else {
                *rng.pick(STREET_THINGS)
            };
            format!("{kind} {dedication}")
        } else {
            let sex = if rng.chance(0.7) { Sex::M } else { Sex::F };
            let born = 1900 + rng.between(0, 40) as u16;
            let given = names.given_names(rng, sex, born);
            let first = given.split(' ').next().unwrap_or("Jean").to_string();
            let surname = names.surname_of(rng, Origin::French);
            format!("{kind} {first} {}", title_case(&surname))
        };
        if seen.insert(street.clone()) {
            streets.push(street);
            misses = 0;
        } else {
            misses += 1;
        }
    }
    streets
}

/// `DUBOIS` → `Dubois`, `LE GALL` → `Le Gall`, `SAINT-AMOUR` → `Saint-Amour`.
pub(crate) fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for ch in text.chars() {
        if start {
            out.extend(ch.to_uppercase());
        } else {
            out.extend(ch.to_lowercase());
        }
        start = !ch.is_alphanumeric();
    }
    out
}

/// How the commune's name is spelled across rows of the address columns:
/// registers disagree on case, accents, hyphens and `SAINT`/`ST`.
pub(crate) fn commune_spellings(name: &str) -> Weighted<String> {
    let upper = upper_ascii(name);
    let spaced = upper.replace('-', " ");
    let abbreviated = spaced.replace("SAINTE ", "STE ").replace("SAINT ", "ST ");
    let upper_accented = name.to_uppercase();
    let mut variants = vec![
        (upper, 60.0),
        (spaced, 15.0),
        (abbreviated, 10.0),
        (name.to_string(), 10.0),
        (upper_accented, 5.0),
    ];
    // Identical variants add up rather than repeat.
    variants.dedup_by(|a, b| {
        if a.0 == b.0 {
            b.1 += a.1;
            true
        } else {
            false
        }
    });
    Weighted::new(variants)
}

/// A voter's address on one of the station's streets.
pub(crate) fn voter_address<R: Rng + ?Sized>(
    rng: &mut R,
    street: &str,
    postcode: &str,
    city_spellings: &Weighted<String>,
    surnames: &NameSampler,
) -> Address {
    let mut address = Address::default();
    if rng.chance(0.03) {
        // A hamlet: the lieu-dit stands in for the street half the time.
        address.locality = Some((*rng.pick(LOCALITIES)).to_string());
        if rng.chance(0.5) {
            address.postcode = Some(postcode.to_string());
            address.city = Some(city_spellings.sample(rng).clone());
            return address;
        }
    }
    if rng.chance(0.96) {
        let number = rng.between(1, 180);
        address.number = Some(match rng.below(100) {
            0..=2 => format!("{number} BIS"),
            3 => format!("{number} TER"),
            4 => format!("{number}B"),
            _ => number.to_string(),
        });
    }
    address.street = Some(upper_ascii(street));
    if rng.chance(0.18) {
        address.complement1 = Some(match rng.below(10) {
            0..=2 => format!("APPT {}", rng.between(1, 120)),
            3..=4 => format!("BAT {}", (b'A' + rng.below(6) as u8) as char),
            5..=6 => format!("RESIDENCE {}", rng.pick(RESIDENCES)),
            7 => format!("ESC {}", rng.between(1, 6)),
            8 => format!("LOGEMENT {}", rng.between(1, 60)),
            _ => {
                let title = if rng.chance(0.5) { "M." } else { "MME" };
                format!(
                    "CHEZ {title} {}",
                    upper_ascii(&surnames.surname_of(rng, Origin::French))
                )
            }
        });
        if rng.chance(0.3) {
            address.complement2 = Some(match rng.below(3) {
                0 => format!("ETAGE {}", rng.between(1, 12)),
                1 => format!("PORTE {}", rng.between(1, 40)),
                _ => format!("BAT {}", (b'A' + rng.below(6) as u8) as char),
            });
        }
    }
    address.postcode = Some(postcode.to_string());
    address.city = Some(city_spellings.sample(rng).clone());
    if rng.chance(0.12) {
        address.country = Some("FRANCE".to_string());
    }
    address
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::random::stream_rng;

    #[test]
    fn french_birthplaces_carry_code_and_department() {
        let mut rng = stream_rng(1, 7, 0);
        for _ in 0..500 {
            let place = french_birthplace(&mut rng, "45999", "Saint-Aubin-des-Vergers");
            let code = place.code.expect("born in France has a code");
            assert_eq!(code.len(), 5);
            assert!(code.starts_with(&place.department));
            assert!(place.country == "FRANCE" || place.country == "France");
        }
    }

    #[test]
    fn foreign_birthplaces_use_department_99_and_history() {
        let mut rng = stream_rng(2, 7, 0);
        let place = foreign_birthplace(&mut rng, Origin::Armenian, 1960);
        assert_eq!(place.department, "99");
        assert_eq!(place.code, None);
        assert!(place.country == "U.R.S.S." || place.country == "URSS");
    }

    #[test]
    fn commune_spellings_differ() {
        let table = commune_spellings("Saint-Aubin-des-Vergers");
        let mut rng = stream_rng(3, 7, 0);
        let seen: HashSet<String> = (0..500).map(|_| table.sample(&mut rng).clone()).collect();
        assert!(seen.contains("SAINT-AUBIN-DES-VERGERS"));
        assert!(seen.contains("ST AUBIN DES VERGERS"));
        assert!(seen.contains("Saint-Aubin-des-Vergers"));
    }

    #[test]
    fn streets_are_unique_even_when_many() {
        let names = NameSampler::new();
        let mut rng = stream_rng(4, 7, 0);
        let streets = commune_streets(&mut rng, 5_000, &names);
        let unique: HashSet<&String> = streets.iter().collect();
        assert_eq!(unique.len(), 5_000);
        assert_eq!(upper_ascii("Rue de l'Église"), "RUE DE L'EGLISE");
        assert_eq!(title_case("SAINT-AMOUR"), "Saint-Amour");
    }
}
