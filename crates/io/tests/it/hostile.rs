//! Workbooks found by trying to break the importer: a stray cell at the far corner of a sheet,
//! hidden sheets, the same list split over two sheets, malformed cell references.

use crate::fixtures::*;
use rust_xlsxwriter::Workbook;
use zizhu_domain::ListKind;
use zizhu_io::ImportError;

fn urban_sheet(ws: &mut rust_xlsxwriter::Worksheet, ids: &[String]) {
    for (c, h) in ["姓名", "身份证号", "开始日期", "结束日期"]
        .iter()
        .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, id) in ids.iter().enumerate() {
        ws.write(r as u32 + 1, 0, "甲演一").unwrap();
        ws.write(r as u32 + 1, 1, id.as_str()).unwrap();
    }
}

#[test]
fn a_stray_cell_in_the_far_corner_costs_nothing() {
    // Once allocated a dense 1,048,576 × 16,384 grid (512 GiB) and aborted.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    urban_sheet(ws, &[id_a()]);
    ws.write(1_048_575, 16_383, "x").unwrap();
    ws.write(20_000, 16_383, " ").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (_, out) = import(ListKind::UrbanHardship, "far.xlsx", &bytes);
    assert_eq!(records(&out).len(), 1);
    assert!(errors(&out).is_empty(), "{:?}", errors(&out));
}

#[test]
fn hidden_sheets_are_not_imported() {
    let mut wb = Workbook::new();
    let old = wb.add_worksheet();
    old.set_name("旧名单").unwrap();
    urban_sheet(old, &[id_a(), id_b()]);
    old.set_hidden(true);
    let cur = wb.add_worksheet();
    cur.set_name("当前名单").unwrap();
    urban_sheet(cur, &[id_c()]);
    cur.set_active(true);
    let bytes = wb.save_to_buffer().unwrap();
    let (src, out) = import(ListKind::UrbanHardship, "hidden.xlsx", &bytes);
    assert_eq!(src.sheet, "当前名单");
    assert_eq!(records(&out).len(), 1);
}

#[test]
fn a_list_split_over_two_sheets_is_refused() {
    // Importing only the first would drop the second sheet's people when the list is replaced.
    let mut wb = Workbook::new();
    let a = wb.add_worksheet();
    a.set_name("贡江镇").unwrap();
    urban_sheet(a, &[id_a()]);
    let b = wb.add_worksheet();
    b.set_name("银坑镇").unwrap();
    urban_sheet(b, &[id_b()]);
    let bytes = wb.save_to_buffer().unwrap();
    let e = open_err(ListKind::UrbanHardship, "two.xlsx", &bytes);
    assert_eq!(
        e,
        ImportError::MultipleSheets {
            sheets: vec!["贡江镇".into(), "银坑镇".into()]
        }
    );
    assert!(e.to_string().contains("合并到一个工作表"));
}

#[test]
fn malformed_cell_references_are_an_unreadable_file_not_a_crash() {
    let mut wb = Workbook::new();
    urban_sheet(wb.add_worksheet(), &[id_a()]);
    let bytes = wb.save_to_buffer().unwrap();
    for bad in ["C99999999999", "ZZZZZZZ3"] {
        let broken = rewrite_zip(&bytes, "xl/worksheets/sheet1.xml", |x| {
            x.replacen("r=\"B2\"", &format!("r=\"{bad}\""), 1)
        });
        assert_ne!(broken, bytes);
        let e = open_err(ListKind::UrbanHardship, "bad.xlsx", &broken);
        assert!(matches!(e, ImportError::Unreadable { .. }), "{bad}: {e:?}");
    }
}

#[test]
fn college_province_is_read_as_a_province_name() {
    // "江 西" was stored as typed and counted as 省外 (1000 元 instead of 500).
    let text = lines(&[
        "考生号,姓名,身份证号,录取院校,院校所在省份,录取年份",
        &format!("1,甲演一,{},南昌演示大学,江 西,2023", id_a()),
        &format!("2,乙演二,{},火星演示学院,火星,2023", id_b()),
    ]);
    let (_, out) = import(ListKind::CollegeAdmissions, "gaokao.csv", text.as_bytes());
    let e = errors(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].row, e[0].column.as_str(), e[0].value.as_str()),
        (3, "院校所在省份", "火星")
    );
    match records(&out).first() {
        Some(zizhu_domain::ListRecord::Admission(a)) => assert_eq!(a.college_province, "江西省"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn future_birth_dates_and_1899_date_cells_are_rejected() {
    let future = make_id("360731", "20990101", "123");
    let text = lines(&[
        "姓名,身份证号,开始日期,结束日期",
        &format!("甲演一,{future},2023-01-01,"),
    ]);
    let (_, out) = import(ListKind::UrbanHardship, "u.csv", text.as_bytes());
    assert!(
        errors(&out).iter().any(|e| e.reason.contains("晚于今天")),
        "{:?}",
        errors(&out)
    );
    // A date cell holding 0 shows as 1899-12-31 in Excel: not a date a list can mean.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    urban_sheet(ws, &[id_a()]);
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_number_with_format(1, 2, 0.0, &fmt).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (_, out) = import(ListKind::UrbanHardship, "zero.xlsx", &bytes);
    let e = errors(&out);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].column, "开始日期");
}

#[test]
fn a_cell_longer_than_excel_allows_is_refused_before_it_is_copied() {
    // A 51 KB file whose one 20 MB shared string was referenced by 5,000 cells asked for 100 GB
    // (each cell copied it) and aborted the server (hostile review, round 2).
    let mut wb = Workbook::new();
    urban_sheet(wb.add_worksheet(), &[id_a(), id_b()]);
    let bytes = wb.save_to_buffer().unwrap();
    let huge = "演".repeat(40_000);
    let bomb = rewrite_zip(&bytes, "xl/sharedStrings.xml", |x| {
        x.replacen("甲演一", &huge, 1)
    });
    assert_ne!(bomb, bytes);
    let e = open_err(ListKind::UrbanHardship, "bomb.xlsx", &bomb);
    assert!(matches!(e, ImportError::Unreadable { .. }), "{e:?}");
    assert!(e.to_string().contains("32767"), "{e}");
}

#[test]
fn many_cells_pointing_at_one_long_shared_string_are_refused() {
    // Hostile review, issue 5 round 3: a 77 KB file whose 7,000 cells all named one
    // 32,000-character shared string asked for 3.6 GB. Each cell is within Excel's limit; the
    // text all cells expand to is what is bounded (200 × the file, at least 64 MiB). Here
    // 3,000 cells × 30,000 characters × 3 bytes = 270 MB of text from a file of a few KB.
    let long = "演".repeat(30_000);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(0, 1, "身份证号").unwrap();
    for r in 1..=3_000u32 {
        ws.write_string(r, 0, &long).unwrap();
        ws.write_string(r, 1, "1").unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 300_000, "{}", bytes.len());
    let e = open_err(ListKind::Dibao, "bomb.xlsx", &bytes);
    assert!(matches!(e, ImportError::Unreadable { .. }), "{e:?}");
    assert!(e.to_string().contains("文字总量"), "{e}");
}

#[test]
fn an_error_report_shows_at_most_200_characters_of_a_cell() {
    let long = "x".repeat(5_000);
    let text = lines(&["姓名,身份证号,城乡类别", &format!("{long},1,农村")]);
    let (_, out) = import(ListKind::Dibao, "d.csv", text.as_bytes());
    let errs = errors(&out);
    assert!(!errs.is_empty());
    assert!(
        errs.iter().all(|e| e.value.chars().count() <= 201),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.value.ends_with('…')));
}
