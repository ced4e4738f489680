//! Tests of the roll reader, one per quirk of the export format. Every roll
//! here is built in the test; none comes from a real file.

use super::*;
use crate::model::BirthDate;

/// The 27 headers of the REU export, in order.
const HEADERS: [&str; 27] = [
    "code du l'ugle",
    "libellé de l'ugle",
    "libellé du type de liste",
    "nom de naissance",
    "nom d'usage",
    "prénoms",
    "sexe",
    "date de naissance",
    "code commune de naissance",
    "libellé commune de naissance",
    "code département de naissance",
    "pays de naissance",
    "libellé nationalité",
    "numéro de voie",
    "libellé de voie",
    "complément 1",
    "complément 2",
    "lieu-dit",
    "code postal",
    "commune",
    "pays",
    "code du bureau de vote",
    "libellé du bureau de vote",
    "code circonscription législative du bureau de vote",
    "libellé canton du bureau de vote",
    "libellé circonscription métropolitaine du bureau de vote",
    "numéro d'ordre dans le bureau de vote",
];

/// A made-up voter, one value per column.
const BASE_ROW: [&str; 27] = [
    "92049",
    "Montrouge",
    "Liste principale",
    "MARTIN",
    "",
    "Jean-Pierre Marie",
    "M",
    "14/03/1962",
    "75056",
    "Paris",
    "75",
    "FRANCE",
    "Française",
    "12",
    "RUE DES LILAS",
    "",
    "",
    "",
    "92120",
    "MONTROUGE",
    "FRANCE",
    "0001",
    "ECOLE ELEMENTAIRE JULES FERRY",
    "9211",
    "MONTROUGE",
    "11e circonscription",
    "42",
];

/// Writes fields as the export does: every non-empty field quoted except the
/// last, empty fields as nothing.
fn export_line(fields: &[&str]) -> String {
    let last = fields.len() - 1;
    let written: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            if field.is_empty() || index == last {
                field.to_string()
            } else {
                format!("\"{}\"", field.replace('"', "\"\""))
            }
        })
        .collect();
    written.join(";")
}

/// The base voter with some columns (numbered 1–27 as in the format note)
/// changed.
fn row(changes: &[(usize, &str)]) -> String {
    let mut fields = BASE_ROW;
    for &(column, value) in changes {
        fields[column - 1] = value;
    }
    export_line(&fields)
}

/// A roll with the export's header and these data lines.
fn roll(rows: &[String]) -> String {
    let mut text = export_line(&HEADERS);
    text.push('\n');
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn open(bytes: &[u8], encoding: Encoding) -> Result<RollReader<&[u8]>, RollError> {
    RollReader::from_reader("roll.csv", bytes, &ReaderOptions { encoding })
}

/// Good rows (with their lines) and bad rows of a roll read in auto mode.
fn read_all(text: &str) -> (Vec<(u64, RollRow)>, Vec<BadRow>) {
    read_bytes(text.as_bytes(), Encoding::Auto)
}

fn read_bytes(bytes: &[u8], encoding: Encoding) -> (Vec<(u64, RollRow)>, Vec<BadRow>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for item in open(bytes, encoding).unwrap() {
        match item {
            Ok(row) => good.push(row),
            Err(RollError::BadRow(row)) => bad.push(row),
            Err(fatal) => panic!("fatal error: {fatal}"),
        }
    }
    (good, bad)
}

fn single_row(text: &str) -> RollRow {
    let (good, bad) = read_all(text);
    assert!(bad.is_empty(), "bad rows: {bad:?}");
    assert_eq!(good.len(), 1);
    good.into_iter().next().unwrap().1
}

fn single_bad_row(text: &str) -> BadRow {
    let (good, bad) = read_all(text);
    assert!(good.is_empty(), "good rows: {good:?}");
    assert_eq!(bad.len(), 1);
    bad.into_iter().next().unwrap()
}

fn the_base_voter() -> RollRow {
    RollRow {
        commune_code: Some("92049".into()),
        commune_name: Some("Montrouge".into()),
        birth_name: "MARTIN".into(),
        usage_name: None,
        first_names: "Jean-Pierre Marie".into(),
        sex: Some(Sex::M),
        birth_date: BirthDate::Full {
            year: 1962,
            month: 3,
            day: 14,
        },
        birth_place_code: Some("75056".into()),
        birth_place: Some("Paris".into()),
        birth_department: Some("75".into()),
        birth_country: Some("FRANCE".into()),
        nationality: Some("Française".into()),
        address: Address {
            number: Some("12".into()),
            street: Some("RUE DES LILAS".into()),
            complement1: None,
            complement2: None,
            locality: None,
            postcode: Some("92120".into()),
            city: Some("MONTROUGE".into()),
            country: Some("FRANCE".into()),
        },
        membership: Membership {
            list: ListKind::Principal,
            station_code: Some("0001".into()),
            station_label: Some("ECOLE ELEMENTAIRE JULES FERRY".into()),
            constituency_code: Some("9211".into()),
            canton: Some("MONTROUGE".into()),
            constituency_label: Some("11e circonscription".into()),
            order_number: Some(42),
        },
    }
}

#[test]
fn a_line_in_the_exports_own_quoting_is_read_in_full() {
    // Written out by hand: quoted fields, nothing for empty ones, the order
    // number unquoted at the end.
    let line = concat!(
        r#""92049";"Montrouge";"Liste principale";"MARTIN";;"Jean-Pierre Marie";"M";"14/03/1962";"#,
        r#""75056";"Paris";"75";"FRANCE";"Française";"12";"RUE DES LILAS";;;;"92120";"MONTROUGE";"#,
        r#""FRANCE";"0001";"ECOLE ELEMENTAIRE JULES FERRY";"9211";"MONTROUGE";"11e circonscription";42"#,
    );
    assert_eq!(line, row(&[]));
    let (good, bad) = read_all(&roll(&[line.to_string()]));
    assert!(bad.is_empty());
    assert_eq!(good, [(2, the_base_voter())]);
}

#[test]
fn crlf_line_ends_and_unquoted_fields_are_read_too() {
    let unquoted = BASE_ROW.join(";");
    let text = roll(&[unquoted]).replace('\n', "\r\n");
    assert_eq!(single_row(&text), the_base_voter());
}

#[test]
fn headers_are_found_by_name_in_any_order_and_spelling() {
    let spellings: [&str; 27] = [
        "Code de l'UGLE",
        "LIBELLE DE L'UGLE",
        "  Libelle du type de liste ",
        "NOM DE NAISSANCE",
        "Nom d’usage",
        "Prenoms",
        "Sexe",
        "Date de Naissance",
        "code commune de naissance",
        "libelle commune de naissance",
        "code departement de naissance",
        "pays de naissance",
        "identifiant nationalité",
        "numero de voie",
        "libelle de voie",
        "complement 1",
        "complement 2",
        "lieu dit",
        "code postal",
        "commune",
        "pays",
        "CODE DU BUREAU DE VOTE",
        "libelle du bureau de vote",
        "circonscription législative du bureau de vote",
        "code canton du bureau de vote",
        "libellé circonscription métropolitaine du bureau de vote",
        "Numéro d'ordre dans le bureau de vote",
    ];
    // Reverse the columns: position must not matter.
    let order: Vec<usize> = (0..27).rev().collect();
    let header: Vec<&str> = order.iter().map(|&i| spellings[i]).collect();
    let values: Vec<&str> = order.iter().map(|&i| BASE_ROW[i]).collect();
    let text = format!("{}\n{}\n", export_line(&header), export_line(&values));
    assert_eq!(single_row(&text), the_base_voter());
}

#[test]
fn a_comma_separated_export_is_read() {
    let header = HEADERS.map(|h| format!("\"{h}\"")).join(",");
    let mut fields = BASE_ROW;
    fields[14] = "RUE DU 8 MAI 1945, BAT. B; ESC. 2";
    let values: Vec<String> = fields.iter().map(|f| format!("\"{f}\"")).collect();
    let text = format!("{header}\n{}\n", values.join(","));
    let reader = open(text.as_bytes(), Encoding::Auto).unwrap();
    assert_eq!(reader.delimiter(), ',');
    let rows: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(
        rows[0].1.address.street.as_deref(),
        Some("RUE DU 8 MAI 1945, BAT. B; ESC. 2")
    );
}

#[test]
fn a_missing_required_column_is_named_with_the_file() {
    let header: Vec<&str> = HEADERS
        .iter()
        .copied()
        .filter(|h| *h != "prénoms" && *h != "numéro d'ordre dans le bureau de vote")
        .collect();
    let text = format!("{}\n", export_line(&header));
    let error = open(text.as_bytes(), Encoding::Auto).err().unwrap();
    let RollError::MissingColumns { missing, .. } = &error else {
        panic!("unexpected error {error}");
    };
    assert_eq!(
        missing,
        &["prénoms", "numéro d'ordre dans le bureau de vote"]
    );
    let message = error.to_string();
    assert!(message.starts_with("roll.csv: missing required column(s) `prénoms`, `numéro d'ordre dans le bureau de vote`"), "{message}");
    assert!(message.contains("`nom de naissance`"), "{message}");
}

#[test]
fn unknown_columns_are_ignored_and_listed() {
    let mut header = HEADERS.to_vec();
    header.insert(3, "identifiant électeur");
    let mut values = BASE_ROW.to_vec();
    values.insert(3, "123456789");
    let text = format!("{}\n{}\n", export_line(&header), export_line(&values));
    let reader = open(text.as_bytes(), Encoding::Auto).unwrap();
    assert_eq!(reader.ignored_columns(), ["identifiant électeur"]);
    let rows: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(rows[0].1, the_base_voter());
}

#[test]
fn a_utf8_bom_is_stripped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(roll(&[row(&[])]).as_bytes());
    let (good, bad) = read_bytes(&bytes, Encoding::Auto);
    assert!(bad.is_empty());
    // The first header is recognised, so the BOM did not stick to it.
    assert_eq!(good[0].1.commune_code.as_deref(), Some("92049"));
    let (good, _) = read_bytes(&bytes, Encoding::Utf8);
    assert_eq!(good[0].1, the_base_voter());
}

fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn windows_1252_is_refused_in_auto_mode_with_a_clear_message() {
    let text = roll(&[row(&[(4, "ÉLÉONORE-BLIN"), (6, "Zoé")])]);
    let error = open(&windows_1252(&text), Encoding::Auto).err().unwrap();
    let RollError::Encoding { line, .. } = &error else {
        panic!("unexpected error {error}");
    };
    // The header's accents are already Windows-1252.
    assert_eq!(*line, Some(1));
    let message = error.to_string();
    assert!(
        message.starts_with("roll.csv: not UTF-8: line 1"),
        "{message}"
    );
    assert!(message.contains("Windows-1252/Latin-1"), "{message}");
    assert!(message.contains("encoding windows-1252"), "{message}");
    assert!(message.contains("libellé de l'ugle"), "{message}");

    // Same with an ASCII header: the first accented row is named.
    let ascii_header = HEADERS.map(|h| fold(h).to_lowercase());
    let text = format!(
        "{}\n{}\n{}\n",
        export_line(&ascii_header.each_ref().map(String::as_str)),
        row(&[(13, "FRANCAISE")]),
        row(&[(4, "DUPRÉ")])
    );
    let message = open(&windows_1252(&text), Encoding::Auto)
        .err()
        .unwrap()
        .to_string();
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("DUPRÉ"), "{message}");

    // Told it is UTF-8, the reader still refuses a header it cannot read.
    let text = roll(&[row(&[])]);
    let error = open(&windows_1252(&text), Encoding::Utf8).err().unwrap();
    assert!(
        matches!(error, RollError::Encoding { line: Some(1), .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("encoding windows-1252"),
        "{error}"
    );
}

#[test]
fn windows_1252_is_read_correctly_when_asked_for() {
    let text = roll(&[
        row(&[(4, "ÉLÉONORE-BLIN"), (6, "Zoé Anaïs")]),
        row(&[(4, "SCHÖNBERGER"), (5, "DUPRÉ"), (6, "Jérôme")]),
    ]);
    let (good, bad) = read_bytes(&windows_1252(&text), Encoding::Windows1252);
    assert!(bad.is_empty());
    let names: Vec<_> = good
        .iter()
        .map(|(_, r)| {
            (
                r.birth_name.as_str(),
                r.usage_name.as_deref(),
                r.first_names.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("ÉLÉONORE-BLIN", None, "Zoé Anaïs"),
            ("SCHÖNBERGER", Some("DUPRÉ"), "Jérôme")
        ]
    );
    assert_eq!(good[0].1.nationality.as_deref(), Some("Française"));
    let bytes = windows_1252(&text);
    let reader = open(&bytes, Encoding::Windows1252).unwrap();
    assert_eq!(reader.encoding(), Encoding::Windows1252);
}

#[test]
fn windows_1252_without_a_final_newline_is_read_to_its_end() {
    // Found by fuzzing (fuzz/fuzz_targets/reu.rs): the line reader asks for
    // more after the end of the file, and the decoder, once finished, was
    // asked to decode again, which panics.
    let mut text = roll(&[row(&[(4, "DUPRÉ")]), row(&[(4, "ÉLÉONORE")])]);
    assert_eq!(text.pop(), Some('\n'));
    let (good, bad) = read_bytes(&windows_1252(&text), Encoding::Windows1252);
    assert!(bad.is_empty(), "{bad:?}");
    let names: Vec<_> = good.iter().map(|(_, r)| r.birth_name.as_str()).collect();
    assert_eq!(names, ["DUPRÉ", "ÉLÉONORE"]);
}

#[test]
fn windows_1252_is_refused_for_a_file_that_is_utf8() {
    let text = roll(&[row(&[(4, "ÉLÉONORE-BLIN")])]);
    let message = open(text.as_bytes(), Encoding::Windows1252)
        .err()
        .unwrap()
        .to_string();
    assert!(message.contains("valid UTF-8"), "{message}");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(text.as_bytes());
    assert!(open(&with_bom, Encoding::Windows1252).is_err());
}

#[test]
fn utf16_is_refused() {
    let error = open(b"\xFF\xFEc\0o\0d\0e\0", Encoding::Auto).err().unwrap();
    assert!(error.to_string().contains("UTF-16"), "{error}");
}

#[test]
fn birth_dates_keep_what_is_known() {
    fn check(date: &str, expected: BirthDate) {
        let voter = single_row(&roll(&[row(&[(8, date)])]));
        assert_eq!(voter.birth_date, expected, "{date:?}");
    }
    check("00/00/1953", BirthDate::Year(1953));
    check(
        "00/07/1953",
        BirthDate::YearMonth {
            year: 1953,
            month: 7,
        },
    );
    check("1961", BirthDate::Year(1961));
    check("", BirthDate::Unknown);
    check(
        "29/02/2000",
        BirthDate::Full {
            year: 2000,
            month: 2,
            day: 29,
        },
    );
}

#[test]
fn an_impossible_date_makes_a_bad_row_with_its_line() {
    let text = roll(&[row(&[]), row(&[(8, "31/02/1990")]), row(&[(8, "abc")])]);
    let (good, bad) = read_all(&text);
    assert_eq!(good.len(), 1);
    let messages: Vec<String> = bad.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "roll.csv:3: invalid `date de naissance` \"31/02/1990\": no such day in that month",
            "roll.csv:4: invalid `date de naissance` \"abc\": expected dd/mm/yyyy or a year",
        ]
    );
    // The report keeps what finds the row, never the address, birthplace
    // or nationality.
    let shown = bad[0].identifiers.clone().expect("the fields line up");
    let expected: Vec<(String, String)> = [
        ("libellé du type de liste", "Liste principale"),
        ("nom de naissance", "MARTIN"),
        ("prénoms", "Jean-Pierre Marie"),
        ("code du bureau de vote", BASE_ROW[21]),
        ("numéro d'ordre dans le bureau de vote", BASE_ROW[26]),
    ]
    .iter()
    .map(|(header, value)| (header.to_string(), value.to_string()))
    .collect();
    assert_eq!(shown, expected);
    for private in ["RUE DES LILAS", "Paris", "Française", "92120"] {
        assert!(
            shown.iter().all(|(_, value)| value != private),
            "{private} in {shown:?}"
        );
    }
}

#[test]
fn an_eu_citizen_on_both_complementary_lists_gives_two_rows() {
    let citizen = [
        (4, "KOWALSKA"),
        (6, "Agnieszka"),
        (13, "Polonaise"),
        (7, "F"),
    ];
    let mut municipal = citizen.to_vec();
    municipal.extend([(3, "Liste complémentaire municipale"), (27, "7")]);
    let mut european = citizen.to_vec();
    european.extend([(3, "Liste complémentaire européenne"), (27, "8")]);
    let (good, bad) = read_all(&roll(&[row(&municipal), row(&european)]));
    assert!(bad.is_empty());
    let lists: Vec<_> = good
        .iter()
        .map(|(line, r)| (*line, r.birth_name.as_str(), r.membership.list.clone()))
        .collect();
    assert_eq!(
        lists,
        [
            (2, "KOWALSKA", ListKind::MunicipalComplementary),
            (3, "KOWALSKA", ListKind::EuropeanComplementary),
        ]
    );
}

#[test]
fn homonyms_and_a_repeated_order_number_are_all_kept() {
    let text = roll(&[
        row(&[(27, "10")]),
        row(&[(22, "0002"), (23, "GYMNASE"), (27, "10")]),
        row(&[(4, "PETIT"), (27, "10")]),
    ]);
    let (good, bad) = read_all(&text);
    assert!(bad.is_empty());
    let keys: Vec<_> = good
        .iter()
        .map(|(_, r)| {
            (
                r.birth_name.as_str(),
                r.membership.station_code.as_deref(),
                r.membership.order_number,
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("MARTIN", Some("0001"), Some(10)),
            ("MARTIN", Some("0002"), Some(10)),
            ("PETIT", Some("0001"), Some(10)),
        ]
    );
    // The two MARTINs are the same identity, different people.
    assert_eq!(good[0].1.birth_date, good[1].1.birth_date);
}

#[test]
fn a_voter_without_a_station_is_kept_and_counted() {
    let no_station = [(22, ""), (23, ""), (24, ""), (25, ""), (26, ""), (27, "")];
    let text = roll(&[row(&no_station), row(&[])]);
    assert!(row(&no_station).ends_with("\"FRANCE\";;;;;;"));
    let mut rows = Vec::new();
    let summary = read_roll(
        open(text.as_bytes(), Encoding::Auto).unwrap(),
        BadRowPolicy::Fail,
        |line, row| rows.push((line, row)),
    )
    .unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(summary.rows_without_station, 1);
    let membership = &rows[0].1.membership;
    assert_eq!(membership.station_code, None);
    assert_eq!(membership.station_label, None);
    assert_eq!(membership.order_number, None);
    assert_eq!(rows[0].1.birth_name, "MARTIN");
}

#[test]
fn a_usage_name_equal_to_the_birth_name_is_kept() {
    let voter = single_row(&roll(&[row(&[(4, "DURAND"), (5, "DURAND")])]));
    assert_eq!(voter.birth_name, "DURAND");
    assert_eq!(voter.usage_name.as_deref(), Some("DURAND"));
    let voter = single_row(&roll(&[row(&[(5, "DUPONT-MARTIN")])]));
    assert_eq!(voter.usage_name.as_deref(), Some("DUPONT-MARTIN"));
}

#[test]
fn surnames_with_particles_and_punctuation_are_read_verbatim() {
    let surnames = [
        "DE LA ROCHEFOUCAULD",
        "LE GALL",
        "D'ALMEIDA",
        "N'DIAYE",
        "VAN DER MEULEN",
        "O'SULLIVAN",
        "SAINT-AMOUR",
        "ÉLÉONORE-BLIN",
        "SCHÖNBERGER",
        "TRAN VAN",
    ];
    let rows: Vec<String> = surnames.iter().map(|name| row(&[(4, name)])).collect();
    let (good, bad) = read_all(&roll(&rows));
    assert!(bad.is_empty());
    let read: Vec<&str> = good.iter().map(|(_, r)| r.birth_name.as_str()).collect();
    assert_eq!(read, surnames);
}

#[test]
fn a_quote_inside_a_field_survives() {
    let voter = single_row(&roll(&[row(&[(17, "RÉSIDENCE \"LES PINS\"")])]));
    assert_eq!(
        voter.address.complement2.as_deref(),
        Some("RÉSIDENCE \"LES PINS\"")
    );
}

#[test]
fn sex_given_names_and_order_numbers_follow_their_rules() {
    fn sex_of(value: &str) -> Option<Sex> {
        single_row(&roll(&[row(&[(7, value)])])).sex
    }
    assert_eq!(sex_of("M"), Some(Sex::M));
    assert_eq!(sex_of("f"), Some(Sex::F));
    assert_eq!(sex_of("X"), None);
    assert_eq!(sex_of(""), None);

    assert_eq!(single_row(&roll(&[row(&[(6, "")])])).first_names, "");
    assert_eq!(
        single_row(&roll(&[row(&[(27, "007")])]))
            .membership
            .order_number,
        Some(7)
    );
    assert_eq!(
        single_row(&roll(&[row(&[(27, "")])]))
            .membership
            .order_number,
        None
    );

    let bad = single_bad_row(&roll(&[row(&[(27, "12a")])]));
    assert_eq!(
        bad.to_string(),
        "roll.csv:2: invalid `numéro d'ordre dans le bureau de vote` \"12a\": not a whole number"
    );
    let bad = single_bad_row(&roll(&[row(&[(4, "")])]));
    assert_eq!(bad.to_string(), "roll.csv:2: empty `nom de naissance`");
}

#[test]
fn broken_rows_are_reported_with_file_and_line_and_reading_goes_on() {
    let short = export_line(&BASE_ROW[..25]);
    // The last quoted field lacks its closing quote: the line ends inside it.
    let unterminated = row(&[]).replacen("circonscription\"", "circonscription", 1);
    // A closing quote lost mid-line shifts the fields instead.
    let unbalanced = row(&[]).replacen("\"MARTIN\"", "\"MARTIN", 1);
    let text = roll(&[
        row(&[]),
        short,
        unterminated,
        unbalanced,
        row(&[(4, "PETIT")]),
    ]);
    let (good, bad) = read_all(&text);
    let lines: Vec<_> = good
        .iter()
        .map(|(line, r)| (*line, r.birth_name.as_str()))
        .collect();
    assert_eq!(lines, [(2, "MARTIN"), (6, "PETIT")]);
    let messages: Vec<String> = bad.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "roll.csv:3: expected 27 fields, found 25",
            "roll.csv:4: unterminated quoted field",
            "roll.csv:5: expected 27 fields, found 25 (unbalanced quotes)",
        ]
    );
    // Fields that do not line up with the header are not shown at all.
    assert!(bad.iter().all(|bad| bad.identifiers.is_none()), "{bad:?}");
}

#[test]
fn trailing_empty_fields_are_tolerated_but_not_extra_values() {
    let text = roll(&[format!("{};", row(&[])), format!("{};X", row(&[]))]);
    let (good, bad) = read_all(&text);
    assert_eq!(good.len(), 1);
    assert_eq!(
        bad[0].to_string(),
        "roll.csv:3: expected 27 fields, found 28"
    );
}

/// `line` as bytes with every `#` replaced by `byte`.
fn with_byte(line: &str, byte: u8) -> Vec<u8> {
    line.bytes()
        .map(|b| if b == b'#' { byte } else { b })
        .collect()
}

#[test]
fn invalid_utf8_in_a_utf8_file_is_a_bad_row() {
    let mut bytes = roll(&[row(&[(4, "ÉLÉONORE")])]).into_bytes();
    bytes.extend(with_byte(&row(&[(4, "DUPR#")]), 0xC9));
    bytes.push(b'\n');
    bytes.extend_from_slice(row(&[(4, "PETIT")]).as_bytes());

    // Auto accepts the file: its accents are mostly well-formed UTF-8.
    for encoding in [Encoding::Auto, Encoding::Utf8] {
        let (good, bad) = read_bytes(&bytes, encoding);
        let names: Vec<_> = good
            .iter()
            .map(|(line, r)| (*line, r.birth_name.as_str()))
            .collect();
        assert_eq!(names, [(2, "ÉLÉONORE"), (4, "PETIT")]);
        assert_eq!(
            bad[0].to_string(),
            "roll.csv:3: invalid UTF-8 in field 4 (`nom de naissance`); is this row Windows-1252?"
        );
        assert_eq!(bad[0].identifiers, None);
    }
}

#[test]
fn invalid_utf8_past_the_sniffed_start_is_a_bad_row_in_auto_mode() {
    let filler: Vec<String> = (0..input::SNIFF_LEN / 200 + 10).map(|_| row(&[])).collect();
    let mut bytes = roll(&filler).into_bytes();
    assert!(bytes.len() > input::SNIFF_LEN);
    bytes.extend(with_byte(&row(&[(4, "DUPR#")]), 0xC9));
    bytes.push(b'\n');
    let (good, bad) = read_bytes(&bytes, Encoding::Auto);
    assert_eq!(good.len(), filler.len());
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, filler.len() as u64 + 2);
    assert!(bad[0].reason.contains("invalid UTF-8"), "{}", bad[0].reason);
}

#[test]
fn read_roll_stops_at_the_first_bad_row_under_fail_and_collects_under_skip() {
    let text = roll(&[
        row(&[]),
        row(&[(8, "99/99/1999")]),
        row(&[(4, "PETIT")]),
        row(&[(27, "x")]),
        row(&[(4, "DUBOIS")]),
    ]);
    let mut seen = Vec::new();
    let error = read_roll(
        open(text.as_bytes(), Encoding::Auto).unwrap(),
        BadRowPolicy::Fail,
        |line, _| seen.push(line),
    )
    .unwrap_err();
    assert_eq!(seen, [2]);
    assert!(error.is_bad_row());
    assert!(error.to_string().starts_with("roll.csv:3: "), "{error}");

    let mut seen = Vec::new();
    let summary = read_roll(
        open(text.as_bytes(), Encoding::Auto).unwrap(),
        BadRowPolicy::Skip,
        |line, _| seen.push(line),
    )
    .unwrap();
    assert_eq!(seen, [2, 4, 6]);
    assert_eq!(summary.rows, 3);
    let skipped: Vec<u64> = summary.skipped.iter().map(|bad| bad.line).collect();
    assert_eq!(skipped, [3, 5]);
}

#[test]
fn an_empty_file_is_fatal_and_a_header_alone_gives_no_rows() {
    for empty in ["", "\n\n", "\u{FEFF}"] {
        let error = open(empty.as_bytes(), Encoding::Auto).err().unwrap();
        assert_eq!(error.to_string(), "roll.csv: empty file, no header line");
    }
    let (good, bad) = read_all(&roll(&[]));
    assert!(good.is_empty() && bad.is_empty());
}

#[test]
fn blank_lines_are_skipped_and_line_numbers_stay_physical() {
    let text = format!(
        "{}\n\n{}\n   \n{}\n",
        export_line(&HEADERS),
        row(&[]),
        row(&[(4, "PETIT")])
    );
    let (good, _) = read_all(&text);
    let lines: Vec<u64> = good.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [3, 5]);
}

#[test]
fn a_column_given_twice_is_fatal() {
    let mut header = HEADERS.to_vec();
    header.push("Prenoms");
    let error = open(export_line(&header).as_bytes(), Encoding::Auto)
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        "roll.csv: column `prénoms` appears twice in the header (fields 6 and 28)"
    );
}

#[test]
fn the_older_e_listelec_format_is_read() {
    let header = "TypeListe;InfoListe;DateCreationListe;CodeDepartement;CodeCommune;NomCommune;\
                  NoElecteurGeneral;Sexe;NomdeNaissance;NomDusage;Prenoms;DateDeNaissance;\
                  NomComNaissance;DeptNaissance;PaysNaissance;Nationalite;NomBureauDeVote;\
                  NoBureauDeVote;CodeCanton;CodeCirconscription;ComplementDeLocalisation1;\
                  ComplementDeLocalisation2;NumeroVoie;TypeVoie;LibelleVoie;LieuDit;CodePostal;\
                  VilleLocalite;Pays";
    let line = "Liste générale;Liste électorale;01/03/2017;92;92049;MONTROUGE;1534;F;\
                N'DIAYE;MARTIN;Awa;02/05/1980;DAKAR;99;SENEGAL;Française;MAIRIE;0003;9212;11;\
                APPT 4;;7;RUE;DES LILAS;;92120;MONTROUGE;FRANCE";
    let voter = single_row(&format!("{header}\n{line}\n"));
    assert_eq!(voter.birth_name, "N'DIAYE");
    assert_eq!(voter.usage_name.as_deref(), Some("MARTIN"));
    assert_eq!(voter.first_names, "Awa");
    assert_eq!(voter.sex, Some(Sex::F));
    assert_eq!(voter.commune_code.as_deref(), Some("92049"));
    assert_eq!(voter.address.street.as_deref(), Some("RUE DES LILAS"));
    assert_eq!(voter.membership.list, ListKind::Principal);
    assert_eq!(voter.membership.station_code.as_deref(), Some("0003"));
    assert_eq!(voter.membership.station_label.as_deref(), Some("MAIRIE"));
    assert_eq!(voter.membership.order_number, Some(1534));
}

#[test]
fn the_file_name_supplies_list_and_commune_when_columns_lack_them() {
    let header: Vec<&str> = HEADERS
        .iter()
        .copied()
        .filter(|h| !h.contains("ugle") && !h.contains("type de liste"))
        .collect();
    let values: Vec<&str> = BASE_ROW[3..].to_vec();
    let text = format!("{}\n{}\n", export_line(&header), export_line(&values));
    let read = |name: &str| {
        let reader =
            RollReader::from_reader(name, text.as_bytes(), &ReaderOptions::default()).unwrap();
        let rows: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
        let row = &rows[0].1;
        (row.membership.list.clone(), row.commune_code.clone())
    };
    assert_eq!(
        read("exports/92049_Liste_complementaire_europeenne_12-03-2024.csv"),
        (ListKind::EuropeanComplementary, Some("92049".into()))
    );
    assert_eq!(
        read("2A004 liste complémentaire municipale.csv"),
        (ListKind::MunicipalComplementary, Some("2A004".into()))
    );
    assert_eq!(
        read("Listes Electeurs Actifs.csv"),
        (ListKind::Principal, None)
    );
    // Two candidate codes: none is guessed.
    assert_eq!(read("92049_92120.csv"), (ListKind::Principal, None));
}

#[test]
fn options_parse_and_print_their_names() {
    for policy in [BadRowPolicy::Fail, BadRowPolicy::Skip] {
        assert_eq!(policy.to_string().parse::<BadRowPolicy>(), Ok(policy));
    }
    for encoding in [Encoding::Auto, Encoding::Utf8, Encoding::Windows1252] {
        assert_eq!(encoding.to_string().parse::<Encoding>(), Ok(encoding));
    }
    assert_eq!("UTF8".parse::<Encoding>(), Ok(Encoding::Utf8));
    assert_eq!("latin-1".parse::<Encoding>(), Ok(Encoding::Windows1252));
    assert_eq!(
        "ebcdic".parse::<Encoding>().unwrap_err().to_string(),
        "unknown encoding `ebcdic` (expected auto, utf-8 or windows-1252)"
    );
    assert_eq!(
        "ignore".parse::<BadRowPolicy>().unwrap_err().to_string(),
        "unknown bad-row policy `ignore` (expected fail or skip)"
    );
    assert_eq!(ReaderOptions::default().encoding, Encoding::Auto);
    assert_eq!(BadRowPolicy::default(), BadRowPolicy::Fail);
}

#[test]
fn opening_a_missing_file_names_it() {
    let error = RollReader::open(
        Path::new("/nonexistent/roll.csv"),
        &ReaderOptions::default(),
    )
    .err()
    .unwrap();
    assert!(matches!(error, RollError::Io { .. }));
    assert!(
        error.to_string().starts_with("/nonexistent/roll.csv: "),
        "{error}"
    );
}
