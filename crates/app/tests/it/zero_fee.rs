//! 零收费发放记录 (三(一)) imported as files: a school's second list of a school year replaces its
//! first and says so at the check and at the import, per (school, school year) pair; another
//! school's rows stay untouched and unmentioned.

use crate::fixtures::{id, write};
use zizhu_app::import::{import_file, ImportOutcome, ImportRequest};
use zizhu_domain::ListKind;

async fn import_as(
    db: &zizhu_store::Db,
    dir: &std::path::Path,
    kind: ListKind,
    name: &str,
    body: &str,
    dry_run: bool,
) -> ImportOutcome {
    let req = ImportRequest {
        origin: None,
        kind,
        file: write(dir, name, body),
        term: None,
        dry_run,
        actor: "county".into(),
        report_dir: dir.to_path_buf(),
    };
    import_file(db, &req, &|_| {}).await.unwrap()
}

async fn import(
    db: &zizhu_store::Db,
    dir: &std::path::Path,
    name: &str,
    body: &str,
    dry_run: bool,
) -> ImportOutcome {
    let o = import_as(db, dir, ListKind::ZeroFeeIssues, name, body, dry_run).await;
    assert!(o.accepted(), "{name}: {:?}", o.errors);
    o
}

/// A fresh database with the fixture county's school list.
async fn with_schools() -> (tempfile::TempDir, zizhu_store::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = zizhu_store::Db::connect(&format!("sqlite:{}", dir.path().join("z.db").display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let schools = import_as(
        &db,
        dir.path(),
        ListKind::Schools,
        "schools.csv",
        crate::fixtures::SCHOOLS,
        false,
    )
    .await;
    assert!(schools.accepted(), "{:?}", schools.errors);
    // Autumn 2023's registry: 甲乙丙丁 at the primary school, 甲 also at the junior school (a
    // duplicate enrolment): an issue list names only a school's own students.
    let row = |n: &str, seq: u32, school: &str| {
        let i = id("20150101", seq);
        format!("{n},{i},G{i},{school},三年级,否,农业,,,在读,不困难\n")
    };
    let registry = format!(
        "姓名,身份证件号,学籍号,学校标识码,年级,是否住校,户口性质,专业,是否涉农专业,学籍状态,家庭经济困难认定\n{}{}{}{}{}",
        row("甲演一", 1, "2136000001"),
        row("乙演二", 2, "2136000001"),
        row("丙演三", 3, "2136000001"),
        row("丁演四", 4, "2136000001"),
        row("甲演一", 1, "2136000002"),
    );
    let req = ImportRequest {
        origin: None,
        kind: ListKind::Students,
        file: write(dir.path(), "students.csv", &registry),
        term: Some(zizhu_domain::Term::new(2023, zizhu_domain::Season::Autumn)),
        dry_run: false,
        actor: "county".into(),
        report_dir: dir.path().to_path_buf(),
    };
    let students = import_file(&db, &req, &|_| {}).await.unwrap();
    assert!(students.accepted(), "{:?}", students.errors);
    (dir, db)
}

const HEAD: &str = "学年,学校标识码,身份证件号,姓名,项目,发放日期,数量,承保单位,保单号\n";

#[tokio::test]
async fn a_second_list_of_a_school_year_replaces_the_first_and_says_so() {
    let (dir, db) = with_schools().await;
    let (a, b, c, d) = (
        id("20150101", 1),
        id("20150101", 2),
        id("20150101", 3),
        id("20150101", 4),
    );
    let first = format!(
        "{HEAD}2023,2136000001,{a},甲演一,校服,2023-09-01,1,,\n\
         2023,2136000001,{b},乙演二,校服,2023-09-01,1,,\n\
         2023,2136000001,{c},丙演三,校服,2023-09-01,1,,\n\
         2023,2136000001,{d},丁演四,校服,2023-09-01,1,,\n\
         2023,2136000002,{a},甲演一,教辅,2023-09-01,1,,\n"
    );
    let o = import(&db, dir.path(), "first.csv", &first, false).await;
    assert!(
        o.warnings.is_empty(),
        "nothing on record yet: {:?}",
        o.warnings
    );
    // School 2136000001 sends a list of one row for 2023: 4 rows replaced, 1 is under a third
    // (1 × 3 < 4) and flagged.
    let second = format!("{HEAD}2023,2136000001,{a},甲演一,教辅,2023-09-02,1,,\n");
    for dry_run in [true, false] {
        let o = import(&db, dir.path(), "second.csv", &second, dry_run).await;
        let notes: Vec<(usize, &str)> = o
            .warnings
            .iter()
            .map(|w| (w.row, w.reason.as_str()))
            .collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].0, 2);
        assert!(
            notes[0]
                .1
                .contains("替换该校2023学年已有的 4 条发放记录（文件中该校该学年 1 行）"),
            "{notes:?}"
        );
        assert!(notes[0].1.contains("相差很大"), "{notes:?}");
    }
    let left: Vec<(String, String)> = db
        .zero_fee_issues(2023)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.issue.school_code, s.issue.item.key().to_string()))
        .collect();
    assert_eq!(
        left,
        vec![
            ("2136000001".into(), "teaching_materials".into()),
            ("2136000002".into(), "teaching_materials".into()),
        ]
    );
}

/// A row of a school not on the school list is refused with the file (review: it was stored,
/// shown at no school, and still counted for the student).
#[tokio::test]
async fn a_school_not_on_the_list_refuses_the_file() {
    let (dir, db) = with_schools().await;
    let a = id("20150101", 1);
    let body = format!(
        "{HEAD}2023,2136000001,{a},甲演一,校服,2023-09-01,1,,\n2023,9999999999,{a},甲演一,教辅,2023-09-01,1,,\n"
    );
    let o = import_as(
        &db,
        dir.path(),
        ListKind::ZeroFeeIssues,
        "bad.csv",
        &body,
        false,
    )
    .await;
    assert!(!o.accepted());
    let at: Vec<(usize, &str, &str)> = o
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.value.as_str()))
        .collect();
    // The school is unknown, so the student is in no registry of it either.
    assert_eq!(
        at,
        vec![
            (3, "学校标识码", "9999999999"),
            (3, "身份证件号", "360731**********19")
        ]
    );
    assert!(
        db.zero_fee_issues(2023).await.unwrap().is_empty(),
        "nothing kept"
    );
}

/// An issue list names the school's own students under the registry's names (review: a wrong
/// name, or another school's student, passed at import while the web refused both).
#[tokio::test]
async fn a_student_not_in_the_schools_registry_or_misnamed_refuses_the_file() {
    let (dir, db) = with_schools().await;
    let (a, b) = (id("20150101", 1), id("20150101", 2));
    let body = format!(
        "{HEAD}2023,2136000001,{a},甲演一,校服,2023-09-01,1,,\n\
         2023,2136000002,{b},乙演二,校服,2023-09-01,1,,\n\
         2023,2136000001,{b},乙演三,教辅,2023-09-01,1,,\n\
         2024,2136000001,{a},甲演一,教辅,2024-09-01,1,,\n"
    );
    let o = import_as(
        &db,
        dir.path(),
        ListKind::ZeroFeeIssues,
        "bad.csv",
        &body,
        true,
    )
    .await;
    let at: Vec<(usize, &str)> = o
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    // Row 3: 乙 is not at the junior school; row 4: the registry says 乙演二; row 5: no
    // registry of school year 2024 has 甲.
    assert_eq!(
        at,
        vec![(3, "身份证件号"), (4, "姓名"), (5, "身份证件号")],
        "{:?}",
        o.errors
    );
    assert!(o.errors[1].reason.contains("乙演二"), "{:?}", o.errors[1]);
    assert!(
        !o.errors[0].value.contains(&b),
        "the ID is masked in the report"
    );
}
