//! Test fixtures built at test time: synthetic ID numbers, CSV/TSV in several encodings, xlsx via
//! rust_xlsxwriter (with post-processing of the zip to imitate WPS or the 1904 date system), and a
//! minimal BIFF8 `.xls` inside an OLE compound file written by hand.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};
use std::io::{Cursor, Read, Write};
use zizhu_domain::ids::check_char;
use zizhu_domain::{ListKind, ListRecord};
use zizhu_io::{
    open_list, open_list_path, ImportError, ListRows, RowError, RowOutcome, SourceInfo,
};

/// A valid synthetic ID: 6-digit address, 8-digit birth date, 3-digit sequence, computed check.
pub fn make_id(address: &str, birth: &str, seq: &str) -> String {
    let first17 = format!("{address}{birth}{seq}");
    let check = check_char(&first17).unwrap_or('?');
    format!("{first17}{check}")
}

/// Male, born 2011-03-05, 于都县-style address code of Jiangxi.
pub fn id_a() -> String {
    make_id("360731", "20110305", "123")
}

/// Female, born 2012-06-15.
pub fn id_b() -> String {
    make_id("360731", "20120615", "246")
}

/// Male, born 2010-01-01.
pub fn id_c() -> String {
    make_id("360702", "20100101", "135")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Writes `bytes` to a file named `name` in a fresh temp dir and reads it back, as an upload would.
pub fn through_disk(name: &str, bytes: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    std::fs::read(&path).expect("read fixture")
}

/// Opens a fixture as a list; panics with the Chinese message on a file-level error.
pub fn open(kind: ListKind, name: &str, bytes: &[u8]) -> ListRows {
    match open_list(kind, through_disk(name, bytes), name) {
        Ok(rows) => rows,
        Err(e) => panic!("{}: {e}", e.code()),
    }
}

/// Opens a fixture from a file on disk, as `zizhu import` does (a UTF-8 file is parsed as it is
/// read; the file stays readable after the temp dir is removed, as the handle is open).
pub fn open_path(kind: ListKind, name: &str, bytes: &[u8]) -> Result<ListRows, ImportError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    open_list_path(kind, &path, name)
}

/// Opens a fixture expecting a file-level error; both ways of opening must give the same one.
pub fn open_err(kind: ListKind, name: &str, bytes: &[u8]) -> ImportError {
    let from_path = open_path(kind, name, bytes).err();
    match open_list(kind, through_disk(name, bytes), name) {
        Ok(_) => panic!("expected a file-level error"),
        Err(e) => {
            assert_eq!(from_path.as_ref(), Some(&e), "opened from the file on disk");
            e
        }
    }
}

/// All outcomes and the source description. The file is read both from memory and from disk
/// (streaming for UTF-8): the two must agree in everything.
pub fn import(kind: ListKind, name: &str, bytes: &[u8]) -> (SourceInfo, Vec<RowOutcome>) {
    let rows = open(kind, name, bytes);
    let source = rows.source().clone();
    let outcomes: Vec<RowOutcome> = rows.collect();
    match open_path(kind, name, bytes) {
        Ok(from_disk) => {
            assert_eq!(from_disk.source(), &source, "source read from disk");
            let disk: Vec<RowOutcome> = from_disk.collect();
            assert_eq!(disk, outcomes, "rows read from disk");
        }
        Err(e) => panic!("opened from disk: {}: {e}", e.code()),
    }
    (source, outcomes)
}

/// Accepted records, in order.
pub fn records(outcomes: &[RowOutcome]) -> Vec<ListRecord> {
    outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().cloned())
        .collect()
}

/// Every row error, in order.
pub fn errors(outcomes: &[RowOutcome]) -> Vec<RowError> {
    outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .flatten()
        .cloned()
        .collect()
}

/// Every warning, in order.
pub fn warnings(outcomes: &[RowOutcome]) -> Vec<RowError> {
    outcomes
        .iter()
        .flat_map(|o| o.warnings.iter().cloned())
        .collect()
}

/// Lines joined with `\n`, plus a final newline.
pub fn lines(ls: &[&str]) -> String {
    let mut s = ls.join("\n");
    s.push('\n');
    s
}

/// Encodes with encoding_rs; panics if a character is not representable.
pub fn encode(enc: &'static encoding_rs::Encoding, s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(s);
    assert!(!unmappable, "not representable in {}", enc.name());
    bytes.into_owned()
}

/// A cell for the xlsx and xls builders.
#[derive(Clone, Debug)]
pub enum X {
    S(&'static str),
    O(String),
    N(f64),
    D(NaiveDate),
    Blank,
}

/// Builds an xlsx with one sheet. `title`, when given, is written in A1 merged across the width of
/// the first data row (a government title row).
pub fn xlsx(title: Option<&str>, rows: &[Vec<X>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let mut r0 = 0u32;
    if let Some(t) = title {
        let width = rows.first().map_or(1, Vec::len).max(2) as u16;
        sheet
            .merge_range(0, 0, 0, width - 1, t, &Format::new())
            .expect("merge");
        r0 = 1;
    }
    for (r, row) in (r0..).zip(rows) {
        for (c, cell) in (0u16..).zip(row) {
            match cell {
                X::S(s) => sheet.write_string(r, c, *s).map(|_| ()),
                X::O(s) => sheet.write_string(r, c, s).map(|_| ()),
                X::N(n) => sheet.write_number(r, c, *n).map(|_| ()),
                X::D(d) => sheet
                    .write_datetime_with_format(r, c, d, &date_fmt)
                    .map(|_| ()),
                X::Blank => Ok(()),
            }
            .expect("write cell");
        }
    }
    book.save_to_buffer().expect("save xlsx")
}

/// Rewrites one member of a zip (xlsx) with `f`, storing every member uncompressed.
pub fn rewrite_zip(bytes: &[u8], member: &str, f: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut found = false;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("member");
        let name = file.name().expect("member name").to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("read member");
        if name == member {
            found = true;
            data = f(String::from_utf8(data).expect("xml is utf-8")).into_bytes();
        }
        out.start_file(name, opts).expect("start");
        out.write_all(&data).expect("write member");
    }
    assert!(found, "{member} not in the zip");
    out.finish().expect("finish").into_inner()
}

/// Reads one member of a zip as text.
pub fn zip_member(bytes: &[u8], member: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut s = String::new();
    archive
        .by_name(member)
        .expect("member")
        .read_to_string(&mut s)
        .expect("read");
    s
}

// ---------------------------------------------------------------------------------------------
// A minimal real .xls: BIFF8 records in a "Workbook" stream of an OLE compound file (MS-CFB v3).

fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend(typ.to_le_bytes());
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
}

fn bof(dt: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend(0x0600u16.to_le_bytes());
    d.extend(dt.to_le_bytes());
    d.extend([0u8; 12]);
    d
}

/// XF record with number format `ifmt` (0 = General, 14 = built-in date).
fn xf(ifmt: u16) -> Vec<u8> {
    let mut d = vec![0u8; 20];
    d[2..4].copy_from_slice(&ifmt.to_le_bytes());
    d
}

/// Builds a BIFF8 workbook with one sheet named `sheet_name`. Text cells are LABEL records (UTF-16),
/// numbers NUMBER records with the General format, dates NUMBER records with the built-in date format
/// (serial in the workbook's date system).
pub fn xls(sheet_name: &str, rows: &[Vec<X>], date1904: bool) -> Vec<u8> {
    let name16: Vec<u8> = sheet_name
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1200u16.to_le_bytes());
    record(&mut globals, 0x0022, &u16::from(date1904).to_le_bytes());
    record(&mut globals, 0x00E0, &xf(0));
    record(&mut globals, 0x00E0, &xf(14));
    let boundsheet_at = globals.len();
    let mut bs = vec![0u8; 4];
    bs.extend([0u8, 0u8, sheet_name.encode_utf16().count() as u8, 1u8]);
    bs.extend(&name16);
    record(&mut globals, 0x0085, &bs);
    record(&mut globals, 0x000A, &[]);
    let sheet_pos = globals.len() as u32;
    // Patch lbPlyPos (first 4 data bytes of the BoundSheet8 record, after its 4-byte header).
    globals[boundsheet_at + 4..boundsheet_at + 8].copy_from_slice(&sheet_pos.to_le_bytes());

    let mut sheet = Vec::new();
    record(&mut sheet, 0x0809, &bof(0x0010));
    for (r, row) in (0u16..).zip(rows) {
        for (c, cell) in (0u16..).zip(row) {
            let mut d = Vec::new();
            d.extend(r.to_le_bytes());
            d.extend(c.to_le_bytes());
            let text = match cell {
                X::S(s) => Some(s.to_string()),
                X::O(s) => Some(s.clone()),
                _ => None,
            };
            if let Some(s) = text {
                d.extend(0u16.to_le_bytes());
                d.extend((s.encode_utf16().count() as u16).to_le_bytes());
                d.push(1);
                d.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
                record(&mut sheet, 0x0204, &d);
            } else if let X::N(n) = cell {
                d.extend(0u16.to_le_bytes());
                d.extend(n.to_le_bytes());
                record(&mut sheet, 0x0203, &d);
            } else if let X::D(day) = cell {
                let epoch = if date1904 {
                    date(1904, 1, 1)
                } else {
                    date(1899, 12, 30)
                };
                let serial = (*day - epoch).num_days() as f64;
                d.extend(1u16.to_le_bytes());
                d.extend(serial.to_le_bytes());
                record(&mut sheet, 0x0203, &d);
            }
        }
    }
    record(&mut sheet, 0x000A, &[]);
    let mut stream = globals;
    stream.extend(sheet);
    cfb_single_stream("Workbook", stream)
}

/// Wraps `stream` in a version-3 compound file: header, one FAT sector, one directory sector, then
/// the stream in regular 512-byte sectors (padded to at least 4096 bytes so no mini stream is needed).
fn cfb_single_stream(name: &str, mut stream: Vec<u8>) -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    const FATSECT: u32 = 0xFFFF_FFFD;
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let stream_len = stream.len();
    stream.resize(stream_len.div_ceil(512) * 512, 0);
    let n = (stream.len() / 512) as u32;
    assert!(n + 2 <= 128, "fixture too big for one FAT sector");

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&1u32.to_le_bytes()); // FAT sectors
    header[48..52].copy_from_slice(&1u32.to_le_bytes()); // first directory sector
    header[56..60].copy_from_slice(&4096u32.to_le_bytes());
    header[60..64].copy_from_slice(&END.to_le_bytes()); // no mini FAT
    header[68..72].copy_from_slice(&END.to_le_bytes()); // no DIFAT sectors
    for i in 0..109 {
        let v = if i == 0 { 0 } else { FREE };
        header[76 + i * 4..80 + i * 4].copy_from_slice(&v.to_le_bytes());
    }

    let mut fat = vec![FREE; 128];
    fat[0] = FATSECT;
    fat[1] = END;
    for i in 0..n {
        fat[(2 + i) as usize] = if i + 1 == n { END } else { 3 + i };
    }
    let fat: Vec<u8> = fat.iter().flat_map(|v| v.to_le_bytes()).collect();

    let dir_entry = |name: &str, typ: u8, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let n16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        e[..n16.len()].copy_from_slice(&n16);
        e[64..66].copy_from_slice(&((n16.len() + 2) as u16).to_le_bytes());
        e[66] = typ;
        e[67] = 1; // black
        e[68..72].copy_from_slice(&FREE.to_le_bytes());
        e[72..76].copy_from_slice(&FREE.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut dir = dir_entry("Root Entry", 5, 1, END, 0);
    dir.extend(dir_entry(name, 2, FREE, 2, stream_len as u32));
    dir.resize(512, 0);

    let mut out = header;
    out.extend(fat);
    out.extend(dir);
    out.extend(stream);
    out
}
