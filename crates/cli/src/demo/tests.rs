//! Tests of the generated population: ID validity, birth dates, rates of every attribute and
//! list, the duplicate enrolment, the rare names and codes.

use super::lists::Student;
use super::people::{birth_window, school_year};
use super::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use zizhu_domain::{Area, Difficulty, IdNumber, PovertyStatus, SchoolKind, Status};

/// One 50,000-student population shared by the rate tests (built once).
pub(super) fn data() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| {
        build(&DemoSpec {
            students: 50_000,
            seed: 11,
        })
        .unwrap()
    })
}

pub(super) fn small_dir(seed: u64) -> (tempfile::TempDir, DemoManifest) {
    let dir = tempfile::tempdir().unwrap();
    let m = generate(
        dir.path(),
        &DemoSpec {
            students: 3000,
            seed,
        },
    )
    .unwrap();
    (dir, m)
}

pub(super) fn read_gbk(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "{} should not be valid UTF-8",
        path.display()
    );
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .unwrap()
        .into_owned()
}

pub(super) fn valid(id: &str) -> bool {
    id.len() == 18
        && zizhu_domain::ids::check_char(&id[..17]) == id.chars().last()
        && IdNumber::parse(id).is_ok()
}

pub(super) fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got:.4}, expected {want} ± {tol}"
    );
}

#[test]
fn every_id_is_valid_and_people_are_unique() {
    let d = data();
    let l = &d.lists;
    let ids = d
        .spring
        .iter()
        .chain(&d.autumn)
        .map(|s| &s.id)
        .chain(l.poor.iter().map(|r| &r.id))
        .chain(l.dibao.iter().map(|r| &r.id))
        .chain(l.tekun.iter().map(|r| &r.id))
        .chain(l.urban.iter().map(|r| &r.id))
        .chain(l.disabled.iter().map(|r| &r.id))
        .chain(l.admissions.iter().map(|r| &r.id));
    let mut n = 0;
    for id in ids {
        assert!(valid(id), "invalid ID {id}");
        n += 1;
    }
    assert!(n > 100_000);
    // One ID per person: same ID ⇒ same name and birth date, everywhere.
    let mut seen: HashMap<&str, (&str, chrono::NaiveDate)> = HashMap::new();
    for s in d.spring.iter().chain(&d.autumn) {
        let e = seen.entry(&s.id).or_insert((&s.name, s.birth));
        assert_eq!(*e, (s.name.as_str(), s.birth), "{}", s.id);
        assert_eq!(
            IdNumber::parse(&s.id).unwrap().0.birth_date(),
            Some(s.birth)
        );
        assert_eq!(IdNumber::parse(&s.id).unwrap().0.sex(), Some(s.sex));
    }
    for r in &l.poor {
        if let Some(e) = seen.get(r.id.as_str()) {
            assert_eq!(e.0, r.name);
        }
    }
    assert!(d
        .spring
        .iter()
        .chain(&d.autumn)
        .all(|s| s.name.contains('演')));
    assert!(
        l.poor.iter().all(|r| r.name.contains('演'))
            && l.dibao.iter().all(|r| r.name.contains('演'))
    );
    let spring: HashSet<&str> = d.spring.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(spring.len(), d.spring.len(), "no duplicate in spring");
}

#[test]
fn one_duplicate_enrolment_and_the_transfers_in_autumn() {
    let d = data();
    let mut by_id: HashMap<&str, Vec<&Student>> = HashMap::new();
    for s in &d.autumn {
        by_id.entry(&s.id).or_default().push(s);
    }
    let enrolled = |v: &Vec<&Student>| v.iter().filter(|s| s.status == Status::Enrolled).count();
    let dups: Vec<&Vec<&Student>> = by_id.values().filter(|v| enrolled(v) > 1).collect();
    assert_eq!(dups.len(), 1);
    let pair = dups[0];
    assert_eq!(pair.len(), 2);
    assert_ne!(pair[0].school, pair[1].school);
    assert_eq!(pair[0].student_no, pair[1].student_no);
    // Every other child in the registry twice transferred within the county: 转出 at the old
    // school, 在读 at the receiving one, same grade and 学籍号.
    let transfers: Vec<&Vec<&Student>> = by_id
        .values()
        .filter(|v| v.len() > 1 && enrolled(v) == 1)
        .collect();
    for t in &transfers {
        assert_eq!(t.len(), 2);
        let (from, to) = if t[0].status == Status::Enrolled {
            (t[1], t[0])
        } else {
            (t[0], t[1])
        };
        assert_eq!(from.status, Status::TransferredOut);
        assert_ne!(from.school, to.school);
        assert_eq!((from.level, &from.student_no), (to.level, &to.student_no));
        assert!(from.level >= 3, "no transfers in kindergarten");
    }
    close(
        "transfers",
        share(transfers.len(), d.autumn.len()),
        0.004,
        0.002,
    );
}

#[test]
fn birth_dates_fit_the_grades() {
    let d = data();
    for (term, list) in [(SPRING, &d.spring), (AUTUMN, &d.autumn)] {
        let y = school_year(term);
        let mut exact = 0;
        for s in list.iter() {
            let (from, to) = birth_window(s.level, y);
            let (older, _) = birth_window(s.level + 2, y);
            assert!(
                s.birth >= older && s.birth <= to,
                "{} level {} born {}",
                s.name,
                s.level,
                s.birth
            );
            exact += usize::from(s.birth >= from);
        }
        assert!(
            share(exact, list.len()) > 0.95,
            "{term}: {exact}/{}",
            list.len()
        );
    }
}

#[test]
fn rates_are_realistic() {
    let d = data();
    let s = &d.spring;
    let n = s.len();
    assert_eq!(n, 50_000);
    close("autumn size", share(d.autumn.len(), n), 1.0, 0.05);
    let kind = |x: &Student| d.schools[x.school].kind;
    let stage = |lo: u8, hi: u8| {
        s.iter()
            .filter(|x| {
                (lo..=hi).contains(&x.level)
                    && kind(x) != SchoolKind::Special
                    && kind(x) != SchoolKind::Vocational
            })
            .count()
    };
    close("kindergarten", share(stage(0, 2), n), 0.16, 0.01);
    close("primary", share(stage(3, 8), n), 0.48, 0.01);
    close("junior", share(stage(9, 11), n), 0.22, 0.01);
    close("senior", share(stage(12, 14), n), 0.09, 0.01);
    close(
        "vocational",
        share(
            s.iter()
                .filter(|x| kind(x) == SchoolKind::Vocational)
                .count(),
            n,
        ),
        0.05,
        0.005,
    );
    let special = s.iter().filter(|x| kind(x) == SchoolKind::Special).count();
    assert!((100..=500).contains(&special), "special school {special}");

    let boarding = |lo: u8, hi: u8, k: Option<SchoolKind>| {
        let v: Vec<&Student> = s
            .iter()
            .filter(|x| {
                (lo..=hi).contains(&x.level)
                    && k.is_none_or(|k| kind(x) == k)
                    && kind(x) != SchoolKind::Special
                    && (k.is_some() || kind(x) != SchoolKind::Vocational)
            })
            .collect();
        share(v.iter().filter(|x| x.boarding).count(), v.len())
    };
    close("boarding primary", boarding(3, 8, None), 0.15, 0.04);
    close("boarding junior", boarding(9, 11, None), 0.40, 0.05);
    close("boarding senior", boarding(12, 14, None), 0.60, 0.04);
    close(
        "boarding vocational",
        boarding(12, 14, Some(SchoolKind::Vocational)),
        0.50,
        0.05,
    );
    assert_eq!(boarding(0, 2, None), 0.0);
    close(
        "rural hukou",
        share(s.iter().filter(|x| x.hukou == Area::Rural).count(), n),
        0.85,
        0.03,
    );
    assert!(share(s.iter().filter(|x| x.status == Status::Enrolled).count(), n) >= 0.98);
    for st in [
        Status::Suspended,
        Status::TransferredOut,
        Status::DroppedOut,
    ] {
        assert!(s.iter().any(|x| x.status == st), "{st:?}");
    }
    close(
        "difficult",
        share(
            s.iter()
                .filter(|x| x.difficulty != Difficulty::NotDifficult)
                .count(),
            n,
        ),
        0.12,
        0.02,
    );
    let voc: Vec<&Student> = s.iter().filter(|x| x.major.is_some()).collect();
    close(
        "agri majors",
        share(
            voc.iter().filter(|x| x.major.is_some_and(|m| m.1)).count(),
            voc.len(),
        ),
        0.30,
        0.04,
    );
    let g = s
        .iter()
        .filter(|x| x.student_no == format!("G{}", x.id))
        .count();
    assert!(share(g, n) > 0.99);
    for p in ["J", "L"] {
        assert!(s.iter().any(|x| x.student_no.starts_with(p)), "{p}");
    }
    assert!(s.iter().any(|x| x.student_no.starts_with('G')
        && x.student_no[1..] != x.id
        && valid(&x.student_no[1..])));
}

#[test]
fn list_rates_are_realistic() {
    let d = data();
    let l = &d.lists;
    let s = &d.spring;
    let n = s.len();
    let ids = |v: Vec<&String>| -> HashSet<String> { v.into_iter().cloned().collect() };
    let poor = ids(l.poor.iter().map(|r| &r.id).collect());
    let on = |set: &HashSet<String>| share(s.iter().filter(|x| set.contains(&x.id)).count(), n);
    close("poor", on(&poor), 0.09, 0.015);
    close(
        "dibao",
        on(&ids(l.dibao.iter().map(|r| &r.id).collect())),
        0.04,
        0.01,
    );
    close(
        "tekun",
        on(&ids(l.tekun.iter().map(|r| &r.id).collect())),
        0.003,
        0.0015,
    );
    close(
        "disabled",
        on(&ids(l.disabled.iter().map(|r| &r.id).collect())),
        0.012,
        0.004,
    );
    close(
        "urban hardship",
        on(&ids(l.urban.iter().map(|r| &r.id).collect())),
        0.005,
        0.0025,
    );
    // Households: 3–6 members, mostly exited, every student member flagged.
    let mut households: HashMap<&str, Vec<&lists::PoorRow>> = HashMap::new();
    for r in &l.poor {
        households.entry(&r.household_no).or_default().push(r);
    }
    let with_children: Vec<_> = households.values().filter(|h| h.len() >= 3).collect();
    assert!(with_children
        .iter()
        .all(|h| h.len() <= 6 && h.iter().filter(|r| r.relation == "户主").count() == 1));
    let exited = l
        .poor
        .iter()
        .filter(|r| r.status == PovertyStatus::Exited)
        .count();
    assert!(share(exited, l.poor.len()) > 0.85 && exited < l.poor.len());
    assert!(l
        .poor
        .iter()
        .filter(|r| r.status == PovertyStatus::Exited)
        .all(|r| r.exit_year.is_some()));
    // School-age members in no registry at all: the poor children planted out of school (the
    // dropout-control input, `population`; more in tests_dropout).
    let enrolled: HashSet<&str> = s.iter().chain(&d.autumn).map(|x| x.id.as_str()).collect();
    let school_age = |b: chrono::NaiveDate| {
        b > chrono::NaiveDate::from_ymd_opt(2007, 10, 1).unwrap()
            && b <= chrono::NaiveDate::from_ymd_opt(2017, 8, 31).unwrap()
    };
    let out_of_school = l
        .poor
        .iter()
        .filter(|r| school_age(r.birth) && !enrolled.contains(r.id.as_str()))
        .count();
    let planted_poor = d
        .residents
        .iter()
        .filter(|r| r.out_of_school == Some(population::OutOfSchool::Poor))
        .count();
    assert!(planted_poor >= 3, "{planted_poor}");
    assert_eq!(out_of_school, planted_poor);
    // Validity periods.
    let spring_ref = chrono::NaiveDate::from_ymd_opt(2023, 3, 1).unwrap();
    let autumn_ref = chrono::NaiveDate::from_ymd_opt(2023, 10, 1).unwrap();
    assert!(l.dibao.iter().any(|r| r.to.is_some_and(|t| t < autumn_ref)));
    assert!(l
        .dibao
        .iter()
        .any(|r| r.from.is_some_and(|f| f > spring_ref)));
    assert!(l.dibao.iter().all(|r| match (r.from, r.to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    }));
    assert!(
        share(
            l.tekun.iter().filter(|r| r.area == Area::Rural).count(),
            l.tekun.len()
        ) > 0.75
    );
    // Admissions: ~80% of spring 高三 at senior/complete schools, ~60% of them in Jiangxi.
    let seniors = s
        .iter()
        .filter(|x| {
            x.level == 14
                && matches!(
                    d.schools[x.school].kind,
                    SchoolKind::Senior | SchoolKind::Complete
                )
        })
        .count();
    close("admitted", share(l.admissions.len(), seniors), 0.80, 0.04);
    close(
        "in province",
        share(
            l.admissions
                .iter()
                .filter(|a| a.province == "江西省")
                .count(),
            l.admissions.len(),
        ),
        0.60,
        0.05,
    );
    assert!(l
        .admissions
        .iter()
        .all(|a| a.exam_no.len() == 14 && a.year == 2023));
    assert!(l
        .disabled
        .iter()
        .all(|r| r.certificate().len() == 20 && r.certificate().starts_with(&r.id)));
}

#[test]
fn rare_names_and_codes_are_present() {
    let d = data();
    let names: Vec<&str> = d.spring.iter().map(|s| s.name.as_str()).collect();
    assert!(names.iter().any(|n| n.contains('\u{2567F}')));
    assert!(names.iter().any(|n| n.contains('\u{3666}')));
    assert_eq!(names.iter().filter(|n| n.contains('·')).count(), 2);
    assert_eq!(
        d.spring
            .iter()
            .filter(|s| s.id.starts_with("360782"))
            .count(),
        1
    );
    let others = d
        .spring
        .iter()
        .filter(|s| !s.id.starts_with("360731"))
        .count();
    assert!(
        (1..=n_percent(d.spring.len(), 2)).contains(&others),
        "{others}"
    );
    assert!(d.lists.disabled.iter().any(|r| r.name.contains('·')));
}

fn n_percent(n: usize, p: usize) -> usize {
    n * p / 100
}

#[test]
fn schools_scale_down_with_every_kind() {
    let d = data();
    assert_eq!(d.schools.len(), 96);
    let small = build(&DemoSpec {
        students: 600,
        seed: 1,
    })
    .unwrap();
    for k in SchoolKind::ALL {
        assert!(small.schools.iter().any(|s| s.kind == *k), "{k:?}");
    }
    assert_eq!(small.spring.len(), 600);
}
