//! Text files in every encoding county offices produce, and damaged ones that must be refused.

use crate::fixtures::*;
use zizhu_domain::{ListKind, ListRecord};
use zizhu_io::{ImportError, SourceFormat};

const HEAD: &str = "姓名,身份证件号,学籍号,学校标识码,年级,班级,是否住校,学籍状态";

fn student_csv(names: [&str; 2]) -> String {
    lines(&[
        HEAD,
        &format!(
            "{},{},G{},3607000001,三年级,2班,是,在读",
            names[0],
            id_a(),
            id_a()
        ),
        &format!(
            "{},{},G{},3607000001,四年级,1班,否,在读",
            names[1],
            id_b(),
            id_b()
        ),
    ])
}

fn names(outcomes: &[zizhu_io::RowOutcome]) -> Vec<String> {
    records(outcomes)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::Student(s) => Some(s.name),
            _ => None,
        })
        .collect()
}

#[test]
fn gbk_csv_is_detected_and_decoded() {
    let bytes = encode(encoding_rs::GBK, &student_csv(["张小明", "李小红"]));
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be UTF-8"
    );
    let (src, out) = import(ListKind::Students, "学籍.csv", &bytes);
    assert_eq!(src.encoding.as_deref(), Some("GBK/GB18030"));
    assert_eq!(src.format, SourceFormat::Csv);
    assert_eq!(src.delimiter, Some(','));
    assert_eq!(errors(&out), vec![]);
    assert_eq!(names(&out), ["张小明", "李小红"]);
}

#[test]
fn gb18030_csv_keeps_extension_b_and_a_names() {
    // 𥙿 U+2567F (CJK Ext. B) and 㙦 U+3666 (Ext. A) are not in GBK; GB18030 has 4-byte codes.
    let bytes = encode(encoding_rs::GB18030, &student_csv(["王𥙿", "麦㙦"]));
    let (src, out) = import(ListKind::Students, "学籍.csv", &bytes);
    assert_eq!(src.encoding.as_deref(), Some("GBK/GB18030"));
    assert_eq!(errors(&out), vec![]);
    assert_eq!(names(&out), ["王𥙿", "麦㙦"]);
}

#[test]
fn utf8_with_bom_and_quoted_first_header() {
    let text = student_csv(["张小明", "李小红"]).replacen("姓名", "\"姓名\"", 1);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(text.as_bytes());
    let (src, out) = import(ListKind::Students, "学籍.csv", &bytes);
    assert_eq!(src.encoding.as_deref(), Some("UTF-8（带BOM）"));
    assert_eq!(src.columns.first().map(|c| c.0.as_str()), Some("姓名"));
    assert_eq!(names(&out), ["张小明", "李小红"]);
}

#[test]
fn utf8_without_bom() {
    let (src, out) = import(
        ListKind::Students,
        "学籍.csv",
        student_csv(["张小明", "李小红"]).as_bytes(),
    );
    assert_eq!(src.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(names(&out), ["张小明", "李小红"]);
}

#[test]
fn utf16le_tab_separated_unicode_text() {
    let text = student_csv(["张小明", "李小红"]).replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (src, out) = import(ListKind::Students, "学籍.txt", &bytes);
    assert_eq!(src.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(src.delimiter, Some('\t'));
    assert_eq!(names(&out), ["张小明", "李小红"]);
}

#[test]
fn corrupted_gbk_is_an_encoding_error_naming_the_line() {
    let mut bytes = encode(encoding_rs::GBK, &student_csv(["张小明", "李小红"]));
    // Line 3 starts with 李 (two bytes); replace its trail byte by a space: an invalid GBK sequence.
    let line3 = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(1)
        .map(|(i, _)| i + 1)
        .unwrap();
    bytes[line3 + 1] = b' ';
    let e = open_err(ListKind::Students, "学籍.csv", &bytes);
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "GBK/GB18030".into(),
            line: 3
        }
    );
    assert_eq!(e.code(), "E-IMP-004");
    assert!(e.to_string().contains("第3行"), "{e}");
}

#[test]
fn truncated_gbk_character_at_end_of_file_is_refused() {
    let mut bytes = encode(encoding_rs::GBK, &student_csv(["张小明", "李小红"]));
    bytes.truncate(bytes.len() - 1); // drop the final newline
    bytes.extend(encode(encoding_rs::GBK, "备"));
    bytes.pop(); // half a character
    let e = open_err(ListKind::Students, "学籍.csv", &bytes);
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "GBK/GB18030".into(),
            line: 3
        }
    );
}

#[test]
fn utf8_file_with_replacement_characters_is_refused() {
    // An earlier tool already decoded this file wrongly: U+FFFD replaced the name.
    let text = student_csv(["张小明", "\u{FFFD}\u{FFFD}"]);
    let e = open_err(ListKind::Students, "学籍.csv", text.as_bytes());
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "UTF-8".into(),
            line: 3
        }
    );
}

#[test]
fn utf8_file_with_one_damaged_byte_is_refused_not_guessed_as_gbk() {
    let mut bytes = student_csv(["张小明", "李小红"]).into_bytes();
    let grade = "四年级".as_bytes();
    let pos = bytes.windows(grade.len()).position(|w| w == grade).unwrap();
    bytes[pos + 1] = b'A'; // 四 is E5 9B 9B: a broken continuation byte on line 3
    let e = open_err(ListKind::Students, "学籍.csv", &bytes);
    assert_eq!(
        e,
        ImportError::Encoding {
            encoding: "UTF-8".into(),
            line: 3
        }
    );
}

/// A UTF-8 file larger than the reader's 1 MiB block: `n` student rows (unique IDs).
fn big_student_csv(n: usize) -> String {
    let mut text = String::from(HEAD);
    text.push('\n');
    for i in 0..n {
        let id = make_id("360731", "20110305", &format!("{:03}", i % 1000));
        // Unique per row via the school code (the duplicate key is school + ID).
        // Names may not hold digits: spell the row number with one character per digit.
        let name: String = i
            .to_string()
            .chars()
            .filter_map(|d| "零一二三四五六七八九".chars().nth(d.to_digit(10)? as usize))
            .collect();
        text.push_str(&format!(
            "学生{name},{id},G{id},{:010},三年级,2班,是,在读\n",
            3_607_000_000u64 + (i / 1000) as u64
        ));
    }
    text
}

#[test]
fn a_large_utf8_file_is_streamed_with_the_same_rows() {
    // 30 000 rows ≈ 2.4 MB: three blocks, so characters and records cross block boundaries.
    let text = big_student_csv(30_000);
    assert!(text.len() > 2 << 20);
    let (source, outcomes) = import(ListKind::Students, "big.csv", text.as_bytes());
    assert_eq!(source.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(records(&outcomes).len(), 30_000);
    assert!(outcomes.iter().all(|o| o.result.is_ok()));
}

#[test]
fn a_replacement_character_deep_in_a_streamed_file_names_its_line() {
    let mut text = big_student_csv(20_000);
    text.push_str("坏\u{FFFD}名,1,2,3,4,5,6,7\n");
    // Header + 20 000 rows, then the damaged line.
    let e = open_path(ListKind::Students, "damaged.csv", text.as_bytes()).err();
    assert_eq!(
        e,
        Some(ImportError::Encoding {
            encoding: "UTF-8".into(),
            line: 20_002
        })
    );
}

#[test]
fn damaged_utf8_deep_in_a_file_is_refused_as_from_memory() {
    let mut bytes = big_student_csv(20_000).into_bytes();
    bytes.extend_from_slice(b"\xE5\xAD,1,2\n");
    // open_err checks that the file path and the in-memory path give the same error.
    let e = open_err(ListKind::Students, "damaged.csv", &bytes);
    assert!(
        matches!(e, ImportError::Encoding { line: 20_002, .. }),
        "{e:?}"
    );
}

#[test]
fn a_file_changed_while_it_is_imported_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("students.csv");
    // Larger than the reader's buffer, so most of it is read after the change.
    std::fs::write(&path, big_student_csv(30_000)).expect("write");
    let rows = zizhu_io::open_list_path(ListKind::Students, &path, "students.csv");
    let Ok(rows) = rows else { panic!("opens") };
    // Another program appends to the file after the check and before the rows are read.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    std::io::Write::write_all(&mut f, big_student_csv(2).as_bytes()).expect("append");
    let outcomes: Vec<_> = rows.collect();
    let errors: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .flatten()
        .map(|e| e.reason.clone())
        .collect();
    assert!(
        errors.iter().any(|r| r.contains("文件在导入过程中被修改")),
        "{errors:?}"
    );
}

#[test]
fn a_directory_is_refused_with_a_clear_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = zizhu_io::open_list_path(ListKind::Students, dir.path(), "students").err();
    assert!(
        matches!(&e, Some(ImportError::Io { detail, .. }) if detail.contains("文件夹")),
        "{e:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_once_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("students.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable: skipped");
        return;
    }
    let text = student_csv(["张小明", "李小红"]);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, text))
    };
    // Opening a pipe a second time would wait forever for a writer: fail instead of hanging.
    let (send, recv) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let read = zizhu_io::open_list_path(ListKind::Students, &fifo, "students.csv")
            .map(|rows| rows.collect::<Vec<_>>());
        let _ = send.send(read);
    });
    let read = recv.recv_timeout(std::time::Duration::from_secs(60));
    let Ok(Ok(outcomes)) = read else {
        panic!("the pipe was not read: {read:?}")
    };
    assert!(writer.join().is_ok_and(|r| r.is_ok()));
    assert_eq!(names(&outcomes), ["张小明", "李小红"]);
}

#[test]
fn a_file_changed_in_place_without_changing_its_length_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("students.csv");
    let text = big_student_csv(30_000);
    std::fs::write(&path, &text).expect("write");
    let Ok(rows) = zizhu_io::open_list_path(ListKind::Students, &path, "students.csv") else {
        panic!("opens")
    };
    // Same length, one class name changed near the end (2班 → 3班), after the first pass.
    let mut changed = text.clone().into_bytes();
    let at = text.rfind("2班").unwrap_or(0);
    changed[at] = b'3';
    std::fs::write(&path, &changed).expect("rewrite");
    let reasons: Vec<String> = rows
        .filter_map(|o| o.result.err())
        .flatten()
        .map(|e| e.reason)
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("文件在导入过程中被修改")),
        "{reasons:?}"
    );
}

#[test]
fn rows_of_a_file_with_lone_cr_line_ends_are_numbered_by_line() {
    let text = student_csv(["张小明", "李小红"]).replace('\n', "\r");
    let bad = text.replace("四年级", "四年纪");
    let (_, outcomes) = import(ListKind::Students, "cr.csv", bad.as_bytes());
    let rows: Vec<usize> = outcomes
        .iter()
        .filter(|o| o.result.is_err())
        .map(|o| o.row)
        .collect();
    assert_eq!(rows, [3]);
}

#[test]
fn control_characters_in_text_cells_are_row_errors() {
    let text = student_csv(["张小明", "李小红"]).replace("2班", "a\u{0}b");
    let (_, outcomes) = import(ListKind::Students, "nul.csv", text.as_bytes());
    let reasons: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .flatten()
        .map(|e| format!("{}:{}", e.column, e.reason))
        .collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].starts_with("班级:含有不可见的控制字符（U+0000）"),
        "{reasons:?}"
    );
}
