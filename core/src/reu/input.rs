//! Byte-level input shared by the roll and stations readers: encoding sniffing,
//! a streaming Windows-1252 decoder, physical-line framing and the splitting of
//! one line into fields.
//!
//! Lines are framed here rather than by a CSV reader over the whole stream
//! because no field of these files legitimately spans two lines: cutting at
//! `\n` first means an unterminated quote damages exactly one row (a CSV reader
//! would swallow the rows after it), every bad row keeps its exact line number
//! and raw text, and a file without newlines cannot grow a line without bound.
//! Each line is then split by `csv_core`, the parser behind the `csv` crate.

use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};

/// How much of the start of a file is inspected to decide its encoding.
pub(crate) const SNIFF_LEN: usize = 64 * 1024;

/// Lines longer than this are reported as bad rows and never held whole.
pub(crate) const MAX_LINE_LEN: usize = 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What the start of a file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sniff {
    /// The file starts with a UTF-8 byte-order mark (already skipped).
    pub utf8_bom: bool,
    /// The file starts with a UTF-16 byte-order mark.
    pub utf16_bom: bool,
    /// Well-formed multi-byte UTF-8 characters seen.
    pub multibyte_chars: usize,
    /// Ill-formed UTF-8 sequences seen.
    pub invalid_sequences: usize,
    /// Offset (after any BOM) of the first ill-formed sequence.
    pub first_invalid: Option<usize>,
}

impl Sniff {
    /// True when the window holds no ill-formed sequence.
    pub fn is_valid_utf8(&self) -> bool {
        self.invalid_sequences == 0
    }
}

/// The start of a file, read once for sniffing and then replayed in front of
/// the rest of the stream.
pub(crate) struct SniffedInput<R> {
    /// The first bytes, BOM excluded.
    pub head: Vec<u8>,
    /// What they look like.
    pub sniff: Sniff,
    /// The rest of the stream.
    pub rest: R,
}

/// Reads up to [`SNIFF_LEN`] bytes from `reader`, drops a UTF-8 BOM and
/// classifies the bytes.
pub(crate) fn sniff_input<R: Read>(mut reader: R) -> io::Result<SniffedInput<R>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut reader)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    let window_is_whole_file = head.len() < SNIFF_LEN;
    let utf8_bom = head.starts_with(UTF8_BOM);
    let utf16_bom = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    if utf8_bom {
        head.drain(..UTF8_BOM.len());
    }
    let mut sniff = classify(&head, window_is_whole_file);
    sniff.utf8_bom = utf8_bom;
    sniff.utf16_bom = utf16_bom;
    Ok(SniffedInput {
        head,
        sniff,
        rest: reader,
    })
}

/// Counts well-formed multi-byte characters and ill-formed sequences. A
/// sequence cut by the end of the window only counts as ill-formed when the
/// window is the whole file.
fn classify(bytes: &[u8], window_is_whole_file: bool) -> Sniff {
    let mut sniff = Sniff {
        utf8_bom: false,
        utf16_bom: false,
        multibyte_chars: 0,
        invalid_sequences: 0,
        first_invalid: None,
    };
    // Every multi-byte UTF-8 character starts with exactly one byte >= 0xC0.
    let count_lead_bytes = |valid: &[u8]| valid.iter().filter(|&&b| b >= 0xC0).count();
    let mut offset = 0;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        match std::str::from_utf8(rest) {
            Ok(_) => {
                sniff.multibyte_chars += count_lead_bytes(rest);
                break;
            }
            Err(error) => {
                let valid_len = error.valid_up_to();
                sniff.multibyte_chars += count_lead_bytes(&rest[..valid_len]);
                let bad_len = match error.error_len() {
                    Some(len) => len,
                    None if window_is_whole_file => rest.len() - valid_len,
                    None => break,
                };
                sniff.invalid_sequences += 1;
                sniff.first_invalid.get_or_insert(offset + valid_len);
                offset += valid_len + bad_len;
            }
        }
    }
    sniff
}

/// Decodes a Windows-1252 byte stream into UTF-8 as it is read.
///
/// Windows-1252 maps every byte to a character, so decoding cannot fail; what
/// must not happen is applying it to a file that is already UTF-8, which the
/// caller checks from the sniffed start before choosing this path.
pub(crate) struct Windows1252Decoder<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Box<[u8]>,
    raw_start: usize,
    raw_end: usize,
    raw_eof: bool,
    /// The decoder was given the end of the stream and consumed it all:
    /// it must not be called again (encoding_rs panics).
    finished: bool,
    decoded: Box<[u8]>,
    decoded_start: usize,
    decoded_end: usize,
}

impl<R: Read> Windows1252Decoder<R> {
    const BUFFER_LEN: usize = 32 * 1024;

    pub fn new(inner: R) -> Self {
        Windows1252Decoder {
            inner,
            // No BOM sniffing: that would silently switch to UTF-8.
            decoder: encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
            raw: vec![0; Self::BUFFER_LEN].into_boxed_slice(),
            raw_start: 0,
            raw_end: 0,
            raw_eof: false,
            finished: false,
            // Each input byte becomes at most 3 bytes of UTF-8.
            decoded: vec![0; 3 * Self::BUFFER_LEN].into_boxed_slice(),
            decoded_start: 0,
            decoded_end: 0,
        }
    }

    /// Decodes the next chunk into `decoded`; false at the end of the stream.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            // A reader may ask again after the end (a last line without a
            // newline does).
            if self.finished {
                return Ok(false);
            }
            if self.raw_start == self.raw_end && !self.raw_eof {
                let read = loop {
                    match self.inner.read(&mut self.raw) {
                        Ok(read) => break read,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        Err(error) => return Err(error),
                    }
                };
                self.raw_start = 0;
                self.raw_end = read;
                self.raw_eof = read == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.decoded,
                self.raw_eof,
            );
            self.raw_start += read;
            self.finished = self.raw_eof && result == encoding_rs::CoderResult::InputEmpty;
            self.decoded_start = 0;
            self.decoded_end = written;
            if written > 0 {
                return Ok(true);
            }
            if self.raw_eof {
                return Ok(false);
            }
        }
    }
}

impl<R: Read> Read for Windows1252Decoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.decoded_start == self.decoded_end && !self.refill()? {
            return Ok(0);
        }
        let available = &self.decoded[self.decoded_start..self.decoded_end];
        let count = available.len().min(out.len());
        out[..count].copy_from_slice(&available[..count]);
        self.decoded_start += count;
        Ok(count)
    }
}

/// The sniffed head replayed before the rest of the stream.
pub(crate) type Replayed<R> = Chain<Cursor<Vec<u8>>, R>;

/// The byte stream a reader frames into lines: as stored, or transcoded.
pub(crate) enum Decoded<R> {
    /// UTF-8 (or expected to be): bytes pass through.
    Utf8(Replayed<R>),
    /// Windows-1252, transcoded to UTF-8 on the fly.
    Windows1252(Windows1252Decoder<Replayed<R>>),
}

impl<R: Read> Decoded<R> {
    /// Passes the sniffed input through unchanged.
    pub fn utf8(input: SniffedInput<R>) -> Self {
        Decoded::Utf8(Cursor::new(input.head).chain(input.rest))
    }

    /// Transcodes the sniffed input from Windows-1252.
    pub fn windows_1252(input: SniffedInput<R>) -> Self {
        Decoded::Windows1252(Windows1252Decoder::new(
            Cursor::new(input.head).chain(input.rest),
        ))
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoded::Utf8(inner) => inner.read(out),
            Decoded::Windows1252(inner) => inner.read(out),
        }
    }
}

/// One physical line, as [`LineReader::next_line`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineInfo {
    /// 1-based physical line number.
    pub number: u64,
    /// The line exceeded [`MAX_LINE_LEN`]; only its start was kept.
    pub too_long: bool,
}

/// Frames a byte stream into physical lines, reusing one buffer.
pub(crate) struct LineReader<R> {
    input: BufReader<R>,
    line: Vec<u8>,
    number: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(input: R) -> Self {
        LineReader {
            input: BufReader::with_capacity(64 * 1024, input),
            line: Vec::with_capacity(1024),
            number: 0,
        }
    }

    /// Reads the next line, without its `\n` or `\r\n`, into the buffer that
    /// [`LineReader::line`] shows. `None` at the end of the stream.
    pub fn next_line(&mut self) -> io::Result<Option<LineInfo>> {
        self.line.clear();
        let read = (&mut self.input)
            .take(MAX_LINE_LEN as u64)
            .read_until(b'\n', &mut self.line)?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        let mut too_long = false;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
        } else if read == MAX_LINE_LEN {
            // Drop the rest of the line without holding it.
            too_long = self.input.skip_until(b'\n')? > 0;
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok(Some(LineInfo {
            number: self.number,
            too_long,
        }))
    }

    /// The current line's bytes.
    pub fn line(&self) -> &[u8] {
        &self.line
    }
}

/// Why a line could not be split into fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// A quoted field is still open at the end of the line.
    UnterminatedQuote,
    /// A field is not valid UTF-8; the 1-based field number.
    InvalidUtf8 { field: usize },
}

/// Splits one line into fields with `csv_core`, reusing its buffers.
pub(crate) struct FieldSplitter {
    parser: csv_core::Reader,
    output: Vec<u8>,
    ends: Vec<usize>,
}

impl FieldSplitter {
    pub fn new(delimiter: u8) -> Self {
        FieldSplitter {
            // Only `\n` ends a record: the line reader has already removed the
            // line's own terminator, and a stray `\r` inside a line is data.
            parser: csv_core::ReaderBuilder::new()
                .delimiter(delimiter)
                .terminator(csv_core::Terminator::Any(b'\n'))
                .build(),
            output: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Splits `line` (without its line terminator) and checks that every field
    /// is UTF-8.
    pub fn split(&mut self, line: &[u8]) -> Result<Fields<'_>, SplitError> {
        // Unquoting only removes bytes, and a line of n bytes has at most
        // n + 1 fields, so the buffers never fill up; the loop below grows
        // them anyway rather than rely on it.
        if self.output.len() < line.len() + 1 {
            self.output.resize(line.len() + 1, 0);
        }
        if self.ends.len() < line.len() + 2 {
            self.ends.resize(line.len() + 2, 0);
        }
        self.parser.reset();
        let (mut output_len, mut field_count) = (0, 0);
        // The line, then a `\n`: outside quotes it ends the record; inside a
        // quoted field it is swallowed as data, and the parser asks for more
        // input, which is how an unterminated quote shows.
        for (part, is_line_end) in [(line, false), (&b"\n"[..], true)] {
            let mut input = part;
            loop {
                let (result, read, written, ended) = self.parser.read_record(
                    input,
                    &mut self.output[output_len..],
                    &mut self.ends[field_count..],
                );
                input = &input[read..];
                output_len += written;
                field_count += ended;
                match result {
                    csv_core::ReadRecordResult::InputEmpty if is_line_end => {
                        return Err(SplitError::UnterminatedQuote);
                    }
                    csv_core::ReadRecordResult::InputEmpty => break,
                    csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                        break;
                    }
                    csv_core::ReadRecordResult::OutputFull => {
                        let len = self.output.len();
                        self.output.resize(2 * len + 1, 0);
                    }
                    csv_core::ReadRecordResult::OutputEndsFull => {
                        let len = self.ends.len();
                        self.ends.resize(2 * len + 1, 0);
                    }
                }
            }
        }
        let ends = &self.ends[..field_count];
        let output = &self.output[..output_len];
        // One validation of the whole output; then each field boundary must
        // fall between characters, which also catches a multi-byte sequence
        // that only looks whole across two fields.
        let text = std::str::from_utf8(output).ok();
        let first_bad_field = match text {
            Some(text) => ends.iter().position(|&end| !text.is_char_boundary(end)),
            None => (0..ends.len()).find(|&index| {
                let start = if index == 0 { 0 } else { ends[index - 1] };
                std::str::from_utf8(&output[start..ends[index]]).is_err()
            }),
        };
        match (text, first_bad_field) {
            (Some(text), None) => Ok(Fields { text, ends }),
            (_, Some(index)) => Err(SplitError::InvalidUtf8 { field: index + 1 }),
            // Not reached: invalid output has an invalid field.
            (None, None) => Err(SplitError::InvalidUtf8 { field: 1 }),
        }
    }
}

/// The fields of one line, each checked to be UTF-8.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    text: &'a str,
    ends: &'a [usize],
}

impl<'a> Fields<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `index` (0-based), as written; empty when out of range.
    pub fn get(&self, index: usize) -> &'a str {
        let Some(&end) = self.ends.get(index) else {
            return "";
        };
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1],
        };
        // `split` has checked every boundary, so this never falls back.
        self.text.get(start..end).unwrap_or_default()
    }

    /// Iterates over the fields.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|index| self.get(index))
    }
}

/// The delimiter a header line uses: `;` unless it has none and has `,` (or,
/// failing that, a tab).
pub(crate) fn detect_delimiter(header: &[u8]) -> u8 {
    if header.contains(&b';') {
        b';'
    } else if header.contains(&b',') {
        b','
    } else if header.contains(&b'\t') {
        b'\t'
    } else {
        b';'
    }
}

/// The 1-based line on which byte `offset` of `bytes` falls, with the line's
/// text decoded as Windows-1252 (for error messages).
pub(crate) fn locate_in_head(bytes: &[u8], offset: usize) -> (u64, String) {
    let offset = offset.min(bytes.len());
    let line_start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    let line_end = bytes[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |newline| offset + newline);
    let line_number = 1 + bytes[..line_start].iter().filter(|&&b| b == b'\n').count() as u64;
    let line = &bytes[line_start..line_end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let shown = &line[..line.len().min(120)];
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(shown);
    let mut text = text.into_owned();
    if line.len() > shown.len() {
        text.push('…');
    }
    (line_number, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &[u8]) -> Vec<(u64, bool, Vec<u8>)> {
        let mut reader = LineReader::new(input);
        let mut lines = Vec::new();
        while let Some(info) = reader.next_line().unwrap() {
            lines.push((info.number, info.too_long, reader.line().to_vec()));
        }
        lines
    }

    #[test]
    fn lines_are_framed_on_lf_and_crlf_with_or_without_a_final_newline() {
        let lines = lines_of(b"a;b\r\nc;d\n\ne;f");
        let texts: Vec<_> = lines.iter().map(|(n, _, l)| (*n, l.as_slice())).collect();
        assert_eq!(
            texts,
            [(1, &b"a;b"[..]), (2, b"c;d"), (3, b""), (4, b"e;f")]
        );
    }

    #[test]
    fn an_overlong_line_is_flagged_and_the_next_line_is_still_read() {
        let mut input = vec![b'x'; MAX_LINE_LEN + 10];
        input.extend_from_slice(b"\nnext\n");
        let lines = lines_of(&input);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].1);
        assert_eq!(lines[0].2.len(), MAX_LINE_LEN);
        assert_eq!(lines[1], (2, false, b"next".to_vec()));
    }

    fn split(line: &str) -> Result<Vec<String>, SplitError> {
        let mut splitter = FieldSplitter::new(b';');
        splitter
            .split(line.as_bytes())
            .map(|fields| fields.iter().map(String::from).collect())
    }

    #[test]
    fn splitting_handles_mixed_quoting_and_empty_fields() {
        assert_eq!(
            split(r#""A";;"B C";"";12"#).unwrap(),
            ["A", "", "B C", "", "12"]
        );
        assert_eq!(split(r#""say ""hi""";x"#).unwrap(), [r#"say "hi""#, "x"]);
        assert_eq!(split(r#""a;b";c"#).unwrap(), ["a;b", "c"]);
        assert_eq!(split(";").unwrap(), ["", ""]);
        assert_eq!(split(r#"O"BRIEN;x"#).unwrap(), [r#"O"BRIEN"#, "x"]);
    }

    #[test]
    fn an_open_quote_at_the_end_of_a_line_is_reported() {
        for open in [r#""A;B"#, r#"x;"A"""#, r#""A";"B;C"#, r#"""""#] {
            assert_eq!(split(open), Err(SplitError::UnterminatedQuote), "{open}");
        }
        // Closed, by the quoting rules of csv_core.
        assert_eq!(split(r#""A""#).unwrap(), ["A"]);
        assert_eq!(split(r#""A""""#).unwrap(), [r#"A""#]);
        assert_eq!(split(r#""A;"B"#).unwrap(), ["A;B"]);
        // A stray carriage return inside a line is data, not a line end.
        assert_eq!(split("A\rB;C").unwrap(), ["A\rB", "C"]);
    }

    #[test]
    fn invalid_utf8_names_the_field() {
        let mut splitter = FieldSplitter::new(b';');
        let result = splitter.split(b"\"OK\";\"DUPR\xC9\";1").map(|f| f.len());
        assert_eq!(result, Err(SplitError::InvalidUtf8 { field: 2 }));
        // A sequence split across two fields is caught too.
        let result = splitter.split(b"\"\xC3\";\"\xA9\"").map(|f| f.len());
        assert_eq!(result, Err(SplitError::InvalidUtf8 { field: 1 }));
    }

    #[test]
    fn sniffing_counts_valid_and_invalid_sequences() {
        let sniffed = sniff_input(&b"\xEF\xBB\xBFnom;pr\xC3\xA9noms\n"[..]).unwrap();
        assert!(sniffed.sniff.utf8_bom);
        assert_eq!(sniffed.head, "nom;prénoms\n".as_bytes());
        assert_eq!(sniffed.sniff.multibyte_chars, 1);
        assert!(sniffed.sniff.is_valid_utf8());

        let sniffed = sniff_input(&b"nom\nDUPR\xC9;x\nL\xC9ON\n"[..]).unwrap();
        assert_eq!(sniffed.sniff.invalid_sequences, 2);
        assert_eq!(sniffed.sniff.first_invalid, Some(8));
        assert_eq!(locate_in_head(&sniffed.head, 8), (2, "DUPRÉ;x".to_string()));

        // A truncated sequence at the very end of a whole file is invalid.
        let sniffed = sniff_input(&b"abc\xC3"[..]).unwrap();
        assert_eq!(sniffed.sniff.invalid_sequences, 1);
    }

    #[test]
    fn windows_1252_is_transcoded_across_buffer_boundaries() {
        let mut input = Vec::new();
        for _ in 0..20_000 {
            input.extend_from_slice(b"\xC9L\xC9ONORE \x80 \x9C;");
        }
        let mut decoded = String::new();
        Windows1252Decoder::new(&input[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, "ÉLÉONORE € œ;".repeat(20_000));
    }

    #[test]
    fn delimiter_is_taken_from_the_header() {
        assert_eq!(detect_delimiter(b"a;b,c"), b';');
        assert_eq!(detect_delimiter(b"a,b"), b',');
        assert_eq!(detect_delimiter(b"a\tb"), b'\t');
        assert_eq!(detect_delimiter(b"a"), b';');
    }
}
