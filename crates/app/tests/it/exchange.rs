//! Teacher exchange (三(三)), end to end on a SQLite file: the school list with 城乡类型, the
//! teacher list and the assignments imported as files; refused rows named; the school year's
//! counts worked by hand from the clause.

use crate::fixtures::{id, write};
use zizhu_app::import::{import_file, ImportOutcome, ImportRequest};
use zizhu_domain::exchange::Share;
use zizhu_domain::ListKind;

async fn import(
    db: &zizhu_store::Db,
    dir: &std::path::Path,
    kind: ListKind,
    name: &str,
    body: &str,
) -> ImportOutcome {
    let req = ImportRequest {
        origin: None,
        kind,
        file: write(dir, name, body),
        term: None,
        dry_run: false,
        actor: "county".into(),
        report_dir: dir.to_path_buf(),
    };
    import_file(db, &req, &|_| {}).await.unwrap()
}

/// 城区小学 U1, 城区初中 U2, 乡村小学 R1, 乡村九年一贯制 R2, 城区高中 H, 小学 N without 城乡类型.
const SCHOOLS: &str = "学校标识码,学校名称,办学类型,办学性质,所在乡镇,城乡类型
2136000011,于都县演示城区小学,小学,公办,贡江镇,城区
2136000012,于都县演示城区初中,初中,公办,贡江镇,城区
2136000021,于都县演示乡村小学,小学,公办,银坑镇,乡村
2136000022,于都县演示乡村九年一贯制学校,九年一贯制学校,公办,银坑镇,乡村
2136000031,于都县演示高级中学,普通高中,公办,贡江镇,城区
2136000041,于都县演示无类型小学,小学,公办,禾丰镇,
";
const U1: &str = "2136000011";
const U2: &str = "2136000012";
const R1: &str = "2136000021";
const R2: &str = "2136000022";
const H: &str = "2136000031";
const N: &str = "2136000041";

async fn county() -> (tempfile::TempDir, zizhu_store::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = zizhu_store::Db::connect(&format!("sqlite:{}", dir.path().join("z.db").display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let o = import(&db, dir.path(), ListKind::Schools, "学校.csv", SCHOOLS).await;
    assert!(o.accepted(), "{:?}", o.errors);
    (dir, db)
}

fn rules() -> zizhu_domain::exchange::ExchangeRules {
    let policy = zizhu_policy::Policy::parse(include_str!("../../../../policy/2023.toml")).unwrap();
    policy.file.teacher_exchange.unwrap().rules().unwrap()
}

/// Unknown schools and one teacher's overlapping assignments refuse the file (nothing written),
/// each named with its row and column; a teacher missing from the teacher list is a warning.
#[tokio::test]
async fn clause_3_3_import_refuses_unknown_schools_and_overlaps() {
    let (dir, db) = county().await;
    let (t1, t2) = (id("19800101", 31), id("19850202", 32));
    let teachers = format!(
        "身份证件号,姓名,任职学校标识码,教职工号\n{t1},甲演师,{U1},T001\n{t2},乙演师,9999999999,T002\n"
    );
    let o = import(&db, dir.path(), ListKind::Teachers, "教师.csv", &teachers).await;
    let at: Vec<(usize, &str)> = o
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(at, vec![(3, "任职学校标识码")]);
    assert!(db.teachers().await.unwrap().is_empty(), "all or nothing");
    let teachers = format!("身份证件号,姓名,任职学校标识码\n{t1},甲演师,{U1}\n");
    assert!(
        import(&db, dir.path(), ListKind::Teachers, "教师.csv", &teachers)
            .await
            .accepted()
    );
    let bad = format!(
        "身份证件号,姓名,派出学校标识码,接收学校标识码,开始日期,结束日期\n\
         {t1},甲演师,{U1},{R1},2023-09-01,2024-07-15\n\
         {t1},甲演师,{U1},{R2},2024-07-15,2025-07-15\n\
         {t2},乙演师,{U2},2136009999,2023-09-01,2024-07-15\n"
    );
    let o = import(
        &db,
        dir.path(),
        ListKind::TeacherExchanges,
        "交流.csv",
        &bad,
    )
    .await;
    let at: Vec<(usize, &str)> = o
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(at, vec![(3, "开始日期"), (4, "接收学校标识码")]);
    assert!(o.errors[0].reason.contains("第2行"), "{:?}", o.errors[0]);
    assert!(db.teacher_exchanges().await.unwrap().is_empty());
    // Without the overlap (the second starts the day after the first ends) and the unknown
    // school: accepted, 乙 not in the teacher list is a warning.
    let good = bad
        .replace("2024-07-15,2025-07-15", "2024-07-16,2025-07-15")
        .replace("2136009999", R1);
    let o = import(
        &db,
        dir.path(),
        ListKind::TeacherExchanges,
        "交流.csv",
        &good,
    )
    .await;
    assert!(o.accepted(), "{:?}", o.errors);
    assert_eq!(o.warnings.len(), 1);
    assert_eq!(
        (o.warnings[0].row, o.warnings[0].column.as_str()),
        (4, "身份证件号")
    );
    assert_eq!(db.teacher_exchanges().await.unwrap().len(), 3);
    // A new file replaces the whole list.
    let one = format!(
        "身份证件号,姓名,派出学校标识码,接收学校标识码,开始日期,结束日期\n\
         {t1},甲演师,{U1},{R1},2023-09-01,2024-07-15\n"
    );
    assert!(import(
        &db,
        dir.path(),
        ListKind::TeacherExchanges,
        "交流2.csv",
        &one
    )
    .await
    .accepted());
    assert_eq!(db.teacher_exchanges().await.unwrap().len(), 1);
}

/// 三(三), 2023 学年 (2023-09-01 – 2024-08-31) as of 2024-06-15, notice 30 days:
/// 甲 U1→R1 to 2024-07-15 (fits; exactly 30 days left: due), 乙 U1→R2 to 2025-08-31 (fits,
/// serving), 丙 R1→U2 to 2024-01-31 (the wrong way: ended), 丁 H→R1 (高中, not compulsory),
/// 戊 U2→N (N has no 城乡类型: cannot be checked), 己 U2→R1 2022-09-01 – 2023-08-31 (not in the
/// year). U1 sent 甲 乙: 2/2, due 1. U2 sent 戊 0/1, received 丙 0/1. R1 sent 丙 0/1 (ended 1),
/// received 甲 丁: 1/2. R2 received 乙 1/1. County: 5 teachers, 2 fit (40.0%).
#[tokio::test]
async fn clause_3_3_a_small_county_per_school_and_year() {
    let (dir, db) = county().await;
    let p: Vec<String> = (41..47).map(|s| id("19800303", s)).collect();
    let rows = [
        (&p[0], "甲演师", U1, R1, "2023-09-01", "2024-07-15"),
        (&p[1], "乙演师", U1, R2, "2023-09-01", "2025-08-31"),
        (&p[2], "丙演师", R1, U2, "2023-09-01", "2024-01-31"),
        (&p[3], "丁演师", H, R1, "2024-02-01", "2025-01-31"),
        (&p[4], "戊演师", U2, N, "2023-10-01", "2024-09-30"),
        (&p[5], "己演师", U2, R1, "2022-09-01", "2023-08-31"),
    ];
    let mut body =
        String::from("身份证件号,姓名,派出学校标识码,接收学校标识码,开始日期,结束日期\n");
    for (i, n, f, t, s, e) in rows {
        body.push_str(&format!("{i},{n},{f},{t},{s},{e}\n"));
    }
    let o = import(
        &db,
        dir.path(),
        ListKind::TeacherExchanges,
        "交流.csv",
        &body,
    )
    .await;
    assert!(o.accepted(), "{:?}", o.errors);
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 6, 15).unwrap();
    let r = zizhu_app::exchange::evaluate(&db, &rules(), 2023, as_of)
        .await
        .unwrap();
    assert_eq!(r.assignments.len(), 5, "己 ended before the school year");
    let sh = |part, whole| Share { part, whole };
    assert_eq!(r.share, sh(2, 5));
    assert_eq!(r.share.display(), "2/5（40.0%）");
    let of = |c: &str| r.schools.iter().find(|s| s.code == c).unwrap().sums.clone();
    let u1 = of(U1);
    assert_eq!((u1.sent, u1.sent_due, u1.sent_ended), (sh(2, 2), 1, 0));
    let u2 = of(U2);
    assert_eq!((u2.sent, u2.received), (sh(0, 1), sh(0, 1)));
    let r1 = of(R1);
    assert_eq!(
        (r1.sent, r1.received, r1.sent_ended),
        (sh(0, 1), sh(1, 2), 1)
    );
    assert_eq!(of(R2).received, sh(1, 1));
    assert_eq!(of(H).sent, sh(0, 1));
    assert_eq!(of(N).received, sh(0, 1));
    assert_eq!((r.due(), r.ended()), (1, 1));
    // 丙 (wrong way) and 丁 (高中) are off the policy; 戊 cannot be checked.
    assert_eq!((r.off_policy(), r.unverifiable()), (2, 1));
    let wu = r
        .assignments
        .iter()
        .find(|a| a.checked.assignment.name == "戊演师")
        .unwrap();
    assert_eq!(
        wu.findings,
        vec!["接收学校没有城乡类型，无法核查".to_string()]
    );
    // A school officer of R1 sees what R1 sent and received: 甲, 丙, 丁.
    let mine = r.scoped(|code, _| code == R1);
    assert_eq!(mine.assignments.len(), 3);
    assert_eq!(mine.share, sh(1, 3));
    assert_eq!(mine.schools.len(), 1);
    // The 2024 学年 holds those that reach past 2024-09-01: 乙, 丁, 戊.
    let next = zizhu_app::exchange::evaluate(&db, &rules(), 2024, as_of)
        .await
        .unwrap();
    assert_eq!(next.assignments.len(), 3);
    assert_eq!(
        zizhu_app::exchange::years(&db, &rules()).await.unwrap(),
        vec![2024, 2023, 2022]
    );
    let out = dir.path().join("交流轮岗.xlsx");
    zizhu_app::exchange_report::write_report(&out, "测试", &r).unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
}
