//! Container formats recognised by content: fake `.xls` text, real BIFF `.xls`, xlsx with title rows,
//! WPS metadata and the 1904 date system.

use crate::fixtures::X::{Blank, D, N, O, S};
use crate::fixtures::*;
use zizhu_domain::{Area, AssistanceEntry, ListKind, ListRecord, StudentRecord};
use zizhu_io::{ImportError, SourceFormat};

fn students(outcomes: &[zizhu_io::RowOutcome]) -> Vec<StudentRecord> {
    records(outcomes)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::Student(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn assistance(outcomes: &[zizhu_io::RowOutcome]) -> Vec<AssistanceEntry> {
    records(outcomes)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::Assistance(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// The student-registration system's export: GBK, tab-separated, named `.xls`, with `'` before
/// every long digit string, and a 学籍辅号 column that must not be taken for 学籍号.
#[test]
fn fake_xls_gbk_tsv_with_apostrophes() {
    let text = lines(&[
        "学校标识码\t姓名\t身份证件号\t学籍号\t学籍辅号\t出生日期\t性别\t年级\t班级\t就读方式\t户口性质\t学籍状态",
        &format!("'3607000001\t张小明\t'{}\tG{}\t'2019000123\t20110305\t男\t三年级\t2班\t住校\t农业户口\t在读", id_a(), id_a()),
        &format!("'3607000001\t李小红\t'{}\tG{}\t\t2012-06-15\t女\t二年级\t1班\t走读\t非农业户口\t在读", id_b(), id_b()),
    ]);
    let bytes = encode(encoding_rs::GBK, &text);
    let (src, out) = import(ListKind::Students, "学生基础信息.xls", &bytes);
    assert_eq!(src.format, SourceFormat::FakeXls);
    assert_eq!(src.format.label(), "伪装成xls的文本");
    assert_eq!(src.delimiter, Some('\t'));
    assert_eq!(src.encoding.as_deref(), Some("GBK/GB18030"));
    assert_eq!(errors(&out), vec![]);
    let s = students(&out);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].id.as_str(), id_a());
    assert_eq!(s[0].school_code, "3607000001");
    assert_eq!(s[0].student_no, format!("G{}", id_a()));
    assert!(s[0].boarding);
    assert!(!s[1].boarding);
    assert_eq!(s[0].hukou, Some(Area::Rural));
    assert_eq!(s[1].hukou, Some(Area::Urban));
    assert_eq!(s[1].birth_date, Some(date(2012, 6, 15)));
}

#[test]
fn real_biff_xls() {
    let rows = vec![
        vec![
            S("姓名"),
            S("身份证件号"),
            S("学籍号"),
            S("学校标识码"),
            S("年级"),
            S("是否住校"),
            S("学籍状态"),
            S("出生日期"),
        ],
        vec![
            S("张小明"),
            O(id_a()),
            O(format!("G{}", id_a())),
            N(3607000001.0),
            N(3.0),
            S("是"),
            S("在读"),
            D(date(2011, 3, 5)),
        ],
        vec![
            S("李小红"),
            O(id_b()),
            O(format!("G{}", id_b())),
            N(3607000001.0),
            S("四年级"),
            S("否"),
            S("在读"),
            Blank,
        ],
    ];
    let bytes = xls("学生", &rows, false);
    let (src, out) = import(ListKind::Students, "学生.xls", &bytes);
    assert_eq!(src.format, SourceFormat::Xls);
    assert_eq!(src.sheet, "学生");
    assert_eq!(src.header_row, 1);
    assert_eq!(errors(&out), vec![]);
    let s = students(&out);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].school_code, "3607000001");
    assert_eq!(s[0].grade, 3);
    assert_eq!(s[0].birth_date, Some(date(2011, 3, 5)));
    assert_eq!(s[1].grade, 4);
    assert_eq!(out.iter().map(|o| o.row).collect::<Vec<_>>(), [2, 3]);
}

/// A BIFF workbook in the 1904 date system: a date cell and a bare serial in a date column both
/// count from 1904-01-01 (serial 42248 = 2019-09-02 there, 2015-09-01 in the 1900 system).
#[test]
fn real_biff_xls_with_1904_dates() {
    let rows = vec![
        vec![
            S("姓名"),
            S("身份证号"),
            S("城乡类别"),
            S("开始日期"),
            S("结束日期"),
        ],
        vec![
            S("张小明"),
            O(id_a()),
            S("农村"),
            D(date(2019, 9, 2)),
            N(42613.0),
        ],
    ];
    let bytes = xls("低保", &rows, true);
    let (_, out) = import(ListKind::Dibao, "低保.xls", &bytes);
    assert_eq!(errors(&out), vec![]);
    let a = assistance(&out);
    assert_eq!(a[0].valid_from, Some(date(2019, 9, 2)));
    assert_eq!(a[0].valid_to, Some(date(2020, 9, 1)));
}

#[test]
fn xlsx_with_merged_title_and_unit_row_above_header() {
    let rows = vec![
        vec![
            S("填报单位：XX县民政局"),
            Blank,
            Blank,
            S("日期：2023年9月"),
        ],
        vec![S("姓名"), S("身份证号"), S("城乡类别"), S("开始日期")],
        vec![S("张小明"), O(id_a()), S("农村"), D(date(2023, 1, 1))],
        vec![S("李小红"), O(id_b()), S("城市"), N(42248.0)],
    ];
    let bytes = xlsx(Some("XX县2023年秋季学期低保对象名单"), &rows);
    let (src, out) = import(ListKind::Dibao, "低保.xlsx", &bytes);
    assert_eq!(src.format, SourceFormat::Xlsx);
    assert_eq!(src.header_row, 3);
    assert_eq!(errors(&out), vec![]);
    assert_eq!(out.iter().map(|o| o.row).collect::<Vec<_>>(), [4, 5]);
    let a = assistance(&out);
    assert_eq!(a[0].valid_from, Some(date(2023, 1, 1)));
    assert_eq!(a[1].valid_from, Some(date(2015, 9, 1)));
    assert_eq!(a[1].area, Area::Urban);
}

/// WPS writes `<dimension ref="A1:A1"/>` whatever the sheet holds; every row must still be read.
#[test]
fn xlsx_with_wrong_wps_dimension() {
    let rows = vec![
        vec![S("姓名"), S("身份证号"), S("城乡类别")],
        vec![S("张小明"), O(id_a()), S("农村")],
        vec![S("李小红"), O(id_b()), S("城市")],
        vec![S("王小刚"), O(id_c()), S("农村")],
    ];
    let good = xlsx(None, &rows);
    let sheet_xml = zip_member(&good, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("<dimension ref=\"A1:C4\"/>"),
        "{sheet_xml}"
    );
    let wps = rewrite_zip(&good, "xl/worksheets/sheet1.xml", |x| {
        x.replace("<dimension ref=\"A1:C4\"/>", "<dimension ref=\"A1:A1\"/>")
    });
    assert!(zip_member(&wps, "xl/worksheets/sheet1.xml").contains("A1:A1"));
    let (_, out) = import(ListKind::Dibao, "wps.xlsx", &wps);
    assert_eq!(errors(&out), vec![]);
    assert_eq!(records(&out).len(), 3);
}

/// An xlsx switched to the 1904 date system (rust_xlsxwriter cannot write one, so the workbook part
/// is edited): date cells and bare serials both move by 1462 days.
#[test]
fn xlsx_in_1904_date_system() {
    let rows = vec![
        vec![
            S("姓名"),
            S("身份证号"),
            S("城乡类别"),
            S("开始日期"),
            S("结束日期"),
        ],
        vec![
            S("张小明"),
            O(id_a()),
            S("农村"),
            D(date(2015, 9, 1)),
            N(42248.0),
        ],
    ];
    let plain = xlsx(None, &rows);
    let (_, out) = import(ListKind::Dibao, "1900.xlsx", &plain);
    let a = assistance(&out);
    assert_eq!(
        (a[0].valid_from, a[0].valid_to),
        (Some(date(2015, 9, 1)), Some(date(2015, 9, 1)))
    );

    let mac = rewrite_zip(&plain, "xl/workbook.xml", |x| {
        x.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
    });
    assert!(zip_member(&mac, "xl/workbook.xml").contains("date1904=\"1\""));
    let (_, out) = import(ListKind::Dibao, "1904.xlsx", &mac);
    assert_eq!(errors(&out), vec![]);
    let a = assistance(&out);
    assert_eq!(
        (a[0].valid_from, a[0].valid_to),
        (Some(date(2019, 9, 2)), Some(date(2019, 9, 2)))
    );
}

#[test]
fn header_on_second_sheet_is_found() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let first = book.add_worksheet();
    first.write_string(0, 0, "说明：本表由民政局提供").unwrap();
    let second = book.add_worksheet();
    second.set_name("名单").unwrap();
    for (c, h) in (0u16..).zip(["姓名", "身份证号", "城乡类别"]) {
        second.write_string(0, c, h).unwrap();
    }
    second.write_string(1, 0, "张小明").unwrap();
    second.write_string(1, 1, id_a()).unwrap();
    second.write_string(1, 2, "农村").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (src, out) = import(ListKind::Dibao, "低保.xlsx", &bytes);
    assert_eq!(src.sheet, "名单");
    assert_eq!(records(&out).len(), 1);
}

#[test]
fn broken_and_empty_files() {
    let e = open_err(ListKind::Dibao, "a.xlsx", b"PK\x03\x04garbage");
    assert!(
        matches!(e, ImportError::Unreadable { format: "xlsx", .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), "E-IMP-002");
    let e = open_err(ListKind::Dibao, "a.xls", b"\xD0\xCF\x11\xE0garbage");
    assert!(
        matches!(e, ImportError::Unreadable { format: "xls", .. }),
        "{e:?}"
    );
    assert_eq!(open_err(ListKind::Dibao, "a.csv", b""), ImportError::Empty);
    assert_eq!(
        open_err(ListKind::Dibao, "a.csv", b"\n , \n\n"),
        ImportError::Empty
    );
    assert_eq!(
        open_err(ListKind::Dibao, "a.xlsx", &xlsx(None, &[])),
        ImportError::Empty
    );
}
