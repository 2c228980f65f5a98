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
