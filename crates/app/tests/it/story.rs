//! The main job, end to end: import the county's lists, compute 2023-autumn, check every amount.

use crate::fixtures::{self, people};
use std::collections::BTreeMap;
use std::path::Path;
use zizhu_app::compute_term;
use zizhu_app::import::{import_file, ImportRequest};
use zizhu_domain::{ListKind, Season, Term};
use zizhu_policy::Policy;
use zizhu_store::Db;

const POLICY: &str = include_str!("../../../../policy/2023.toml");

async fn db_in(dir: &Path) -> Db {
    let url = format!("sqlite:{}", dir.join("t.db").display());
    let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
    db.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    db
}

async fn import(
    db: &Db,
    dir: &Path,
    kind: ListKind,
    name: &str,
    content: &str,
    term: Option<Term>,
) -> zizhu_app::import::ImportOutcome {
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
    import_file(db, &req, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("import {name}: {e}"))
}

async fn load_county(db: &Db, dir: &Path) {
    let p = people();
    let autumn = Term::new(2023, Season::Autumn);
    for (kind, name, content, term) in [
        (
            ListKind::Schools,
            "schools.csv",
            fixtures::SCHOOLS.to_string(),
            None,
        ),
        (
            ListKind::Students,
            "students.csv",
            fixtures::students(&p),
            Some(autumn),
        ),
        (
            ListKind::PoorHouseholds,
            "poor.csv",
            fixtures::poor(&p),
            None,
        ),
        (ListKind::Dibao, "dibao.csv", fixtures::dibao(&p), None),
        (
            ListKind::CollegeAdmissions,
            "gaokao.csv",
            fixtures::admissions(&p),
            None,
        ),
    ] {
        let o = import(db, dir, kind, name, &content, term).await;
        assert!(o.accepted(), "{name}: {:?}", o.errors);
    }
}

/// (id, program) → amount in fen, of the stored roster.
async fn roster(db: &Db, term: Term) -> BTreeMap<(String, String), i64> {
    let rows = db
        .entitlements(term, 0, 10_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    rows.into_iter()
        .map(|e| ((e.id_number, e.program), e.amount_fen))
        .collect()
}

fn policy() -> Policy {
    Policy::parse(POLICY).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn autumn_2023_roster_matches_the_policy_worked_by_hand() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = db_in(tmp.path()).await;
    load_county(&db, tmp.path()).await;
    let term = Term::new(2023, Season::Autumn);
    let s = compute_term(&db, &policy(), "sha", term, "test", &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = people();
    let r = roster(&db, term).await;
    let get = |id: &str, prog: &str| r.get(&(id.to_string(), prog.to_string())).copied();
    // 二(一)2 第一款: 初中寄宿生 1250/年 → 625; 建档立卡 (已脱贫, 脱贫不脱政策).
    assert_eq!(get(&p.a, "boarding_living_subsidy"), Some(62_500));
    // 二(一)2 第二款: 初中非寄宿 建档立卡 625/年 → 312.50.
    assert_eq!(get(&p.b, "nonboarding_living_subsidy"), Some(31_250));
    // 二(一)2 第二款: 小学非寄宿 农村低保 (valid on 2023-10-01) 500/年 → 250.
    assert_eq!(get(&p.c, "nonboarding_living_subsidy"), Some(25_000));
    // 低保 ended 2023-06-30, before the reference date: nothing.
    assert!(
        r.keys().all(|(id, _)| id != &p.d),
        "expired 低保 must not pay"
    );
    // 二(一)1: 建档立卡 child, inclusive kindergarten approved by the county: 1500/年 → 750.
    assert_eq!(get(&p.e, "preschool_aid"), Some(75_000));
    // 二(一)3: 公办高中 建档立卡: 免学杂费 1100/年 → 550, 国家助学金 2500/年 → 1250.
    assert_eq!(get(&p.f, "hs_fee_waiver"), Some(55_000));
    assert_eq!(get(&p.f, "hs_national_grant"), Some(125_000));
    // 裁定1: 特殊教育学校初中寄宿 (1250+200)/2 = 725.
    assert_eq!(get(&p.g, "boarding_living_subsidy"), Some(72_500));
    // 学校认定一般困难 初中寄宿 → 625.
    assert_eq!(get(&p.h, "boarding_living_subsidy"), Some(62_500));
    // 二(一)4: 农村户口中职 → 免学费 850/年 → 425; 非涉农、不困难 → no 助学金.
    assert_eq!(get(&p.i, "voc_fee_waiver"), Some(42_500));
    assert_eq!(get(&p.i, "voc_national_grant"), None);
    // 裁定6: 休学 on the reference date → nothing.
    assert!(
        r.keys().all(|(id, _)| id != &p.k),
        "suspended student must not be paid"
    );
    // 二(一)3 college freshmen (autumn): 建档立卡 省内 500 + 5000; 城镇低保 省外 1000 + 5000.
    assert_eq!(get(&p.l, "college_freshman_travel_aid"), Some(50_000));
    assert_eq!(get(&p.l, "college_entrance_gov_aid"), Some(500_000));
    assert_eq!(get(&p.m, "college_freshman_travel_aid"), Some(100_000));
    assert_eq!(get(&p.m, "college_entrance_gov_aid"), Some(500_000));
    // Total worked by hand: 625+312.5+250+750+550+1250+725+625+425+5500+6000 = 17012.50 元.
    assert_eq!(r.values().sum::<i64>(), 1_701_250);
    assert_eq!(s.total.0, 1_701_250);
    assert_eq!(s.entitlements, r.len() as i64);

    // 裁定5: A is enrolled at two schools: paid once, reported once.
    let dq = db
        .quality_issues(term)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dup: Vec<_> = dq.iter().filter(|q| q.code == "DQ-001").collect();
    assert_eq!(dup.len(), 1, "{dq:?}");
    assert_eq!(dup[0].id_number.as_deref(), Some(p.a.as_str()));
    // A poor household's school-age child not in the registry (N, born 2012) is a finding.
    assert!(
        dq.iter()
            .any(|q| q.code == "DQ-006" && q.id_number.as_deref() == Some(p.n.as_str())),
        "{dq:?}"
    );
    let n = dq
        .iter()
        .find(|q| q.code == "DQ-006")
        .map(|q| format!("{} {}", q.source, q.detail))
        .unwrap_or_default();
    assert!(
        n.contains("丑演十三") && n.contains("H001") && n.contains("第10行"),
        "a lead must be followable: {n}"
    );
    // An admittee granted nothing and missing from every imported registry term is reported
    // (DQ-007: its school's own hardship recognition could not be read); those granted are not.
    let no_registry: Vec<_> = dq.iter().filter(|q| q.code == "DQ-007").collect();
    assert_eq!(no_registry.len(), 1, "{dq:?}");
    assert_eq!(
        no_registry[0].id_number.as_deref(),
        Some(fixtures::admittee_without_registry().as_str())
    );
    assert!(
        no_registry[0].source.contains("第4行"),
        "{:?}",
        no_registry[0]
    );
    // explain says the school's recognition could not be read, not that the school found the
    // admittee not in hardship.
    let why = zizhu_app::explain::explain(
        &db,
        &policy(),
        term,
        &fixtures::admittee_without_registry(),
        false,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(why.contains("学校认定无从核对（数据质量 DQ-007）"), "{why}");
    assert!(!why.contains("学校认定为不困难"), "{why}");
    // …but the adult (the parent) is not.
    assert!(!dq
        .iter()
        .any(|q| q.id_number.as_deref() == Some(p.parent.as_str())));

    // Every entitlement carries its clause and the list rows that proved it.
    let a = db
        .entitlements_for(term, &p.a)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].clause, "二(一)2 第一款");
    assert!(
        a[0].facts.contains("poor_households") && a[0].facts.contains("H001"),
        "{}",
        a[0].facts
    );

    // Re-running replaces the term's roster: same result, no duplicates.
    let s2 = compute_term(&db, &policy(), "sha", term, "test", &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s2.total, s.total);
    assert_eq!(roster(&db, term).await, r);

    // 裁定4: the college grants are once per person, ever — a later autumn would not pay them again.
    let prior = db
        .prior_grants(
            &["college_entrance_gov_aid".to_string()],
            Term::new(2024, Season::Autumn),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(prior.contains(&(p.l.clone(), "college_entrance_gov_aid".to_string())));
}

#[tokio::test]
async fn a_file_with_one_bad_row_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = db_in(tmp.path()).await;
    load_county(&db, tmp.path()).await;
    let p = people();
    // A corrected dibao list with one bad check character: rejected whole, old list kept.
    let bad_id = format!("{}0", &p.c[..17]);
    let bad_id = if bad_id == p.c {
        format!("{}1", &p.c[..17])
    } else {
        bad_id
    };
    let content = format!("姓名,身份证号,城乡类别,开始日期,结束日期\n丙演三,{},农村,2023-01-01,2023-12-31\n新演人,{bad_id},农村,2023-01-01,2023-12-31\n", p.c);
    let o = import(
        &db,
        tmp.path(),
        ListKind::Dibao,
        "dibao-new.csv",
        &content,
        None,
    )
    .await;
    assert!(!o.accepted());
    assert_eq!(o.errors.len(), 1);
    assert_eq!(o.errors[0].row, 3);
    assert!(o.errors[0].reason.contains("校验"), "{:?}", o.errors[0]);
    let (xlsx, csv) = o
        .report
        .clone()
        .unwrap_or_else(|| panic!("no error report"));
    assert!(xlsx.exists() && csv.exists());
    let still = db
        .assistance(ListKind::Dibao)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(still.len(), 3, "the old list is untouched");
}

/// A file whose every row is bad keeps the first `KEPT` errors and counts the rest (hostile
/// review: three million bad rows grew the server past 2 GB), and nothing is written.
#[tokio::test]
async fn a_file_of_bad_rows_keeps_a_bounded_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path()).await;
    let mut text = String::from("姓名,身份证号,城乡类别\n");
    for _ in 0..(zizhu_app::import::KEPT + 5_000) {
        text.push_str("演,1,农村\n");
    }
    let o = import(&db, dir.path(), ListKind::Dibao, "d.csv", &text, None).await;
    assert!(!o.accepted());
    assert_eq!(o.errors.len(), zizhu_app::import::KEPT);
    assert!(o.more_errors >= 5_000, "{}", o.more_errors);
    assert_eq!(o.error_count(), o.errors.len() + o.more_errors);
    assert!(db.imports().await.unwrap().is_empty());
}

/// The schools' fee-compensation statement holds exactly the lines paid to a school: 二(一)3
/// 公办高中免学杂费 1,100 元/年 → 550 and 二(一)4 中职免学费 850 元/年 → 425, 975 元 in all.
#[tokio::test]
async fn fee_statement_holds_the_waivers_paid_to_schools() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = db_in(tmp.path()).await;
    load_county(&db, tmp.path()).await;
    let term = Term::new(2023, Season::Autumn);
    compute_term(&db, &policy(), "sha", term, "test", &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let who = zizhu_store::PayActor {
        name: "test",
        origin: None,
    };
    let path = tmp.path().join("结算表.xlsx");
    let s = zizhu_app::payments::write_fee_statement(&db, &policy(), term, &path, who)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.students, s.total_fen), (2, 97_500));
    assert!(path.exists());
    let log = db.audit_entries(3).await.unwrap_or_default();
    assert!(log.iter().any(|e| e.action == "fee_statement_export"));
}

/// 四(二) 脱贫成果回查监测 on the story's county, autumn 2023 (reference day 1 October; compulsory
/// ages: born 2008-09-01 to 2017-08-31). Registered-poor children of that age: 甲, 乙, 庚 enrolled
/// and aided (the roster is not locked, so each line is unpaid: a gap); 癸 on leave (accounted
/// for by the school); 丑 in no registry and no dropout case (a gap). 己 (2007) and 子 (2005) are
/// past compulsory age, 戊 (2019) not yet. A second recheck after 丑 is registered closes that
/// gap (rectified) and finds 丑's aid unpaid instead.
#[tokio::test]
async fn clause_4_2_recheck_finds_and_follows_gaps_household_by_household() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = db_in(dir.path()).await;
    load_county(&db, dir.path()).await;
    let p = people();
    let policy = policy();
    let autumn = Term::new(2023, Season::Autumn);
    let who = zizhu_store::PayActor {
        name: "county",
        origin: None,
    };
    zizhu_app::compute::compute_term(&db, &policy, "test", autumn, "test", &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let r = zizhu_app::recheck::recheck(&db, &policy, autumn, who)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.children, 5, "甲 乙 庚 癸 丑");
    let open: Vec<(String, zizhu_domain::recheck::GapKind)> = r
        .gaps
        .iter()
        .map(|g| (g.gap.id_number.clone(), g.gap.kind))
        .collect();
    use zizhu_domain::recheck::GapKind::{NotAccountedFor, Unpaid};
    for (id, kind) in [
        (&p.a, Unpaid),
        (&p.b, Unpaid),
        (&p.g, Unpaid),
        (&p.n, NotAccountedFor),
    ] {
        assert!(
            open.contains(&(id.clone(), kind)),
            "{id} {kind:?}: {open:?}"
        );
    }
    assert!(!open
        .iter()
        .any(|(id, _)| id == &p.k || id == &p.f || id == &p.e));
    let jia = r.gaps.iter().find(|g| g.gap.id_number == p.a).unwrap();
    assert!(
        jia.gap.detail.contains("名单未审批锁定"),
        "{}",
        jia.gap.detail
    );
    assert_eq!(jia.gap.household_no, "H001");
    assert_eq!((r.counts.new, r.counts.rectified), (r.gaps.len(), 0));
    // A measure noted on 丑's gap; then 丑 is found at the primary school (grade 5, day pupil).
    let chou = r.gaps.iter().find(|g| g.gap.id_number == p.n).unwrap().id;
    db.record_gap_action(chou, "已联系家长，入读贡江镇演示小学", who)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(db.record_gap_action(chou, " ", who).await.is_err());
    let registry = format!(
        "{}丑演十三,{},G{},2136000001,五年级,否,农业,,,在读,不困难\n",
        fixtures::students(&p),
        p.n,
        p.n
    );
    let o = import(
        &db,
        dir.path(),
        ListKind::Students,
        "students2.csv",
        &registry,
        Some(autumn),
    )
    .await;
    assert!(o.accepted(), "{:?}", o.errors);
    zizhu_app::compute::compute_term(&db, &policy, "test", autumn, "test", &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again = zizhu_app::recheck::recheck(&db, &policy, autumn, who)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.counts.rectified, 1, "丑 is in school now");
    assert_eq!(again.counts.new, 1, "丑's aid, not yet paid");
    let closed = again.gaps.iter().find(|g| g.id == chou).unwrap();
    assert!(closed.rectified_at.is_some());
    assert_eq!(
        closed.action.as_ref().map(|a| a.0.as_str()),
        Some("已联系家长，入读贡江镇演示小学")
    );
    // Once rectified, no more measures are noted on it.
    assert!(db.record_gap_action(chou, "再次", who).await.is_err());
    // 甲's unpaid line moves on from 名单未审批锁定 to 无收款账户 once the county locks the term:
    // the same gap, still open, with its measure (review: it was closed as rectified and opened
    // again without the measure).
    let jia = again
        .gaps
        .iter()
        .find(|g| g.gap.id_number == p.a && g.rectified_at.is_none())
        .unwrap()
        .id;
    db.record_gap_action(jia, "已催学校报送银行卡号", who)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let run = db.latest_run(autumn).await.unwrap().unwrap().id;
    let mut schools: Vec<String> = db
        .entitlements(autumn, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.school_code)
        .collect();
    schools.sort();
    schools.dedup();
    use zizhu_domain::approval::SignoffStep::{Confirm, Review};
    for s in &schools {
        db.signoff(autumn, s, Confirm, run, None, "s", "-", "")
            .await
            .unwrap();
        db.signoff(autumn, s, Review, run, Some((Confirm, run)), "t", "-", "")
            .await
            .unwrap();
    }
    db.lock_term(autumn, run, "chief", "-", "同意")
        .await
        .unwrap();
    let third = zizhu_app::recheck::recheck(&db, &policy, autumn, who)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((third.counts.new, third.counts.rectified), (0, 0));
    let g = third.gaps.iter().find(|g| g.id == jia).unwrap();
    assert!(g.rectified_at.is_none());
    assert!(g.gap.detail.contains("无收款账户"), "{}", g.gap.detail);
    assert_eq!(
        g.action.as_ref().map(|a| a.0.as_str()),
        Some("已催学校报送银行卡号")
    );
}
