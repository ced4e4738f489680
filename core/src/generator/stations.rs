//! The commune's polling stations, planned before any voter is drawn: how
//! many voters each serves, its code, label, building address, canton and
//! constituency, and the streets whose residents vote there.

use super::GeneratorConfig;
use super::names::NameSampler;
use super::places::{commune_streets, upper_ascii};
use super::random::{Draw, GenRng, Weighted};
use crate::model::Station;
use std::collections::HashSet;

/// A polling station of the synthetic commune, known before the roll is
/// generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedStation {
    /// INSEE code of the commune.
    pub commune_code: String,
    /// 4-digit code, `0001`, `0002`...
    pub code: String,
    /// Label as the roll carries it, e.g. `ECOLE ELEMENTAIRE JULES FERRY`.
    pub label: String,
    /// Street address of the building, for the stations file.
    pub address: String,
    /// Canton label (column 25).
    pub canton: String,
    /// Legislative constituency code (column 24).
    pub constituency_code: String,
    /// Number of people registered there (rows may be a few more: EU
    /// citizens on both complementary lists have two).
    pub voters: usize,
}

impl From<&GeneratedStation> for Station {
    fn from(station: &GeneratedStation) -> Station {
        Station {
            commune_code: Some(station.commune_code.clone()),
            commune_name: None,
            code: station.code.clone(),
            label: station.label.clone(),
            address: Some(station.address.clone()),
            voter_count: station.voters as u64,
        }
    }
}

impl From<&GeneratedStation> for crate::stations::StationInfo {
    fn from(station: &GeneratedStation) -> Self {
        crate::stations::StationInfo {
            commune: Some(station.commune_code.clone()),
            commune_name: None,
            code: station.code.clone(),
            label: station.label.clone(),
            address: Some(station.address.clone()),
            line: 0,
        }
    }
}

/// A station and the streets it serves (indices into the commune's streets).
#[derive(Debug, Clone)]
pub(crate) struct StationPlan {
    pub(crate) station: GeneratedStation,
    pub(crate) streets: Vec<usize>,
}

/// Residents per street, to size the commune's street list.
const VOTERS_PER_STREET: usize = 150;

/// Building kinds that host polling stations, with a rough weight.
#[rustfmt::skip]
const BUILDING_KINDS: &[(&str, f64)] = &[
    ("ECOLE ELEMENTAIRE", 22.0), ("ECOLE MATERNELLE", 12.0), ("GROUPE SCOLAIRE", 16.0),
    ("ECOLE PRIMAIRE", 8.0), ("COLLEGE", 5.0), ("LYCEE", 2.0), ("GYMNASE", 7.0),
    ("SALLE POLYVALENTE", 5.0), ("MAISON DES ASSOCIATIONS", 3.0), ("CENTRE SOCIAL", 3.0),
    ("MAISON DE QUARTIER", 4.0), ("FOYER MUNICIPAL", 2.0), ("CENTRE CULTUREL", 2.0),
    ("COMPLEXE SPORTIF", 2.0), ("BIBLIOTHEQUE", 1.0),
];

/// Names given to schools and halls.
#[rustfmt::skip]
const BUILDING_NAMES: &[&str] = &[
    "JULES FERRY", "JEAN JAURES", "VICTOR HUGO", "PAUL BERT", "JEAN MOULIN", "LOUIS PASTEUR",
    "JEAN MACE", "JACQUES PREVERT", "MARIE CURIE", "ANATOLE FRANCE", "JEAN DE LA FONTAINE",
    "PIERRE ET MARIE CURIE", "ALBERT CAMUS", "ANNE FRANK", "JULES VERNE", "CHARLES PERRAULT",
    "SAINT-EXUPERY", "GEORGE SAND", "VOLTAIRE", "LOUISE MICHEL", "JEAN ZAY", "PABLO PICASSO",
    "ROBERT DESNOS", "PAUL ELUARD", "LEO LAGRANGE", "PIERRE DE COUBERTIN", "MARCEL PAGNOL",
    "LES TILLEULS", "LES COQUELICOTS", "LES PEUPLIERS", "DU CENTRE", "DES BRUYERES",
    "LES MARRONNIERS", "LES LILAS", "DU PARC", "DES CHAMPS", "LES ACACIAS", "JEAN ROSTAND",
    "CONDORCET", "LAMARTINE", "JEAN GIONO", "FREDERIC MISTRAL", "ALPHONSE DAUDET", "EMILE ZOLA",
    "PAUL LANGEVIN", "HENRI WALLON", "ARISTIDE BRIAND", "JEAN MERMOZ", "SIMONE VEIL",
    "LUCIE AUBRAC", "NELSON MANDELA", "CHARLES DE GAULLE", "JEAN MONNET", "ROBERT SCHUMAN",
    "LES GENETS", "LES VIGNES", "LA FONTAINE", "LE BOIS JOLI", "LES SABLONS", "LA ROSERAIE",
    "CLAUDE DEBUSSY", "MAURICE RAVEL", "GUSTAVE EIFFEL", "DENIS DIDEROT", "JEAN RACINE", "MOLIERE",
    "BLAISE PASCAL", "RENE DESCARTES", "JOLIOT-CURIE", "LOUIS ARAGON", "ELSA TRIOLET",
    "FRANCOISE DOLTO", "MARIA MONTESSORI", "THEODORE MONOD", "HUBERT REEVES", "JACQUES BREL",
    "GEORGES BRASSENS", "EDITH PIAF", "ROMAIN ROLLAND", "ANDRE MALRAUX", "PIERRE BROSSOLETTE",
];

/// Plans the stations of a commune: counts summing to the configured voters,
/// codes, labels, buildings, cantons and streets.
pub(crate) fn plan_stations(
    rng: &mut GenRng,
    config: &GeneratorConfig,
    names: &NameSampler,
) -> (Vec<StationPlan>, Vec<String>) {
    if config.voters == 0 {
        return (Vec::new(), Vec::new());
    }
    let per_station = config.voters_per_station.max(1);
    let count = ((config.voters + per_station / 2) / per_station).clamp(1, 9_999);
    let voters = split_voters(rng, config.voters, count);

    let streets_per_station: Vec<usize> = voters
        .iter()
        .map(|&v| (v / VOTERS_PER_STREET).max(2))
        .collect();
    let total_streets = streets_per_station.iter().sum();
    let streets = commune_streets(rng, total_streets, names);

    let labels = station_labels(rng, count);
    let commune_upper = upper_ascii(&config.commune_name);
    let cantons = count.div_ceil(30);
    let department =
        crate::commune::departement_of(&config.commune_code).unwrap_or(&config.commune_code);

    let mut plans = Vec::with_capacity(count);
    let mut next_street = 0;
    for (index, (&voters, &street_count)) in voters.iter().zip(&streets_per_station).enumerate() {
        let own_streets: Vec<usize> = (next_street..next_street + street_count).collect();
        next_street += street_count;
        let building_street = &streets[own_streets[rng.below(own_streets.len())]];
        let address = format!(
            "{} {}, {} {}",
            rng.between(1, 60),
            building_street,
            config.postcode,
            config.commune_name
        );
        let canton = if cantons == 1 {
            commune_upper.clone()
        } else {
            format!("{commune_upper}-{}", index * cantons / count + 1)
        };
        // A constituency holds roughly 120 of a city's stations.
        let constituency = index / 120 + 1;
        plans.push(StationPlan {
            station: GeneratedStation {
                commune_code: config.commune_code.clone(),
                code: format!("{:04}", index + 1),
                label: labels[index].clone(),
                address,
                canton,
                constituency_code: format!("{department}{constituency:02}"),
                voters,
            },
            streets: own_streets,
        });
    }
    (plans, streets)
}

/// Splits `total` voters among `count` stations, each within about ±25 % of
/// the mean, summing exactly to `total`.
fn split_voters(rng: &mut GenRng, total: usize, count: usize) -> Vec<usize> {
    let weights: Vec<f64> = (0..count).map(|_| 0.75 + 0.5 * rng.unit()).collect();
    let sum: f64 = weights.iter().sum();
    let mut voters: Vec<usize> = weights
        .iter()
        .map(|w| (total as f64 * w / sum).floor() as usize)
        .collect();
    let assigned: usize = voters.iter().sum();
    for slot in voters.iter_mut().take(total - assigned) {
        *slot += 1;
    }
    debug_assert_eq!(voters.iter().sum::<usize>(), total);
    voters
}

/// Unique labels: the town hall first, then schools and halls, some hosting
/// two or three stations (`GROUPE SCOLAIRE PAUL BERT - SALLE 2`).
fn station_labels(rng: &mut GenRng, count: usize) -> Vec<String> {
    let kinds = Weighted::new(BUILDING_KINDS.iter().copied());
    let mut used: HashSet<String> = HashSet::new();
    let mut labels = Vec::with_capacity(count);
    let mut building_number = 0;
    while labels.len() < count {
        let building = match building_number {
            0 => (if rng.chance(0.5) {
                "HOTEL DE VILLE"
            } else {
                "MAIRIE"
            })
            .to_string(),
            3 => "SALLE DES FETES".to_string(),
            _ => {
                let mut attempt = 0;
                loop {
                    let candidate = format!("{} {}", kinds.sample(rng), rng.pick(BUILDING_NAMES));
                    attempt += 1;
                    if !used.contains(&candidate) {
                        break candidate;
                    }
                    if attempt > 30 {
                        break format!("{candidate} {}", building_number + 1);
                    }
                }
            }
        };
        used.insert(building.clone());
        building_number += 1;
        let remaining = count - labels.len();
        let hosted = match rng.below(100) {
            0..=59 => 1,
            60..=89 => 2,
            _ => 3,
        }
        .min(remaining);
        if hosted == 1 {
            labels.push(building);
        } else {
            for room in 1..=hosted {
                labels.push(format!("{building} - SALLE {room}"));
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::random::stream_rng;

    #[test]
    fn voters_split_exactly_and_evenly() {
        let mut rng = stream_rng(1, 5, 0);
        let voters = split_voters(&mut rng, 100_003, 100);
        assert_eq!(voters.iter().sum::<usize>(), 100_003);
        assert!(
            voters.iter().all(|&v| (700..=1_300).contains(&v)),
            "{voters:?}"
        );
    }

    #[test]
    fn labels_are_unique() {
        let mut rng = stream_rng(2, 5, 0);
        let labels = station_labels(&mut rng, 1_000);
        let unique: HashSet<&String> = labels.iter().collect();
        assert_eq!(unique.len(), 1_000);
        assert!(labels[0].starts_with("MAIRIE") || labels[0].starts_with("HOTEL DE VILLE"));
    }
}
