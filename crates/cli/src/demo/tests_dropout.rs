//! Tests of the dropout-control inputs (控辍保学): the household-registration extract with the
//! planted out-of-school children, the attendance returns, how rarely children leave school in
//! the registry.

use super::lists::{PoorRow, Student};
use super::population::{compulsory_age, planted_count, OutOfSchool, ResidentRow};
use super::tests::{data, share, valid};
use super::*;
use std::collections::{HashMap, HashSet};
use zizhu_domain::Status;

const KINDS: [OutOfSchool; 5] = [
    OutOfSchool::Elsewhere,
    OutOfSchool::Disabled,
    OutOfSchool::Poor,
    OutOfSchool::LeftBehind,
    OutOfSchool::Hardship,
];

fn compulsory_grade(s: &Student) -> bool {
    (3..=11).contains(&s.level)
}

fn planted(d: &DemoData) -> Vec<&ResidentRow> {
    d.residents
        .iter()
        .filter(|r| r.out_of_school.is_some())
        .collect()
}

#[test]
fn the_extract_has_every_local_child_once_and_the_planted_ones() {
    let d = data();
    let r = &d.residents;
    let ids: HashSet<&str> = r.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids.len(), r.len(), "one row per child");
    for x in r {
        assert!(valid(&x.id), "{}", x.id);
        assert!(
            x.name.contains('演') && x.guardian.contains('演'),
            "{}",
            x.name
        );
        assert!(compulsory_age(x.birth), "{} born {}", x.id, x.birth);
        assert!(!x.township.is_empty() && !x.household_no.is_empty());
    }
    // Every child of compulsory age in the autumn registry with an ID issued in the county.
    let local: HashSet<&str> = d
        .autumn
        .iter()
        .filter(|s| compulsory_age(s.birth) && s.id.starts_with("360731"))
        .map(|s| s.id.as_str())
        .collect();
    let listed: HashSet<&str> = r
        .iter()
        .filter(|x| x.out_of_school.is_none())
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(local, listed);
    let left_behind = r.iter().filter(|x| x.left_behind).count();
    assert!(
        (0.10..0.25).contains(&share(left_behind, r.len())),
        "{left_behind} left behind"
    );

    // The planted: a few dozen, in no registry of the year, each kind present, each on the
    // lists its reason implies.
    let p = planted(d);
    assert_eq!(p.len(), planted_count(50_000));
    assert!((20..=60).contains(&p.len()), "{}", p.len());
    let registry: HashSet<&str> = d
        .spring
        .iter()
        .chain(&d.autumn)
        .map(|s| s.id.as_str())
        .collect();
    for k in KINDS {
        assert!(p.iter().any(|x| x.out_of_school == Some(k)), "{k:?}");
    }
    let disabled: HashSet<&str> = d.lists.disabled.iter().map(|x| x.id.as_str()).collect();
    let poor: HashMap<&str, &PoorRow> = d.lists.poor.iter().map(|x| (x.id.as_str(), x)).collect();
    for x in &p {
        let why = x.out_of_school.unwrap();
        assert!(!registry.contains(x.id.as_str()), "{} is enrolled", x.id);
        assert_eq!(
            disabled.contains(x.id.as_str()),
            why == OutOfSchool::Disabled
        );
        match poor.get(x.id.as_str()) {
            Some(h) => {
                assert_eq!(why, OutOfSchool::Poor);
                assert_eq!(
                    (&h.household_no, &h.township),
                    (&x.household_no, &x.township)
                );
                assert!(
                    h.relation == "之子" || h.relation == "之女",
                    "{}",
                    h.relation
                );
            }
            None => assert_ne!(why, OutOfSchool::Poor),
        }
        match why {
            OutOfSchool::Elsewhere => assert!(x.migrant),
            OutOfSchool::LeftBehind => assert!(x.left_behind),
            OutOfSchool::Hardship => assert!(x.hardship && (x.orphan || x.unsupported)),
            OutOfSchool::Disabled | OutOfSchool::Poor => {}
        }
        let zone = x.zone_school.and_then(|i| d.schools.get(i)).unwrap();
        assert!((3..=11).any(|l| zone.offers(l)), "{}", zone.name);
    }
    assert!(r
        .iter()
        .filter(|x| x.out_of_school.is_none())
        .all(|x| x.zone_school.is_none() && !x.migrant));
}

#[test]
fn leaving_school_is_rare_in_the_compulsory_grades() {
    let d = data();
    // The registry as the scan reads it: enrolled at any school counts as enrolled.
    let mut status: HashMap<&str, Status> = HashMap::new();
    for s in d.autumn.iter().filter(|s| compulsory_grade(s)) {
        let e = status.entry(&s.id).or_insert(s.status);
        if s.status == Status::Enrolled {
            *e = Status::Enrolled;
        }
    }
    let count = |st: Status| status.values().filter(|&&x| x == st).count();
    let suspended_in_spring: HashSet<&str> = d
        .spring
        .iter()
        .filter(|s| s.status == Status::Suspended)
        .map(|s| s.id.as_str())
        .collect();
    let suspended_long = status
        .iter()
        .filter(|(id, st)| **st == Status::Suspended && suspended_in_spring.contains(*id))
        .count();
    let (dropped, unreceived) = (count(Status::DroppedOut), count(Status::TransferredOut));
    for (what, n) in [
        ("辍学", dropped),
        ("转出 unreceived", unreceived),
        ("休学 two terms", suspended_long),
    ] {
        assert!(n <= 15, "{what}: {n} among {}", status.len());
    }
    assert!(dropped + unreceived + suspended_long >= 3);
    // Most children transferred out are at a county school in the same registry.
    let out_rows = d
        .autumn
        .iter()
        .filter(|s| compulsory_grade(s) && s.status == Status::TransferredOut)
        .count();
    assert!(
        share(out_rows - unreceived, out_rows) > 0.9,
        "{unreceived} of {out_rows} unreceived"
    );
    // So the suspects are a few dozen among ~35,000 children.
    let suspects =
        planted(d).len() + d.attendance.absent.len() + dropped + unreceived + suspended_long;
    assert!((25..=80).contains(&suspects), "{suspects}");
}

#[test]
fn the_returns_leave_out_the_absent_and_the_silent_schools() {
    let d = data();
    let a = &d.attendance;
    assert_eq!(a.silent.len(), 2);
    assert_eq!(a.absent.len(), 50_000 / 8000);
    let row = |i: &usize| &d.autumn[*i];
    let present: HashSet<&str> = a.present.iter().map(|i| row(i).id.as_str()).collect();
    assert_eq!(present.len(), a.present.len(), "a child listed once");
    for s in a.present.iter().chain(&a.absent).map(row) {
        assert!(s.status == Status::Enrolled && compulsory_grade(s));
        assert!(!a.silent.contains(&s.school));
    }
    assert!(a
        .absent
        .iter()
        .all(|i| !present.contains(row(i).id.as_str())));
    let absent_junior = a.absent.iter().filter(|i| row(i).level >= 9).count();
    assert!(
        absent_junior * 2 >= a.absent.len(),
        "mostly of junior grades"
    );
    // Everyone else enrolled in a compulsory grade of a school that sent a return is on it.
    let absent: HashSet<&str> = a.absent.iter().map(|i| row(i).id.as_str()).collect();
    for s in &d.autumn {
        if s.status == Status::Enrolled && compulsory_grade(s) && !a.silent.contains(&s.school) {
            assert!(present.contains(s.id.as_str()) || absent.contains(s.id.as_str()));
        }
    }
    for &i in &a.silent {
        assert!(d
            .autumn
            .iter()
            .any(|s| s.school == i && compulsory_grade(s)));
    }
}
