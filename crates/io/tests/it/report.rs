//! Error reports written for the user, read back as Excel would.

use crate::fixtures::*;
use calamine::{Data, Reader, Xlsx};
use zizhu_domain::ListKind;
use zizhu_io::{write_error_report, RowError};

#[test]
fn report_in_xlsx_and_bom_csv() {
    let text = lines(&[
        "姓名,身份证号,城乡类别",
        &format!("张3,{},郊区", id_a()),
        "=HYPERLINK(1),123,农村",
    ]);
    let (_, out) = import(ListKind::Dibao, "低保名单.v2.csv", text.as_bytes());
    let errs: Vec<RowError> = errors(&out);
    assert_eq!(errs.len(), 4);

    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("低保名单.v2.错误");
    let (xlsx_path, csv_path) =
        write_error_report(&base, "低保名单.v2.csv", ListKind::Dibao, &errs).unwrap();
    assert_eq!(xlsx_path, dir.path().join("低保名单.v2.错误.xlsx"));
    assert_eq!(csv_path, dir.path().join("低保名单.v2.错误.csv"));

    let csv = std::fs::read(&csv_path).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let csv = String::from_utf8(csv[3..].to_vec()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("行号,列,值,原因"));
    assert_eq!(lines.next(), Some("2,姓名,张3,姓名含数字“3”"));
    assert_eq!(
        lines.next(),
        Some("2,城乡类别,郊区,无法识别“郊区”，允许的值：农村、城市")
    );
    assert_eq!(
        lines.next(),
        Some("3,姓名,'=HYPERLINK(1),姓名含不允许的字符（U+003D，如换行符、方向控制符或符号）")
    );

    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    let range = book.worksheet_range("导入问题").unwrap();
    assert_eq!(
        range.get((0, 0)),
        Some(&Data::String(
            "《低保名单.v2.csv》按“低保”导入的问题，共4条".into()
        ))
    );
    assert_eq!(range.get((1, 3)), Some(&Data::String("原因".into())));
    assert_eq!(range.get((2, 0)), Some(&Data::Float(2.0)));
    assert_eq!(
        range.get((4, 2)),
        Some(&Data::String("=HYPERLINK(1)".into()))
    );
    assert_eq!(range.get((5, 1)), Some(&Data::String("身份证号".into())));
    assert_eq!(range.height(), 6);
}

/// A cell longer than Excel allows (a hostile review: a 40,000-character ID) still gets its
/// report; the report shows its first 200 characters (another review: a copy of a huge value per
/// error exhausted memory), enough to find the row.
#[test]
fn a_value_longer_than_an_excel_cell_is_reported() {
    let long = "1".repeat(40_000);
    let text = lines(&["姓名,身份证号,城乡类别", &format!("张三,{long},农村")]);
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    let errs: Vec<RowError> = errors(&out);
    assert_eq!(errs.len(), 1);
    let shown = format!("{}…", "1".repeat(200));
    assert_eq!(errs[0].value, shown);
    let dir = tempfile::tempdir().unwrap();
    let (xlsx_path, csv_path) =
        write_error_report(&dir.path().join("r"), "低保.csv", ListKind::Dibao, &errs).unwrap();
    let csv = std::fs::read_to_string(csv_path).unwrap();
    assert!(csv.contains(&shown) && !csv.contains(&"1".repeat(201)));
    let mut wb: Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    let range = wb.worksheet_range("导入问题").unwrap();
    assert_eq!(range.get_value((2, 2)), Some(&Data::String(shown)));
}
