//! The dropout scan (控辍保学比对, 二(二)) on a small county: each suspect reason, the
//! compulsory-age boundary (6 by 31 August), attention groups from every list, an idempotent
//! re-scan, a child who enrols (flagged for verification, not dropped), and a child verified as
//! having moved away (found again, no new case).

use crate::fixtures::{self, id};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::Path;
use zizhu_app::import::{import_file, ImportRequest};
use zizhu_domain::dropout::{
    AttentionGroup as G, CaseState, Move, NotDropoutReason, SuspectReason as R, UserLevel,
};
use zizhu_domain::{ListKind, Season, Term};
use zizhu_policy::Policy;
use zizhu_store::{Actor, CaseFilter, Db};

const POLICY: &str = include_str!("../../../../policy/2023.toml");
const AUTUMN: Term = Term {
    year: 2023,
    season: Season::Autumn,
};

async fn import(
    db: &Db,
    dir: &Path,
    kind: ListKind,
    name: &str,
    content: &str,
    term: Option<Term>,
) {
    let file = fixtures::write(dir, name, content);
    let req = ImportRequest {
        origin: None,
        kind,
        file,
        term,
        dry_run: false,
        actor: "test".into(),
        report_dir: dir.to_path_buf(),
    };
    let o = import_file(db, &req, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import {name}: {e}"));
    assert!(o.errors.is_empty(), "{name}: {:?}", o.errors);
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct Kids {
    a: String, // enrolled, on the return
    b: String, // enrolled, missing from the return; poor family
    c: String, // 辍学
    d: String, // 休学 this term and the last
    e: String, // 休学 this term only
    f: String, // 转出, enrolled nowhere
    g: String, // enrolled at a school that sent no return
    h: String, // six on 31 Aug 2023, never enrolled, left-behind
    i: String, // six on 1 Sep 2023: not yet of compulsory age
    j: String, // never enrolled, disabled
    k: String, // poor-household member only, never enrolled
    l: String, // enrolled, on the return
}

fn kids() -> Kids {
    Kids {
        a: id("20140301", 11),
        b: id("20130402", 13),
        c: id("20100503", 15),
        d: id("20110604", 17),
        e: id("20110705", 19),
        f: id("20100806", 21),
        g: id("20120907", 23),
        h: id("20170831", 25),
        i: id("20170901", 27),
        j: id("20120110", 29),
        k: id("20100211", 31),
        l: id("20100312", 33),
    }
}

fn students(k: &Kids, h_enrolled: bool, term_rows: &[(&str, &str, &str, &str)]) -> String {
    let mut s = String::from("姓名,身份证件号,学籍号,学校标识码,年级,是否住校,学籍状态\n");
    for (name, idn, school, grade_status) in term_rows {
        let (grade, status) = grade_status.split_once('/').unwrap();
        s += &format!("{name},{idn},G{idn},{school},{grade},否,{status}\n");
    }
    if h_enrolled {
        s += &format!("测试入学,{},G{},2136000001,一年级,否,在读\n", k.h, k.h);
    }
    s
}

async fn load(db: &Db, dir: &Path) -> Kids {
    let k = kids();
    import(
        db,
        dir,
        ListKind::Schools,
        "schools.csv",
        fixtures::SCHOOLS,
        None,
    )
    .await;
    let autumn = [
        ("测试甲", k.a.as_str(), "2136000001", "三年级/在读"),
        ("测试乙", &k.b, "2136000001", "四年级/在读"),
        ("测试丙", &k.c, "2136000002", "八年级/辍学"),
        ("测试丁", &k.d, "2136000002", "七年级/休学"),
        ("测试戊", &k.e, "2136000002", "七年级/休学"),
        ("测试己", &k.f, "2136000002", "八年级/转出"),
        ("测试庚", &k.g, "2136000007", "五年级/在读"),
        ("测试壬", &k.l, "2136000002", "八年级/在读"),
    ];
    import(
        db,
        dir,
        ListKind::Students,
        "autumn.csv",
        &students(&k, false, &autumn),
        Some(AUTUMN),
    )
    .await;
    let spring = [
        ("测试丁", k.d.as_str(), "2136000002", "六年级/休学"),
        ("测试戊", &k.e, "2136000002", "六年级/在读"),
    ];
    let spring_term = Term::new(2023, Season::Spring);
    import(
        db,
        dir,
        ListKind::Students,
        "spring.csv",
        &students(&k, false, &spring),
        Some(spring_term),
    )
    .await;
    let mut res = String::from("姓名,身份证号,乡镇,村,户号,监护人,联系电话,是否留守儿童\n");
    for (name, idn, left) in [
        ("测试甲", &k.a, "否"),
        ("测试乙", &k.b, "否"),
        ("测试丙", &k.c, "否"),
        ("测试丁", &k.d, "否"),
        ("测试戊", &k.e, "否"),
        ("测试己", &k.f, "否"),
        ("测试庚", &k.g, "否"),
        ("测试辛", &k.h, "是"),
        ("测试癸", &k.i, "否"),
        ("测试子", &k.j, "否"),
        ("测试壬", &k.l, "否"),
    ] {
        res += &format!("{name},{idn},贡江镇,演示村,H1,测试监护人,13800000000,{left}\n");
    }
    import(db, dir, ListKind::Residents, "residents.csv", &res, None).await;
    let att = format!(
        // B is listed by another school than its own: still absent from its own school.
        "学校标识码,姓名,身份证件号\n2136000001,测试甲,{}\n2136000002,测试壬,{}\n2136000002,测试乙,{}\n",
        k.a, k.l, k.b
    );
    import(
        db,
        dir,
        ListKind::Attendance,
        "attendance.csv",
        &att,
        Some(AUTUMN),
    )
    .await;
    let poor = format!(
        "户编号,姓名,身份证号,与户主关系,贫困状态,脱贫年度,乡镇,村\nP1,测试乙,{},之子,已脱贫,2019,贡江镇,演示村\nP2,测试丑,{},之子,已脱贫,2019,银坑镇,二村\n",
        k.b, k.k
    );
    import(db, dir, ListKind::PoorHouseholds, "poor.csv", &poor, None).await;
    let dis = format!(
        "姓名,身份证号,残疾人证号,残疾类别,残疾等级\n测试子,{},{}11,肢体,二级\n",
        k.j, k.j
    );
    import(db, dir, ListKind::Disabled, "disabled.csv", &dis, None).await;
    k
}

/// A migrated SQLite database in a new folder (the folder also takes the imported files).
async fn fresh() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite:{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    (dir, db)
}

fn county() -> Actor {
    Actor {
        name: "县资助中心".into(),
        level: UserLevel::County,
        origin: None,
    }
}

async fn suspects(db: &Db) -> BTreeMap<String, (Vec<R>, Vec<G>, CaseState, bool)> {
    db.cases(&CaseFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.child.id_number.clone(),
                (c.child.reasons, c.child.groups, c.state, c.recheck),
            )
        })
        .collect()
}

#[tokio::test]
async fn scan_finds_every_reason_and_rescans_idempotently() {
    let (dir, db) = fresh().await;
    let k = load(&db, dir.path()).await;
    let rules = Policy::parse(POLICY).unwrap().dropout_rules().unwrap();
    let as_of = d(2023, 10, 15);

    // A term with no registry is refused: every child would look never enrolled.
    let spring24 = Term::new(2024, Season::Spring);
    let refused = zizhu_app::dropout::scan(&db, &rules, d(2024, 3, 1), spring24, &county()).await;
    assert!(refused.is_err());
    assert!(db.cases(&CaseFilter::default()).await.unwrap().is_empty());

    let o = zizhu_app::dropout::scan(&db, &rules, as_of, AUTUMN, &county())
        .await
        .unwrap();
    let want: BTreeMap<String, (Vec<R>, Vec<G>, CaseState, bool)> = [
        (&k.b, vec![R::AbsentFromAttendance], vec![G::PoorFamily]),
        (&k.c, vec![R::StatusDroppedOut], vec![]),
        (&k.d, vec![R::SuspendedTooLong], vec![]),
        (&k.f, vec![R::TransferredUnreceived], vec![]),
        (&k.h, vec![R::NeverEnrolled], vec![G::LeftBehind]),
        (&k.j, vec![R::NeverEnrolled], vec![G::Disabled]),
        (&k.k, vec![R::NeverEnrolled], vec![G::PoorFamily]),
    ]
    .into_iter()
    .map(|(i, r, g)| (i.clone(), (r, g, CaseState::Suspected, false)))
    .collect();
    assert_eq!(suspects(&db).await, want);
    assert_eq!(
        (o.summary.suspects, o.summary.opened, o.summary.refound),
        (7, 7, 0)
    );
    // A, B, C, D, E, F, G, H, J, L from the population, K from the poor list; I is too young.
    assert_eq!(o.summary.population, 11);
    assert_eq!(o.schools_without_return, vec!["2136000007".to_string()]);
    let by: BTreeMap<R, i64> = o.by_reason.into_iter().collect();
    assert_eq!(by.get(&R::NeverEnrolled), Some(&3));

    // The same scan again changes nothing.
    let again = zizhu_app::dropout::scan(&db, &rules, as_of, AUTUMN, &county())
        .await
        .unwrap();
    assert_eq!(
        (
            again.summary.opened,
            again.summary.refound,
            again.summary.recheck
        ),
        (0, 7, 0)
    );
    assert_eq!(suspects(&db).await, want);

    // J is verified as moved away and closed by the county; H enrols.
    let j_case = db.cases_of(&k.j).await.unwrap()[0].id;
    let c = county();
    db.move_case(j_case, &Move::Verify, &c, d(2023, 10, 16), &rules, "")
        .await
        .unwrap();
    let moved = Move::NotDropout {
        reason: NotDropoutReason::MovedAway,
        evidence: "户籍迁出证明".into(),
        school: None,
    };
    db.move_case(j_case, &moved, &c, d(2023, 10, 17), &rules, "")
        .await
        .unwrap();
    db.move_case(
        j_case,
        &Move::Close {
            reason: "已迁出本县".into(),
        },
        &c,
        d(2023, 10, 18),
        &rules,
        "",
    )
    .await
    .unwrap();
    let autumn = [
        ("测试甲", k.a.as_str(), "2136000001", "三年级/在读"),
        ("测试乙", &k.b, "2136000001", "四年级/在读"),
        ("测试丙", &k.c, "2136000002", "八年级/辍学"),
        ("测试丁", &k.d, "2136000002", "七年级/休学"),
        ("测试戊", &k.e, "2136000002", "七年级/休学"),
        ("测试己", &k.f, "2136000002", "八年级/转出"),
        ("测试庚", &k.g, "2136000007", "五年级/在读"),
        ("测试壬", &k.l, "2136000002", "八年级/在读"),
    ];
    import(
        &db,
        dir.path(),
        ListKind::Students,
        "autumn2.csv",
        &students(&k, true, &autumn),
        Some(AUTUMN),
    )
    .await;
    let att = format!(
        "学校标识码,姓名,身份证件号\n2136000001,测试甲,{}\n2136000001,测试入学,{}\n2136000002,测试壬,{}\n",
        k.a, k.h, k.l
    );
    import(
        &db,
        dir.path(),
        ListKind::Attendance,
        "attendance2.csv",
        &att,
        Some(AUTUMN),
    )
    .await;

    let third = zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 20), AUTUMN, &county())
        .await
        .unwrap();
    // H is no longer a suspect: the case stays, flagged for verification; J found again, no new case.
    assert_eq!(
        (
            third.summary.suspects,
            third.summary.opened,
            third.summary.recheck
        ),
        (6, 0, 1)
    );
    let now = suspects(&db).await;
    assert_eq!(
        now.get(&k.h).map(|s| (s.2, s.3)),
        Some((CaseState::Suspected, true))
    );
    assert_eq!(db.cases_of(&k.j).await.unwrap().len(), 1);
    let h_case = db.cases_of(&k.h).await.unwrap()[0].id;
    let events = db.case_events(h_case).await.unwrap();
    assert!(
        events.last().unwrap().note.contains("待核实"),
        "{:?}",
        events.last()
    );

    // C is persuaded back; D cannot attend and is taught at home; then the report.
    let cc = db.cases_of(&k.c).await.unwrap()[0].id;
    let dc = db.cases_of(&k.d).await.unwrap()[0].id;
    let school = Actor {
        name: "学校专干".into(),
        level: UserLevel::School,
        origin: None,
    };
    for case in [cc, dc] {
        db.move_case(case, &Move::Verify, &school, d(2023, 10, 21), &rules, "")
            .await
            .unwrap();
        db.move_case(case, &Move::Confirm, &school, d(2023, 10, 21), &rules, "")
            .await
            .unwrap();
    }
    db.move_case(cc, &Move::Persuade, &school, d(2023, 10, 22), &rules, "")
        .await
        .unwrap();
    let back = Move::Return {
        school: "2136000002".into(),
        on: d(2023, 11, 1),
    };
    db.move_case(cc, &back, &school, d(2023, 11, 1), &rules, "")
        .await
        .unwrap();
    let plan = Move::HomeTeaching {
        teacher: "送教教师".into(),
        frequency: "每月两次".into(),
        content: "康复训练".into(),
    };
    db.move_case(dc, &plan, &school, d(2023, 10, 25), &rules, "")
        .await
        .unwrap();
    let session = zizhu_domain::dropout::ActionKind::HomeTeachingSession;
    db.record_action(
        dc,
        session,
        d(2023, 11, 5),
        d(2023, 11, 5),
        &school,
        "第一次送教",
    )
    .await
    .unwrap();

    let cases = db.cases(&CaseFilter::default()).await.unwrap();
    let schools = db.schools().await.unwrap();
    let on = d(2023, 11, 10);
    let r = zizhu_app::dropout_report::report(&cases, &schools, &rules, on);
    let f = r.county;
    // Seven cases: J closed as not a dropout; C returned and D taught at home (both confirmed);
    // B, F, H, K still suspected since 15 Oct: verification was due 22 Oct, so all four late.
    assert_eq!(
        (f.found, f.verifying, f.not_dropout, f.confirmed, f.returned),
        (7, 4, 1, 2, 1)
    );
    assert_eq!((f.home_teaching, f.closed, f.overdue), (1, 1, 4));
    // 劝返率 = returned / (confirmed − taught at home) = 1 / 1.
    assert_eq!(f.return_rate(), Some(100.0));
    // Every case is in exactly one school row; C, D and F are 2136000002's.
    let total: i64 = r.schools.iter().map(|s| s.figures.found).sum();
    assert_eq!(total, 7);
    let junior = r
        .schools
        .iter()
        .find(|s| s.school_code == "2136000002")
        .unwrap();
    assert_eq!((junior.figures.found, junior.figures.returned), (3, 1));

    // The same report as it stood on past days, rebuilt from the cases' histories: on 16 Oct
    // J was being verified and nothing else had moved; on 31 Oct J was closed, C persuaded
    // (its return is dated 1 Nov) and D taught at home.
    for (day, want) in [
        (d(2023, 10, 14), (0, 0, 0, 0, 0, 0, 0)),
        (d(2023, 10, 16), (7, 7, 0, 0, 0, 0, 0)),
        (d(2023, 10, 31), (7, 4, 1, 2, 0, 1, 1)),
        (on, (7, 4, 1, 2, 1, 1, 1)),
    ] {
        let (then, _) = zizhu_app::dropout_as_of::cases_as_of(&db, &CaseFilter::default(), day)
            .await
            .unwrap();
        let f = zizhu_app::dropout_report::report(&then, &schools, &rules, day).county;
        let [found, verifying, not_dropout, confirmed, returned, home, closed, _] = f.counts();
        let got = (
            found,
            verifying,
            not_dropout,
            confirmed,
            returned,
            home,
            closed,
        );
        assert_eq!(got, want, "as of {day}");
    }

    // The ledger: masked IDs, the latest action, the outcome.
    let (cases, latest) = zizhu_app::dropout_as_of::cases_as_of(&db, &CaseFilter::default(), on)
        .await
        .unwrap();
    let lines =
        zizhu_app::dropout_report::ledger_lines(&cases, &latest, &schools, &rules, on, false);
    let d_line = lines.iter().find(|l| l.case_id == dc).unwrap();
    assert!(d_line.id_number.contains('*') && !d_line.id_number.contains(&k.d[6..14]));
    assert_eq!(d_line.latest, "2023-11-05 送教上门：第一次送教");
    assert!(
        d_line.outcome.starts_with("送教上门：送教教师"),
        "{}",
        d_line.outcome
    );
    let path = dir.path().join("ledger.xlsx");
    let sheet = zizhu_app::dropout_report::ledger_sheet(&lines, "疑似辍学学生台账", "台账");
    zizhu_io::tables::write_tables(&path, &[sheet]).unwrap();
    assert!(path.exists());

    // The 适龄儿童台账: every child of compulsory age, with school, return and case.
    let kids = zizhu_app::school_age::school_age_children(&db, &rules, as_of, AUTUMN, None)
        .await
        .unwrap();
    let by_id: BTreeMap<&str, &zizhu_app::school_age::SchoolAgeChild> =
        kids.iter().map(|c| (c.id_number.as_str(), c)).collect();
    assert_eq!(
        kids.len(),
        11,
        "A–H, J, L from the population, K from the poor list; not I"
    );
    assert!(!by_id.contains_key(k.i.as_str()));
    assert_eq!(by_id[k.a.as_str()].present, Some(true));
    assert_eq!(
        by_id[k.g.as_str()].present,
        None,
        "G's school sent no return"
    );
    assert_eq!(by_id[k.k.as_str()].source, "建档立卡");
    assert_eq!(by_id[k.j.as_str()].status, None);
    assert_eq!(
        by_id[k.j.as_str()].case.map(|c| c.1),
        Some(CaseState::Closed)
    );
    assert_eq!(
        by_id[k.h.as_str()].status,
        Some(zizhu_domain::Status::Enrolled)
    );
}

/// A child persuaded back (C) whom a later scan finds out of school again during monitoring is
/// flagged 待核实 and can be persuaded again (the return is then cleared); a child the registry
/// now has at another school (F) gets that school as the responsible one (以校为主).
#[tokio::test]
async fn rescan_flags_a_returned_child_again_and_follows_a_school_change() {
    let (dir, db) = fresh().await;
    let k = load(&db, dir.path()).await;
    let rules = Policy::parse(POLICY).unwrap().dropout_rules().unwrap();
    let first = zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 15), AUTUMN, &county())
        .await
        .unwrap();
    assert_eq!(first.missing, vec![], "every list is there");
    let c = county();
    let cc = db.cases_of(&k.c).await.unwrap()[0].id;
    for mv in [Move::Verify, Move::Confirm, Move::Persuade] {
        db.move_case(cc, &mv, &c, d(2023, 10, 16), &rules, "")
            .await
            .unwrap();
    }
    let back = Move::Return {
        school: "2136000002".into(),
        on: d(2023, 10, 18),
    };
    db.move_case(cc, &back, &c, d(2023, 10, 18), &rules, "")
        .await
        .unwrap();
    let fc = db.cases_of(&k.f).await.unwrap().remove(0);
    assert_eq!(fc.child.school_code, "2136000002");

    // The registry now has F at the primary school, as 辍学; C is still 辍学 at its school.
    let autumn = [
        ("测试甲", k.a.as_str(), "2136000001", "三年级/在读"),
        ("测试丙", &k.c, "2136000002", "八年级/辍学"),
        ("测试己", &k.f, "2136000001", "六年级/辍学"),
        ("测试壬", &k.l, "2136000002", "八年级/在读"),
    ];
    import(
        &db,
        dir.path(),
        ListKind::Students,
        "autumn2.csv",
        &students(&k, false, &autumn),
        Some(AUTUMN),
    )
    .await;
    let again = zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 25), AUTUMN, &county())
        .await
        .unwrap();
    assert_eq!(again.returned_again, vec![cc]);
    let c_case = db.case(cc).await.unwrap().unwrap();
    assert_eq!((c_case.state, c_case.recheck), (CaseState::Returned, true));
    let note = db
        .case_events(cc)
        .await
        .unwrap()
        .last()
        .unwrap()
        .note
        .clone();
    assert!(note.contains("复学监测期内再次比对为疑似"), "{note}");

    let f_case = db.case(fc.id).await.unwrap().unwrap();
    assert_eq!(f_case.child.school_code, "2136000001");
    assert_eq!(f_case.child.reasons, vec![R::StatusDroppedOut]);
    let f_events = db.case_events(fc.id).await.unwrap();
    assert!(
        f_events
            .iter()
            .any(|e| e.note.contains("负责学校由 2136000002 改为 2136000001")),
        "{f_events:?}"
    );

    // Persuaded again: the return is cleared (its event stays), so it is not counted returned.
    let moved = db
        .move_case(cc, &Move::Persuade, &c, d(2023, 10, 26), &rules, "再次辍学")
        .await
        .unwrap();
    assert_eq!(moved.state, CaseState::Persuading);
    assert_eq!(
        (moved.returned_on, moved.returned_school.as_str()),
        (None, "")
    );
    assert!(!moved.recheck);
    let cases = db.cases(&CaseFilter::default()).await.unwrap();
    let schools = db.schools().await.unwrap();
    let r = zizhu_app::dropout_report::report(&cases, &schools, &rules, d(2023, 10, 27));
    assert_eq!((r.county.confirmed, r.county.returned), (1, 0));
    assert!(db
        .case_events(cc)
        .await
        .unwrap()
        .iter()
        .any(|e| e.note.starts_with("登记复学")));
}

/// A scan with only the registry says which comparisons it could not make.
#[tokio::test]
async fn scan_names_the_lists_it_did_not_have() {
    let (dir, db) = fresh().await;
    let k = kids();
    let rows = [("测试丙", k.c.as_str(), "2136000002", "八年级/辍学")];
    import(
        &db,
        dir.path(),
        ListKind::Students,
        "autumn.csv",
        &students(&k, false, &rows),
        Some(AUTUMN),
    )
    .await;
    let rules = Policy::parse(POLICY).unwrap().dropout_rules().unwrap();
    let o = zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 15), AUTUMN, &county())
        .await
        .unwrap();
    use zizhu_app::dropout::MissingInput as M;
    assert_eq!(
        o.missing,
        vec![
            M::Returns,
            M::EarlierRegistry(Term::new(2023, Season::Spring)),
            M::Residents,
            M::PoorHouseholds
        ]
    );
    // The registry comparison still stands: C's 辍学 status makes a case.
    assert_eq!(o.summary.opened, 1);
}

/// The scan reads the lists while no import can replace them: a return being imported when the
/// scan starts is waited for, and the scan compares with it (B's school now lists B).
#[tokio::test]
async fn scan_waits_for_an_import_under_way() {
    use zizhu_domain::{AttendanceEntry, IdNumber, ListRecord};
    let (dir, db) = fresh().await;
    let k = load(&db, dir.path()).await;
    let rules = Policy::parse(POLICY).unwrap().dropout_rules().unwrap();
    let meta = zizhu_store::ImportMeta {
        origin: None,
        kind: ListKind::Attendance,
        file_name: "2136000001-更正.csv".into(),
        sha256: "0".repeat(64),
        term: Some(AUTUMN),
        actor: "test".into(),
    };
    let entry = |id: &str, name: &str| {
        ListRecord::Attendance(AttendanceEntry {
            school_code: "2136000001".into(),
            id: IdNumber::parse(id).unwrap().0,
            name: name.into(),
        })
    };
    let mut import = db.begin_import(&meta).await.unwrap();
    import
        .insert_batch(&[(2, entry(&k.a, "测试甲")), (3, entry(&k.b, "测试乙"))])
        .await
        .unwrap();
    let scan = tokio::spawn({
        let db = db.clone();
        async move { zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 15), AUTUMN, &county()).await }
    });
    // The scan task runs meanwhile (tokio's timer is not enabled in this workspace).
    tokio::task::spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(300)))
        .await
        .unwrap();
    import.commit(2, 0).await.unwrap();
    let o = scan.await.unwrap().unwrap();
    let found = suspects(&db).await;
    assert!(!found.contains_key(&k.b), "B is on the corrected return");
    assert!(!found.contains_key(&k.a));
    assert_eq!(o.summary.suspects, 6);
}

/// A school is one row of the report, under its own township, whatever its children's
/// townships; a township counts its children. The ledger's latest action is the latest by date,
/// not the last entered. A scan dated before a case was closed does not open a second case.
#[tokio::test]
async fn school_rows_latest_action_and_backdated_scan() {
    use zizhu_domain::dropout::ActionKind;
    let (dir, db) = fresh().await;
    let k = load(&db, dir.path()).await;
    let rules = Policy::parse(POLICY).unwrap().dropout_rules().unwrap();
    zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 15), AUTUMN, &county())
        .await
        .unwrap();
    let c = county();
    // K (银坑镇, from the poor list, no school) is given to the junior school (贡江镇).
    let kc = db.cases_of(&k.k).await.unwrap()[0].id;
    db.assign_case(kc, Some("2136000002"), None, None, d(2023, 10, 16), &c)
        .await
        .unwrap();
    let cases = db.cases(&CaseFilter::default()).await.unwrap();
    let schools = db.schools().await.unwrap();
    let r = zizhu_app::dropout_report::report(&cases, &schools, &rules, d(2023, 10, 16));
    let junior: Vec<_> = r
        .schools
        .iter()
        .filter(|s| s.school_code == "2136000002")
        .collect();
    assert_eq!(junior.len(), 1, "{:?}", r.schools);
    assert_eq!(
        (junior[0].township.as_str(), junior[0].figures.found),
        ("贡江镇", 4)
    );
    let town: BTreeMap<&str, i64> = r
        .townships
        .iter()
        .map(|(t, f)| (t.as_str(), f.found))
        .collect();
    assert_eq!(town.get("银坑镇"), Some(&1));
    assert_eq!(town.get("贡江镇"), Some(&6));

    // C returns; a persuasion of 10 Nov is entered before a phone call of 20 Oct.
    let cc = db.cases_of(&k.c).await.unwrap()[0].id;
    for mv in [Move::Verify, Move::Confirm, Move::Persuade] {
        db.move_case(cc, &mv, &c, d(2023, 10, 16), &rules, "")
            .await
            .unwrap();
    }
    let back = Move::Return {
        school: "2136000002".into(),
        on: d(2023, 10, 18),
    };
    db.move_case(cc, &back, &c, d(2023, 10, 18), &rules, "")
        .await
        .unwrap();
    let today = d(2026, 1, 1);
    db.record_action(
        cc,
        ActionKind::Persuasion,
        d(2023, 11, 10),
        today,
        &c,
        "巩固",
    )
    .await
    .unwrap();
    db.record_action(
        cc,
        ActionKind::PhoneCall,
        d(2023, 10, 20),
        today,
        &c,
        "补录",
    )
    .await
    .unwrap();
    let (_, latest) =
        zizhu_app::dropout_as_of::cases_as_of(&db, &CaseFilter::default(), d(2023, 12, 1))
            .await
            .unwrap();
    assert_eq!(latest[&cc].on, d(2023, 11, 10));

    // Closed on 20 Feb 2024; a scan dated 25 Nov 2023 finds C 辍学 in the registry again, but on
    // that day the case was open: no second case.
    let close = Move::Close {
        reason: "稳定在校".into(),
    };
    db.move_case(cc, &close, &c, d(2024, 2, 20), &rules, "")
        .await
        .unwrap();
    zizhu_app::dropout::scan(&db, &rules, d(2023, 11, 25), AUTUMN, &county())
        .await
        .unwrap();
    assert_eq!(db.cases_of(&k.c).await.unwrap().len(), 1);
    // Scans go forward: one dated before the last is refused and changes nothing.
    let back = zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 15), AUTUMN, &county()).await;
    let msg = back.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("早于上次比对的基准日 2023-11-25"), "{msg}");
}

/// 小升初: a child of compulsory age whose last registry row is 毕业 from primary school is a
/// suspect; a junior graduate (compulsory education completed) is not. A child enrolled at two
/// schools is present when either school's return lists them, whatever the rows' order.
#[tokio::test]
async fn primary_graduate_is_a_suspect_and_a_double_enrolment_is_present() {
    let (dir, db) = fresh().await;
    let (grad6, grad9, twice, other) = (
        id("20110501", 41),
        id("20090301", 43),
        id("20120601", 45),
        id("20130701", 47),
    );
    import(
        &db,
        dir.path(),
        ListKind::Schools,
        "s.csv",
        fixtures::SCHOOLS,
        None,
    )
    .await;
    let reg = format!(
        "姓名,身份证件号,学籍号,学校标识码,年级,是否住校,学籍状态\n\
         测试甲,{grad6},G1,2136000001,六年级,否,毕业\n\
         测试乙,{grad9},G2,2136000002,九年级,否,毕业\n\
         测试丙,{twice},G3,2136000001,五年级,否,在读\n\
         测试丙,{twice},G4,2136000002,七年级,否,在读\n\
         测试丁,{other},G5,2136000001,四年级,否,在读\n"
    );
    import(
        &db,
        dir.path(),
        ListKind::Students,
        "r.csv",
        &reg,
        Some(AUTUMN),
    )
    .await;
    let att = format!(
        "学校标识码,姓名,身份证件号\n2136000001,测试丁,{other}\n2136000002,测试丙,{twice}\n"
    );
    import(
        &db,
        dir.path(),
        ListKind::Attendance,
        "a.csv",
        &att,
        Some(AUTUMN),
    )
    .await;
    let rules = Policy::parse(POLICY).unwrap().dropout_rules().unwrap();
    zizhu_app::dropout::scan(&db, &rules, d(2023, 10, 15), AUTUMN, &county())
        .await
        .unwrap();
    let found = suspects(&db).await;
    assert_eq!(
        found.get(&grad6).map(|s| s.0.clone()),
        Some(vec![R::GraduatedNotPromoted])
    );
    assert!(!found.contains_key(&grad9), "junior graduate: completed");
    assert!(!found.contains_key(&twice), "on the second school's return");
    assert_eq!(found.len(), 1, "{found:?}");
}
