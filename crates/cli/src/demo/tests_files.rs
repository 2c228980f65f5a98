//! Tests of the generated files: determinism (same seed, same bytes), the faulty 低保 file, the
//! encodings and separators of the text files, the workbooks' title rows, the benchmark CSVs.

use super::tests::{read_gbk, small_dir, valid};
use super::*;

#[test]
fn faulty_dibao_has_exactly_three_bad_rows() {
    let (dir, m) = small_dir(9);
    let raw = read_gbk(&dir.path().join("dibao-2023-原始.csv"));
    let good = read_gbk(&dir.path().join("dibao-2023.csv"));
    assert!(
        m.files
            .iter()
            .find(|f| f.path.ends_with("dibao-2023-原始.csv"))
            .unwrap()
            .expect_rejected
    );
    let raw: Vec<&str> = raw.lines().collect();
    let good: Vec<&str> = good.lines().collect();
    assert_eq!(raw.len(), good.len());
    assert_eq!(raw[0], "序号,乡镇,姓名,身份证号,城乡类别,开始日期,结束日期");
    let diff: Vec<(&str, &str)> = raw
        .iter()
        .zip(&good)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
        .collect();
    assert_eq!(diff.len(), 3, "{diff:?}");
    let id = |l: &str| l.split(',').nth(3).unwrap().to_string();
    let bad_check = diff
        .iter()
        .filter(|(a, b)| id(a).len() == 18 && !valid(&id(a)) && valid(&id(b)))
        .count();
    let sci = diff.iter().filter(|(a, _)| id(a) == "3.60731E+17").count();
    let date = diff
        .iter()
        .filter(|(a, _)| a.split(',').nth(5) == Some("2023年2月30日"))
        .count();
    assert_eq!((bad_check, sci, date), (1, 1, 1));
    for l in good.iter().skip(1) {
        assert!(valid(&id(l)), "{l}");
        for d in [l.split(',').nth(5).unwrap(), l.split(',').nth(6).unwrap()] {
            assert!(
                d.is_empty() || zizhu_domain::dates::parse_date(d).is_ok(),
                "{d}"
            );
        }
    }
}

#[test]
fn text_files_have_their_encodings_and_separators() {
    let (dir, m) = small_dir(3);
    let xls = read_gbk(&dir.path().join("students-2023-autumn.xls"));
    let lines: Vec<&str> = xls.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), m.students_per_term[1].1 + 1);
    assert!(lines[0].starts_with("学校标识码\t学校名称\t姓名"));
    assert!(lines
        .iter()
        .all(|l| l.split('\t').count() == 19 && !l.contains(',')));
    assert!(lines[1..].iter().all(|l| {
        let c: Vec<&str> = l.split('\t').collect();
        c[0].starts_with("'2136") && c[6].starts_with('\'') && valid(&c[6][1..])
    }));
    for name in ["college-admissions-2023.csv", "dibao-2023.csv"] {
        assert!(read_gbk(&dir.path().join(name)).contains('演'));
    }
    let tekun = std::fs::read(dir.path().join("tekun.csv")).unwrap();
    assert!(tekun.starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(std::str::from_utf8(&tekun[3..])
        .unwrap()
        .starts_with("姓名,身份证号,城乡类别"));
    let disabled = std::fs::read_to_string(dir.path().join("disabled.csv")).unwrap();
    assert!(disabled.starts_with("姓名,身份证号,残疾人证号,残疾类别,残疾等级"));
    assert!(disabled.contains('•') && !disabled.contains('·') && !disabled.contains('\r'));
}

#[test]
fn workbooks_have_title_rows_and_headers() {
    use calamine::{open_workbook_auto, Data, Reader};
    let (dir, m) = small_dir(4);
    let mut wb = open_workbook_auto(dir.path().join("students-2023-spring.xlsx")).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cell = |r: usize, c: usize| sheet.get((r, c)).cloned().unwrap_or(Data::Empty);
    assert!(cell(0, 0).to_string().contains("演示数据，人员均为虚构"));
    assert_eq!(cell(1, 0).to_string(), "制表日期：2023年3月1日");
    assert_eq!(cell(2, 4).to_string(), "身份证\n件号");
    assert!(matches!(cell(3, 3), Data::DateTime(_)));
    assert_eq!(sheet.height(), m.students_per_term[0].1 + 3);
    for r in 3..sheet.height() {
        assert!(valid(&cell(r, 4).to_string()));
    }
    let mut wb = open_workbook_auto(dir.path().join("poor-households.xlsx")).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let fifteen = (2..sheet.height())
        .filter(|&r| sheet.get((r, 7)).is_some_and(|c| c.to_string().len() == 15))
        .count();
    assert_eq!(fifteen, 2);
    for (name, header) in [
        ("schools.xlsx", "学校标识码"),
        ("urban-hardship.xlsx", "序号"),
    ] {
        let mut wb = open_workbook_auto(dir.path().join(name)).unwrap();
        let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
        assert!(sheet.get((0, 0)).unwrap().to_string().contains("演示数据"));
        assert_eq!(sheet.get((1, 0)).unwrap().to_string(), header);
    }
}

#[test]
fn bench_streams_plain_csvs() {
    let dir = tempfile::tempdir().unwrap();
    let m = generate_bench(dir.path(), 4000, 1).unwrap();
    assert_eq!(m.files.len(), 8);
    assert_eq!(m.students_per_term, vec![(AUTUMN, 4000)]);
    let students = std::fs::read_to_string(&m.files[1].path).unwrap();
    assert!(students.starts_with("姓名,性别,出生日期,身份证件号,学籍号,学校标识码,年级"));
    assert_eq!(students.lines().count(), 4001);
    for f in &m.files {
        let text = std::fs::read_to_string(&f.path).unwrap();
        assert!(text.lines().count() > 1, "{}", f.path.display());
        assert!(!text.starts_with('\u{feff}'));
    }
    let again = tempfile::tempdir().unwrap();
    generate_bench(again.path(), 4000, 1).unwrap();
    assert_eq!(
        std::fs::read(&m.files[1].path).unwrap(),
        std::fs::read(again.path().join("students-2023-autumn.csv")).unwrap()
    );
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let (a, ma) = small_dir(5);
    let (b, mb) = small_dir(5);
    let (c, _) = small_dir(6);
    assert_eq!(ma.files.len(), 12);
    for f in &ma.files {
        let name = f.path.file_name().unwrap();
        let x = std::fs::read(a.path().join(name)).unwrap();
        assert_eq!(
            x,
            std::fs::read(b.path().join(name)).unwrap(),
            "{name:?} differs for the same seed"
        );
    }
    assert_eq!(ma.students_per_term, mb.students_per_term);
    let name = "students-2023-autumn.xls";
    assert_ne!(
        std::fs::read(a.path().join(name)).unwrap(),
        std::fs::read(c.path().join(name)).unwrap()
    );
}
