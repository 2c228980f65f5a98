//! Tests of the dropout-control inputs (控辍保学): the household-registration extract with the
//! planted out-of-school children, the attendance returns, how rarely children leave school in
//! the registry, and the demo's scan finding exactly the children the generated data implies.

use super::lists::{PoorRow, Student};
use super::population::{compulsory_age, planted_count, OutOfSchool, ResidentRow};
use super::tests::{data, share, valid};
use super::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use zizhu_domain::dropout::{AttentionGroup, SuspectReason};
use zizhu_domain::Status;
use zizhu_store::CaseFilter;

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

/// Who was 休学 in the spring registry (with autumn, two terms: the policy's limit).
fn suspended_in_spring(d: &DemoData) -> HashSet<&str> {
    d.spring
        .iter()
        .filter(|s| s.status == Status::Suspended)
        .map(|s| s.id.as_str())
        .collect()
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
    let suspended_in_spring = suspended_in_spring(d);
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

/// The suspects the scan of 2023-10-15 must find, from the generated data alone: who is in the
/// population (the extract, the registered-poor households, the registry's compulsory-age
/// children and grades) and what the registry and the returns say of each.
fn expected_suspects(d: &DemoData) -> BTreeMap<String, Vec<SuspectReason>> {
    let mut status: HashMap<&str, Status> = HashMap::new();
    let mut school: HashMap<&str, usize> = HashMap::new();
    for s in &d.autumn {
        let e = status.entry(&s.id).or_insert(s.status);
        if s.status == Status::Enrolled && *e != Status::Enrolled {
            *e = Status::Enrolled;
            school.insert(&s.id, s.school);
        } else {
            school.entry(&s.id).or_insert(s.school);
        }
    }
    let present: HashSet<&str> = d
        .attendance
        .present
        .iter()
        .map(|&i| d.autumn[i].id.as_str())
        .collect();
    let sending: HashSet<usize> = d
        .attendance
        .present
        .iter()
        .map(|&i| d.autumn[i].school)
        .collect();
    // 毕业 from grade 6 (level 8) at compulsory age, enrolled nowhere (小升初).
    let primary_graduates: HashSet<&str> = d
        .autumn
        .iter()
        .filter(|s| s.status == Status::Graduated && s.level == 8 && compulsory_age(s.birth))
        .map(|s| s.id.as_str())
        .collect();
    let suspended_in_spring = suspended_in_spring(d);
    let population: HashSet<&str> = d
        .residents
        .iter()
        .map(|r| r.id.as_str())
        .chain(
            d.lists
                .poor
                .iter()
                .filter(|p| compulsory_age(p.birth))
                .map(|p| p.id.as_str()),
        )
        .chain(
            d.autumn
                .iter()
                .filter(|s| compulsory_age(s.birth) || compulsory_grade(s))
                .map(|s| s.id.as_str()),
        )
        .collect();
    let mut out = BTreeMap::new();
    for id in population {
        let reason = match status.get(id) {
            None => Some(SuspectReason::NeverEnrolled),
            Some(Status::DroppedOut) => Some(SuspectReason::StatusDroppedOut),
            Some(Status::Suspended) if suspended_in_spring.contains(id) => {
                Some(SuspectReason::SuspendedTooLong)
            }
            Some(Status::TransferredOut) => Some(SuspectReason::TransferredUnreceived),
            Some(Status::Graduated) if primary_graduates.contains(id) => {
                Some(SuspectReason::GraduatedNotPromoted)
            }
            Some(Status::Enrolled)
                if !present.contains(id) && school.get(id).is_some_and(|s| sending.contains(s)) =>
            {
                Some(SuspectReason::AbsentFromAttendance)
            }
            _ => None,
        };
        if let Some(r) = reason {
            out.insert(id.to_string(), vec![r]);
        }
    }
    out
}

#[tokio::test]
async fn the_demo_scan_finds_the_planted_children_and_no_one_else() {
    let tmp = tempfile::tempdir().unwrap();
    // A size and seed whose registry has a child for every reason.
    let spec = DemoSpec {
        students: 10_000,
        seed: 8,
    };
    let manifest = generate(&tmp.path().join("files"), &spec).unwrap();
    let d = build(&spec).unwrap();
    let reports = tmp.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let url = crate::ui::fresh_sqlite(&tmp.path().join("z.db")).unwrap();
    let db = crate::ui::open_db(&url).await.unwrap();
    crate::cmd_demo::import_all(&db, &manifest, "test", &reports)
        .await
        .unwrap();
    let rules = crate::ui::load_policy(None)
        .unwrap()
        .policy
        .dropout_rules()
        .unwrap();
    let o = crate::cmd_demo::dropout(&db, &rules, "test", &reports)
        .await
        .unwrap();
    for f in [
        "控辍保学统计-2023-10-15.xlsx",
        "一生一案台账-全县-2023-10-15.xlsx",
    ] {
        assert!(reports.join(f).is_file(), "{f}");
    }
    let mut silent: Vec<String> = d
        .attendance
        .silent
        .iter()
        .map(|&i| d.schools[i].code.clone())
        .collect();
    silent.sort();
    assert!(!silent.is_empty());
    assert_eq!(o.schools_without_return, silent);

    let cases = db.cases(&CaseFilter::default()).await.unwrap();
    let found: BTreeMap<String, Vec<SuspectReason>> = cases
        .iter()
        .map(|c| (c.child.id_number.clone(), c.child.reasons.clone()))
        .collect();
    let expected = expected_suspects(&d);
    for r in SuspectReason::ALL {
        assert!(expected.values().any(|v| v.contains(r)), "no {r:?} here");
    }
    assert_eq!(found, expected);
    assert_eq!(o.summary.opened, expected.len() as i64);
    assert_eq!(o.summary.population as usize, {
        let mut all: HashSet<&str> = d.residents.iter().map(|r| r.id.as_str()).collect();
        all.extend(
            d.autumn
                .iter()
                .filter(|s| compulsory_age(s.birth) || compulsory_grade(s))
                .map(|s| s.id.as_str()),
        );
        all.extend(
            d.lists
                .poor
                .iter()
                .filter(|p| compulsory_age(p.birth))
                .map(|p| p.id.as_str()),
        );
        all.len()
    });

    // Each planted child is found as never enrolled, with the groups the lists give it; each
    // absent one as absent from the return.
    let groups: HashMap<&str, &Vec<AttentionGroup>> = cases
        .iter()
        .map(|c| (c.child.id_number.as_str(), &c.child.groups))
        .collect();
    let p = planted(&d);
    assert_eq!(p.len(), planted_count(10_000));
    for r in &p {
        assert_eq!(found[&r.id], vec![SuspectReason::NeverEnrolled]);
        let g = groups[r.id.as_str()];
        let want = match r.out_of_school.unwrap() {
            OutOfSchool::Elsewhere => AttentionGroup::Migrant,
            OutOfSchool::Disabled => AttentionGroup::Disabled,
            OutOfSchool::Poor => AttentionGroup::PoorFamily,
            OutOfSchool::LeftBehind => AttentionGroup::LeftBehind,
            OutOfSchool::Hardship => AttentionGroup::Hardship,
        };
        assert!(g.contains(&want), "{:?}: {g:?}", r.out_of_school);
        for (flag, group) in [
            (r.orphan, AttentionGroup::Orphan),
            (r.unsupported, AttentionGroup::Unsupported),
            (r.left_behind, AttentionGroup::LeftBehind),
            (r.hardship, AttentionGroup::Hardship),
            (r.migrant, AttentionGroup::Migrant),
        ] {
            assert_eq!(
                g.contains(&group),
                flag,
                "{group:?} of {:?}",
                r.out_of_school
            );
        }
        let case = cases.iter().find(|c| c.child.id_number == r.id).unwrap();
        let zone = r.zone_school.map(|i| d.schools[i].code.clone());
        assert_eq!(Some(case.child.school_code.clone()), zone);
        assert_eq!(
            (&case.child.township, &case.child.guardian),
            (&r.township, &r.guardian)
        );
    }
    for &i in &d.attendance.absent {
        assert_eq!(
            found[&d.autumn[i].id],
            vec![SuspectReason::AbsentFromAttendance]
        );
    }
}
