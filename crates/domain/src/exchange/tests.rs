//! Teacher exchange (三(三)): hand-worked counts, shares and standings.

use super::*;
use crate::model::ApprovalLevel;

fn rules() -> ExchangeRules {
    ExchangeRules {
        clause: "三(三)".into(),
        notice_days: 30,
        from_area: Area::Urban,
        to_area: Area::Rural,
        compulsory_kinds: vec![
            SchoolKind::Primary,
            SchoolKind::Junior,
            SchoolKind::NineYear,
            SchoolKind::Complete,
            SchoolKind::Special,
        ],
        year_start_month: 9,
    }
}

fn school(code: &str, kind: SchoolKind, area: Option<Area>) -> School {
    School {
        code: code.into(),
        name: format!("学校{code}"),
        kind,
        public: true,
        township: "城关镇".into(),
        inclusive: false,
        approval_level: ApprovalLevel::None,
        area,
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn a(id: &str, from: &str, to: &str, start: &str, end: &str) -> Assignment {
    Assignment {
        id_number: id.into(),
        name: format!("教师{id}"),
        from_school: from.into(),
        to_school: to.into(),
        start: d(start),
        end: d(end),
    }
}

fn county() -> Vec<School> {
    vec![
        school("U1", SchoolKind::Primary, Some(Area::Urban)),
        school("U2", SchoolKind::Junior, Some(Area::Urban)),
        school("R1", SchoolKind::Primary, Some(Area::Rural)),
        school("R2", SchoolKind::NineYear, Some(Area::Rural)),
        school("H", SchoolKind::Senior, Some(Area::Urban)),
        school("N", SchoolKind::Primary, None),
    ]
}

/// 2023 学年 = 2023-09-01 – 2024-08-31; an assignment counts in each year it overlaps by a day.
#[test]
fn school_year_runs_september_to_august() {
    assert_eq!(
        school_year(2023, 9),
        Some((d("2023-09-01"), d("2024-08-31")))
    );
    assert_eq!(school_year_of(d("2024-08-31"), 9), 2023);
    assert_eq!(school_year_of(d("2024-09-01"), 9), 2024);
    let last_day = a("t", "U1", "R1", "2024-08-31", "2024-12-31");
    assert!(overlaps_year(&last_day, 2023, 9) && overlaps_year(&last_day, 2024, 9));
    let before = a("t", "U1", "R1", "2022-09-01", "2023-08-31");
    assert!(!overlaps_year(&before, 2023, 9));
}

/// 三(三) "城区义务教育阶段学校教师到农村学校": each side's area and stage is checked; a school with
/// no 城乡类型 cannot be checked.
#[test]
fn clause_3_3_direction_and_stage_are_checked() {
    let s = county();
    let get = |c: &str| s.iter().find(|x| x.code == c);
    let r = rules();
    let ok = a("t", "U1", "R1", "2023-09-01", "2024-06-30");
    assert!(check(&ok, get("U1"), get("R1"), &r).is_empty());
    let wrong = a("t", "R1", "U2", "2023-09-01", "2024-06-30");
    assert_eq!(
        check(&wrong, get("R1"), get("U2"), &r),
        vec![Finding::FromArea(Area::Rural), Finding::ToArea(Area::Urban)]
    );
    let high = a("t", "H", "R1", "2023-09-01", "2024-06-30");
    assert_eq!(
        check(&high, get("H"), get("R1"), &r),
        vec![Finding::FromNotCompulsory(SchoolKind::Senior)]
    );
    let unknown = a("t", "U1", "N", "2023-09-01", "2024-06-30");
    let f = check(&unknown, get("U1"), get("N"), &r);
    assert_eq!(f, vec![Finding::ToAreaUnknown]);
    assert!(f[0].unverifiable());
    assert_eq!(f[0].zh(&r), "接收学校没有城乡类型，无法核查");
    assert_eq!(
        Finding::FromArea(Area::Rural).zh(&r),
        "派出学校为农村学校，不是城区学校"
    );
}

/// Due to return from 30 days before the end (the end day counts as 0 days left); ended the day
/// after. End 2024-07-15: 06-14 is 31 days before (serving), 06-15 is 30 (due), 07-15 due, 07-16
/// ended.
#[test]
fn clause_3_3_due_to_return_at_the_boundary_days() {
    let x = a("t", "U1", "R1", "2023-09-01", "2024-07-15");
    assert_eq!(standing(&x, d("2023-08-31"), 30), Standing::NotStarted);
    assert_eq!(standing(&x, d("2023-09-01"), 30), Standing::Serving);
    assert_eq!(standing(&x, d("2024-06-14"), 30), Standing::Serving);
    assert_eq!(standing(&x, d("2024-06-15"), 30), Standing::DueToReturn);
    assert_eq!(standing(&x, d("2024-07-15"), 30), Standing::DueToReturn);
    assert_eq!(standing(&x, d("2024-07-16"), 30), Standing::Ended);
}

#[test]
fn shares_show_numerator_denominator_and_a_tenth_of_a_percent() {
    let s = |part, whole| Share { part, whole }.display();
    assert_eq!(s(2, 3), "2/3（66.7%）");
    assert_eq!(s(1, 8), "1/8（12.5%）");
    assert_eq!(s(3, 6), "3/6（50.0%）");
    assert_eq!(s(0, 0), "0/0（—）");
}

/// A small county worked by hand (三(三)), 2023 学年 as of 2024-06-15, notice 30 days:
/// t1 U1→R1 to 2024-06-30 (fits, 15 days left: due), t2 U1→R2 to 2024-07-15 (fits, exactly 30
/// days: due), t3 R1→U2 to 2024-01-31 (wrong way, ended), t4 H→R1 from 2024-02-01 (高中: not
/// compulsory, serving), t5 U2→N 2022-09-01–2023-08-31 (not in 2023 学年), t6 U2→R1 from
/// 2024-08-31 (one day of 2023 学年, fits, not started), t7 U1→N 2023-03-01–2023-09-01 (one day,
/// cannot be checked, ended).
/// U1 sent t1 t2 t7: 2/3, due 2, ended 1. R1 sent t3: 0/1, ended 1; received t1 t4 t6: 2/3.
/// R2 received 1/1. U2 sent t6 1/1, received t3 0/1. H sent 0/1. N received t7 0/1.
/// County: 6 teachers, 3 in the wanted direction.
#[test]
fn clause_3_3_counts_per_school_and_year() {
    let s = county();
    let list = vec![
        a("t1", "U1", "R1", "2023-09-01", "2024-06-30"),
        a("t2", "U1", "R2", "2023-09-01", "2024-07-15"),
        a("t3", "R1", "U2", "2023-09-01", "2024-01-31"),
        a("t4", "H", "R1", "2024-02-01", "2025-01-31"),
        a("t5", "U2", "N", "2022-09-01", "2023-08-31"),
        a("t6", "U2", "R1", "2024-08-31", "2024-12-31"),
        a("t7", "U1", "N", "2023-03-01", "2023-09-01"),
    ];
    let (checked, sums) = summarize(
        &list,
        |c| s.iter().find(|x| x.code == c),
        2023,
        d("2024-06-15"),
        &rules(),
    );
    assert_eq!(checked.len(), 6);
    let of = |c: &str| sums.iter().find(|x| x.school_code == c).unwrap().clone();
    let sh = |part, whole| Share { part, whole };
    let u1 = of("U1");
    assert_eq!((u1.sent, u1.received), (sh(2, 3), sh(0, 0)));
    assert_eq!((u1.sent_due, u1.sent_ended), (2, 1));
    let r1 = of("R1");
    assert_eq!((r1.sent, r1.received), (sh(0, 1), sh(2, 3)));
    assert_eq!((r1.sent_due, r1.sent_ended), (0, 1));
    assert_eq!(of("R2").received, sh(1, 1));
    let u2 = of("U2");
    assert_eq!((u2.sent, u2.received), (sh(1, 1), sh(0, 1)));
    assert_eq!(of("H").sent, sh(0, 1));
    assert_eq!(of("N").received, sh(0, 1));
    assert_eq!(county_share(&checked), sh(3, 6));
    let t6 = checked
        .iter()
        .find(|c| c.assignment.id_number == "t6")
        .unwrap();
    assert_eq!(t6.standing, Standing::NotStarted);
}
