//! Delimited text files: encoding detection over the whole file (BOMs, UTF-8, GBK/GB18030 via
//! chardetng), refusal of anything that does not decode cleanly, delimiter sniffing, and streaming of
//! records through the `csv` crate (quoted fields with commas and line breaks work).

use super::{Cell, Row};
use crate::error::ImportError;
use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, GBK, UTF_16BE, UTF_16LE};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

/// A text file turned into UTF-8 bytes. For UTF-8 input this is the original buffer (no copy).
pub(crate) struct Decoded {
    pub bytes: Vec<u8>,
    /// Offset of the first byte after a BOM.
    pub start: usize,
    /// Human-readable encoding name for [`crate::lists::SourceInfo`].
    pub encoding: String,
}

/// 1-based line of byte offset `pos` in `bytes`.
fn line_at(bytes: &[u8], pos: usize) -> usize {
    bytes
        .get(..pos)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// Fails with the line of the first U+FFFD: a replacement character in the text means an earlier
/// tool already lost data, and we never import silently wrong data.
fn reject_replacement(text: &str, encoding: &str) -> Result<(), ImportError> {
    match text.find('\u{FFFD}') {
        Some(pos) => Err(ImportError::Encoding {
            encoding: encoding.to_string(),
            line: line_at(text.as_bytes(), pos),
        }),
        None => Ok(()),
    }
}

/// Decodes the whole of `body` with `enc`, failing on the first malformed sequence.
fn decode_strict(enc: &'static Encoding, body: &[u8], name: &str) -> Result<String, ImportError> {
    let (text, _had_errors) = enc.decode_without_bom_handling(body);
    // Malformed input shows up as U+FFFD, which `reject_replacement` locates.
    reject_replacement(&text, name)?;
    Ok(text.into_owned())
}

/// Share of non-ASCII bytes that belong to well-formed UTF-8 sequences, and the offset of the first
/// malformed byte. A UTF-8 file with one damaged byte scores near 1; GBK text scores low.
fn utf8_share(bytes: &[u8]) -> (f64, Option<usize>) {
    let (mut good, mut bad, mut first_bad) = (0usize, 0usize, None);
    let mut pos = 0;
    while let Some(rest) = bytes.get(pos..) {
        if rest.is_empty() {
            break;
        }
        match std::str::from_utf8(rest) {
            Ok(s) => {
                good += s.bytes().filter(|b| !b.is_ascii()).count();
                break;
            }
            Err(e) => {
                let ok = rest.get(..e.valid_up_to()).unwrap_or_default();
                good += ok.iter().filter(|b| !b.is_ascii()).count();
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to()).max(1);
                bad += skip;
                first_bad.get_or_insert(pos + e.valid_up_to());
                pos += e.valid_up_to() + skip;
            }
        }
    }
    let total = good + bad;
    (
        if total == 0 {
            1.0
        } else {
            good as f64 / total as f64
        },
        first_bad,
    )
}

/// Decides the encoding of a text file and returns it as UTF-8.
///
/// Order: UTF-8 BOM, UTF-16 LE/BE BOM, valid UTF-8, a UTF-8 file with damaged bytes (error), else
/// chardetng over the whole file with the `.cn` bias; GBK is decoded as GB18030 (the WHATWG GBK
/// decoder is the GB18030 decoder, so 4-byte rare characters survive).
///
/// Errors: [`ImportError::Encoding`] naming the first bad line; [`ImportError::UnsupportedEncoding`]
/// when the detector is confident the file is neither UTF-8/16 nor GBK.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<Decoded, ImportError> {
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        match std::str::from_utf8(body) {
            Ok(s) => reject_replacement(s, "UTF-8")?,
            Err(e) => {
                return Err(ImportError::Encoding {
                    encoding: "UTF-8".into(),
                    line: line_at(body, e.valid_up_to()),
                })
            }
        }
        return Ok(Decoded {
            bytes,
            start: 3,
            encoding: "UTF-8（带BOM）".into(),
        });
    }
    for (bom, enc, name) in [
        (b"\xFF\xFE", UTF_16LE, "UTF-16LE"),
        (b"\xFE\xFF", UTF_16BE, "UTF-16BE"),
    ] {
        if let Some(body) = bytes.strip_prefix(bom) {
            let text = decode_strict(enc, body, name)?;
            return Ok(Decoded {
                bytes: text.into_bytes(),
                start: 0,
                encoding: name.into(),
            });
        }
    }
    match std::str::from_utf8(&bytes) {
        Ok(s) => {
            reject_replacement(s, "UTF-8")?;
            return Ok(Decoded {
                bytes,
                start: 0,
                encoding: "UTF-8".into(),
            });
        }
        Err(e) => {
            let (share, first_bad) = utf8_share(&bytes);
            if share >= 0.9 {
                let pos = first_bad.unwrap_or(e.valid_up_to());
                return Err(ImportError::Encoding {
                    encoding: "UTF-8".into(),
                    line: line_at(&bytes, pos),
                });
            }
        }
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(&bytes, true);
    let guess = detector.guess(Some(b"cn"), Utf8Detection::Deny);
    let name = "GBK/GB18030";
    if guess != GBK && guess != GB18030 {
        // Decoding as GB18030 anyway is still the best bet for a county file; a clean decode with a
        // confident non-Chinese guess (e.g. windows-1252) would however be mojibake.
        let (_, had_errors) = GB18030.decode_without_bom_handling(&bytes);
        if !had_errors && !is_cjk(guess) {
            return Err(ImportError::UnsupportedEncoding {
                guessed: guess.name().to_string(),
            });
        }
    }
    let text = decode_strict(GB18030, &bytes, name)?;
    Ok(Decoded {
        bytes: text.into_bytes(),
        start: 0,
        encoding: name.into(),
    })
}

/// What a first pass over a text file on disk found, reading it in blocks (never whole).
pub(crate) enum Scan {
    /// Valid UTF-8 from start to end with no U+FFFD: it can be parsed straight from the file.
    Utf8 {
        /// Length of a UTF-8 BOM at the start (0 or 3).
        bom: u64,
        /// Length of the file as scanned.
        len: u64,
        /// SHA-256 of the whole file, lower-case hex.
        sha256: String,
        /// The first 64 KiB after the BOM (for the delimiter).
        head: Vec<u8>,
    },
    /// Anything else (empty, a spreadsheet, another encoding, damaged UTF-8): read the file whole
    /// and decide with [`decode`], which names the problem.
    Other,
}

const HEAD_BYTES: usize = 64 * 1024;

/// Reads `file` once from the start: SHA-256, UTF-8 validity and the first line holding U+FFFD.
///
/// Errors: [`ImportError::Encoding`] for a U+FFFD (an earlier tool already lost characters);
/// the I/O error of the read.
pub(crate) fn scan_utf8(file: &mut File) -> Result<Result<Scan, ImportError>, std::io::Error> {
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of a character cut by the end of the previous block.
    let mut carry: Vec<u8> = Vec::new();
    let (mut len, mut lines, mut bom) = (0u64, 0usize, 0u64);
    let mut head: Vec<u8> = Vec::new();
    loop {
        let n = file.read(&mut buf)?;
        let Some(block) = buf.get(..n) else { break };
        if n == 0 {
            break;
        }
        sha.update(block);
        if len == 0 {
            if block.starts_with(b"\xEF\xBB\xBF") {
                bom = 3;
            } else if block.starts_with(b"PK\x03\x04")
                || block.starts_with(b"\xD0\xCF\x11\xE0")
                || block.starts_with(b"\xFF\xFE")
                || block.starts_with(b"\xFE\xFF")
            {
                return Ok(Ok(Scan::Other));
            }
        }
        let skip = if len == 0 { bom as usize } else { 0 };
        len += n as u64;
        carry.extend_from_slice(block.get(skip..).unwrap_or_default());
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(carry.len());
            head.extend_from_slice(carry.get(..take).unwrap_or_default());
        }
        let valid = match std::str::from_utf8(&carry) {
            Ok(text) => text,
            // Only an incomplete character at the very end may wait for the next block.
            Err(e) if e.error_len().is_none() => carry
                .get(..e.valid_up_to())
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Err(_) => return Ok(Ok(Scan::Other)),
        };
        if let Some(pos) = valid.find('\u{FFFD}') {
            return Ok(Err(ImportError::Encoding {
                encoding: "UTF-8".into(),
                line: lines + line_at(valid.as_bytes(), pos),
            }));
        }
        lines += valid.bytes().filter(|&b| b == b'\n').count();
        let used = valid.len();
        carry.drain(..used);
    }
    if len == 0 || !carry.is_empty() {
        // Empty, or ends inside a character: the whole-file path gives the precise error.
        return Ok(Ok(Scan::Other));
    }
    let sha256 = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Ok(Scan::Utf8 {
        bom,
        len,
        sha256,
        head,
    }))
}

/// Multi-byte East Asian encodings that chardetng confuses with GBK on short samples.
fn is_cjk(enc: &'static Encoding) -> bool {
    ["Big5", "EUC-KR", "Shift_JIS", "EUC-JP"].contains(&enc.name())
}

/// Picks the delimiter from the first lines: tab when any contains a tab (the student-registration
/// system's fake `.xls`), `;` when lines have semicolons but no commas, else comma.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let head_len = text.len().min(64 * 1024);
    let head = text.get(..head_len).unwrap_or(text);
    let lines = head.split(|&b| b == b'\n').take(30);
    let (mut tabs, mut commas, mut semis) = (0usize, 0usize, 0usize);
    for line in lines {
        for &b in line {
            match b {
                b'\t' => tabs += 1,
                b',' => commas += 1,
                b';' => semis += 1,
                _ => {}
            }
        }
    }
    if tabs > 0 {
        b'\t'
    } else if semis > 0 && commas == 0 {
        b';'
    } else {
        b','
    }
}

/// Records of a decoded text file, one at a time: from memory, or straight from a UTF-8 file.
pub(crate) struct TextRows {
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::StringRecord,
    delimiter: u8,
    /// For a file read as it is parsed: the bytes the scan saw after the BOM. Fewer or more at
    /// the end means the file changed in between, and nothing read may be trusted.
    expect_len: Option<u64>,
    /// The line each record starts on, filled by [`Lines`] as the parser reads ahead.
    starts: Starts,
    done: bool,
}

/// Line numbers of record starts, oldest first, shared by [`Lines`] and its [`TextRows`].
type Starts = Arc<Mutex<VecDeque<u64>>>;

/// Reads through to `inner`, noting the line (as a text editor numbers it) on which each record
/// starts. The `csv` crate's own line count is wrong for files with CRLF or lone-CR line ends
/// and after blank lines (it gives where it began looking, not where the record is), and row
/// numbers are what error messages and the roster's citations point to. Quoting is followed as
/// the `csv` crate follows it: a quote opens a quoted field only at a field's start; a line
/// break inside one is a line but not a new record; empty lines are no record.
struct Lines<R> {
    inner: R,
    delimiter: u8,
    /// Line ends seen so far (CRLF, CR and LF each count once).
    ends: u64,
    pending_cr: bool,
    at_record_start: bool,
    field: Field,
    starts: Starts,
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of the field, or the first of a doubled quote.
    QuoteInQuoted,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut found = Vec::new();
        for &b in buf.get(..n).unwrap_or_default() {
            if b == b'\n' && self.pending_cr {
                self.pending_cr = false;
                continue;
            }
            self.pending_cr = b == b'\r';
            if b == b'\r' || b == b'\n' {
                self.ends += 1;
                if self.field != Field::Quoted {
                    self.at_record_start = true;
                    self.field = Field::Start;
                }
                continue;
            }
            if self.at_record_start {
                found.push(self.ends + 1);
                self.at_record_start = false;
            }
            let d = self.delimiter;
            self.field = match (self.field, b) {
                (Field::Start, b'"') => Field::Quoted,
                (Field::Quoted, b'"') => Field::QuoteInQuoted,
                (Field::Quoted, _) => Field::Quoted,
                (Field::QuoteInQuoted, b'"') => Field::Quoted,
                (_, x) if x == d => Field::Start,
                _ => Field::Unquoted,
            };
        }
        if !found.is_empty() {
            if let Ok(mut q) = self.starts.lock() {
                q.extend(found);
            }
        }
        Ok(n)
    }
}

/// The file being parsed, hashed again as it is read; at its end the hash must be the first
/// pass's, or the read fails (the file changed in between).
struct Rehash {
    file: File,
    sha: Option<Sha256>,
    expect: String,
}

/// What the user is told when a file changed between the check and the parse.
const CHANGED: &str = "文件在导入过程中被修改，请等文件写完后重新导入";

impl Read for Rehash {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if n > 0 {
            if let (Some(sha), Some(got)) = (self.sha.as_mut(), buf.get(..n)) {
                sha.update(got);
            }
        } else if let Some(sha) = self.sha.take() {
            let got: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
            if got != self.expect {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    CHANGED,
                ));
            }
        }
        Ok(n)
    }
}

impl TextRows {
    pub(crate) fn new(decoded: Decoded) -> Self {
        let head = decoded.bytes.get(decoded.start..).unwrap_or_default();
        let head = head.get(..HEAD_BYTES).unwrap_or(head);
        let delimiter = sniff_delimiter(head);
        let mut cursor = Cursor::new(decoded.bytes);
        cursor.set_position(decoded.start as u64);
        TextRows::over(cursor, delimiter, None)
    }

    /// Parses `file` as it is read, after a [`Scan::Utf8`] of it found it clean. The bytes are
    /// hashed again as they are read: a file changed in place between the two passes — even
    /// without changing its length — ends in an error instead of rows the recorded SHA-256 does
    /// not describe.
    pub(crate) fn streaming(
        mut file: File,
        bom: u64,
        len: u64,
        sha256: &str,
        head: &[u8],
    ) -> std::io::Result<Self> {
        file.seek(SeekFrom::Start(0))?;
        let mut sha = Sha256::new();
        let mut skipped = vec![0u8; bom as usize];
        file.read_exact(&mut skipped)?;
        sha.update(&skipped);
        let delimiter = sniff_delimiter(head);
        let source = Rehash {
            file,
            sha: Some(sha),
            expect: sha256.to_string(),
        };
        Ok(TextRows::over(
            source,
            delimiter,
            Some(len.saturating_sub(bom)),
        ))
    }

    fn over(source: impl Read + Send + 'static, delimiter: u8, expect_len: Option<u64>) -> Self {
        let starts = Starts::default();
        let source = Lines {
            inner: source,
            delimiter,
            ends: 0,
            pending_cr: false,
            at_record_start: true,
            field: Field::Start,
            starts: starts.clone(),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 20)
            .from_reader(Box::new(source) as Box<dyn Read + Send>);
        TextRows {
            reader,
            record: csv::StringRecord::new(),
            delimiter,
            expect_len,
            starts,
            done: false,
        }
    }

    pub(crate) fn delimiter(&self) -> char {
        char::from(self.delimiter)
    }
}

impl Iterator for TextRows {
    type Item = Result<Row, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_into(Row::default())
    }
}

impl TextRows {
    /// The next record, written into `row`'s cells (their strings are reused).
    pub(crate) fn next_into(&mut self, mut row: Row) -> Option<Result<Row, ImportError>> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let start = self.starts.lock().ok().and_then(|mut q| q.pop_front());
                let fallback = || self.record.position().map_or(0, |p| p.line());
                row.number = start.unwrap_or_else(fallback) as usize;
                let fields = self.record.len();
                row.cells.truncate(fields);
                for (i, f) in self.record.iter().enumerate() {
                    let cell = if f.is_empty() {
                        Cell::Empty
                    } else {
                        match row.cells.get_mut(i) {
                            Some(Cell::Text(old)) => {
                                let mut t = std::mem::take(old);
                                t.clear();
                                t.push_str(f);
                                Cell::Text(t)
                            }
                            _ => Cell::Text(f.to_string()),
                        }
                    };
                    match row.cells.get_mut(i) {
                        Some(slot) => *slot = cell,
                        None => row.cells.push(cell),
                    }
                }
                Some(Ok(row))
            }
            Ok(false) => {
                self.done = true;
                let read = self.reader.position().byte();
                match self.expect_len {
                    Some(len) if len != read => Some(Err(ImportError::Read {
                        line: self.reader.position().line() as usize,
                        detail: CHANGED.into(),
                    })),
                    _ => None,
                }
            }
            Err(e) => {
                self.done = true;
                let line = e.position().map_or(0, |p| p.line() as usize);
                // Streamed text was valid UTF-8 when checked: invalid now means it changed.
                let detail = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } if self.expect_len.is_some() => CHANGED.to_string(),
                    csv::ErrorKind::Io(io) => io.to_string(),
                    _ => e.to_string(),
                };
                Some(Err(ImportError::Read { line, detail }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> Vec<Row> {
        let d = decode(bytes.to_vec()).ok();
        d.map(TextRows::new)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .collect()
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b\n1,2"), b',');
        assert_eq!(sniff_delimiter(b"title\na\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b\n1;2"), b';');
        assert_eq!(sniff_delimiter(b"a;b,c\n"), b',');
    }

    #[test]
    fn quoted_field_with_newline_keeps_line_numbers() {
        let r = rows(b"h1,h2\n\"a\nb\",c\nd,e\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].cells[0], Cell::Text("a\nb".into()));
        assert_eq!(r[1].number, 2);
        assert_eq!(r[2].number, 4);
    }

    /// Rows are numbered by the line they start on, whatever the line ends, blank lines and
    /// line breaks inside quoted cells (a hostile review found CRLF files one line low).
    #[test]
    fn rows_are_numbered_by_their_first_line() {
        let numbers = |input: &[u8]| rows(input).iter().map(|r| r.number).collect::<Vec<_>>();
        // CRLF (Excel, WPS), LF, lone CR (old Mac).
        assert_eq!(numbers(b"h1,h2\r\na,b\r\nc,d\r\n"), vec![1, 2, 3]);
        assert_eq!(numbers(b"h1,h2\na,b\nc,d"), vec![1, 2, 3]);
        assert_eq!(numbers(b"h1,h2\ra,b\rc,d\r"), vec![1, 2, 3]);
        // Blank lines are no row, but count as lines.
        assert_eq!(
            numbers(b"h1,h2\r\n\r\na,b\r\n\r\n\r\nc,d\r\n"),
            vec![1, 3, 6]
        );
        assert_eq!(numbers(b"\n\nh1,h2\na,b\n\nc,d\n"), vec![3, 4, 6]);
        // A quoted cell over two lines; doubled quotes; a quote inside an unquoted cell.
        assert_eq!(
            numbers(b"h1,h2\r\n\"x\r\ny\",b\r\n\"say \"\"hi\"\"\",2\r\nab\"c,d\r\ne,f"),
            vec![1, 2, 4, 5, 6]
        );
        // Tab-separated with a quoted cell holding a tab and a line break.
        assert_eq!(numbers(b"h1\th2\n\"a\tb\nc\"\td\ne\tf\n"), vec![1, 2, 4]);
    }

    #[test]
    fn reused_rows_carry_nothing_over() {
        let d = decode(b"a,b,c\nx,,z\nlong,row,here,extra\ny\n,q\n".to_vec()).ok();
        let Some(mut t) = d.map(TextRows::new) else {
            panic!("decodes")
        };
        let mut got = Vec::new();
        let mut spare = Row::default();
        while let Some(Ok(row)) = t.next_into(spare) {
            got.push(row.clone());
            spare = row;
        }
        let text = |s: &str| Cell::Text(s.into());
        assert_eq!(
            got.iter().map(|r| r.cells.clone()).collect::<Vec<_>>(),
            vec![
                vec![text("a"), text("b"), text("c")],
                vec![text("x"), Cell::Empty, text("z")],
                vec![text("long"), text("row"), text("here"), text("extra")],
                vec![text("y")],
                vec![Cell::Empty, text("q")],
            ]
        );
        assert_eq!(
            got.iter().map(|r| r.number).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn utf8_bom_skipped() {
        let r = rows("\u{FEFF}姓名,年级\n张三,1\n".as_bytes());
        assert_eq!(r[0].cells[0], Cell::Text("姓名".into()));
    }

    #[test]
    fn utf16le_decoded() {
        let mut b = vec![0xFF, 0xFE];
        b.extend("姓名\t年级\n".encode_utf16().flat_map(u16::to_le_bytes));
        let r = rows(&b);
        assert_eq!(
            r[0].cells,
            vec![Cell::Text("姓名".into()), Cell::Text("年级".into())]
        );
    }

    #[test]
    fn replacement_char_is_rejected_with_line() {
        let e = decode("a\nb\nc\u{FFFD}\n".as_bytes().to_vec()).err();
        assert_eq!(
            e,
            Some(ImportError::Encoding {
                encoding: "UTF-8".into(),
                line: 3
            })
        );
    }

    #[test]
    fn damaged_utf8_is_rejected_not_guessed() {
        let mut b = "姓名,学校\n张三,第一中学\n李四,第二中学\n"
            .as_bytes()
            .to_vec();
        let pos = b.len() - 4;
        b[pos] = 0xFF;
        assert_eq!(
            decode(b).err(),
            Some(ImportError::Encoding {
                encoding: "UTF-8".into(),
                line: 3
            })
        );
    }

    #[test]
    fn line_at_counts_newlines() {
        assert_eq!(line_at(b"a\nb\nc", 0), 1);
        assert_eq!(line_at(b"a\nb\nc", 2), 2);
        assert_eq!(line_at(b"a\nb\nc", 4), 3);
    }
}
