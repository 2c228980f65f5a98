//! The dropout-control inputs (控辍保学): the household-registration extract of the county's
//! compulsory-age children (户籍适龄人口) — the registry's children with a local ID, plus a few dozen
//! planted children in no school's registry — and the schools' attendance returns (在校学生名单)
//! for autumn 2023, with a handful of enrolled students absent and one or two schools silent.

use super::catalog::{Level, VILLAGES};
use super::county::COUNTY_CODE;
use super::family::{ymd, Member, Role};
use super::lists::{DisabledRow, ListRow, PoorRow, Sink, Student};
use super::names;
use super::people::{date_between, Gen};
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};
use zizhu_domain::{Area, SchoolKind, Sex, Status};

/// The compulsory-age window of the 2023–2024 school year: 6 to 14 full years on 31 August 2023
/// (policy `[dropout]`: entry at 6, nine years).
pub(crate) fn compulsory_age(birth: NaiveDate) -> bool {
    (ymd(2008, 9, 1)..=ymd(2017, 8, 31)).contains(&birth)
}

/// Why a planted child of compulsory age is in no school's registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutOfSchool {
    /// Studying where the parents work, outside the county (随迁子女): verified, not a dropout.
    Elsewhere,
    /// Severely disabled, on the disabled-persons list (a 送教上门 candidate).
    Disabled,
    /// A member of a registered-poor household (脱贫家庭).
    Poor,
    /// Left behind with grandparents (留守儿童), dropped out of junior school.
    LeftBehind,
    /// An orphan or de-facto unsupported child in hardship (困境儿童).
    Hardship,
}

/// The mix of planted children, repeated: every kind appears in the smallest demo.
const PLANTED: [OutOfSchool; 10] = [
    OutOfSchool::Elsewhere,
    OutOfSchool::Disabled,
    OutOfSchool::Poor,
    OutOfSchool::LeftBehind,
    OutOfSchool::Elsewhere,
    OutOfSchool::Poor,
    OutOfSchool::Disabled,
    OutOfSchool::Elsewhere,
    OutOfSchool::Hardship,
    OutOfSchool::LeftBehind,
];

/// Planted children out of school: one per 1,600 students (31 at 50,000), at least one of each
/// kind.
pub(crate) fn planted_count(students: usize) -> usize {
    (students / 1600).max(PLANTED.len())
}

/// A row of the household-registration extract.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResidentRow {
    pub name: String,
    pub id: String,
    pub sex: Sex,
    pub birth: NaiveDate,
    /// Township statistical code and name.
    pub town_code: String,
    pub township: String,
    pub village: &'static str,
    pub household_no: String,
    pub guardian: String,
    pub phone: String,
    /// 划片学校 (index into the school plan): filled in for the children no school has.
    pub zone_school: Option<usize>,
    pub orphan: bool,
    pub unsupported: bool,
    pub left_behind: bool,
    pub hardship: bool,
    pub migrant: bool,
    /// Planted out of school, and why; `None` for a child in the autumn registry.
    pub out_of_school: Option<OutOfSchool>,
}

/// The schools' attendance returns for autumn 2023.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Attendance {
    /// Indexes into the autumn registry of the students reported in school, in registry order.
    pub present: Vec<usize>,
    /// Indexes into the autumn registry of enrolled students the school did not report.
    pub absent: Vec<usize>,
    /// Schools with compulsory grades that sent no return (indexes into the school plan).
    pub silent: Vec<usize>,
}

/// Rural townships (not the seat, not the industrial park), by index.
fn rural_towns(g: &Gen) -> Vec<usize> {
    (0..g.towns.len())
        .filter(|&i| {
            g.towns
                .get(i)
                .is_some_and(|t| !t.is_urban() && !t.is_park())
        })
        .collect()
}

/// A synthetic phone number: `100` is no mobile prefix in China, so no subscriber has it.
fn phone(g: &mut Gen) -> String {
    format!("100{:08}", g.rng.below(100_000_000))
}

fn random_sex(g: &mut Gen) -> Sex {
    if g.rng.permille(515) {
        Sex::Male
    } else {
        Sex::Female
    }
}

/// The school of a township's zone for a child born on `birth`: the largest school of the
/// township teaching the child's age-grade, else the largest in the county seat.
fn zone_school(g: &Gen, township: usize, birth: NaiveDate) -> Option<usize> {
    // Full years on 31 August 2023: 6 is grade 1 (level 3).
    let age = 2023 - birth.year() - i32::from((birth.month(), birth.day()) > (8, 31));
    let level = Level::try_from(age - 3).unwrap_or(3).clamp(3, 11);
    let best = |f: &dyn Fn(&super::schools::PlannedSchool) -> bool| {
        g.schools
            .iter()
            .enumerate()
            .filter(|(_, s)| s.offers(level) && s.kind != SchoolKind::Special && f(s))
            .max_by_key(|(i, s)| (s.weight, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
    };
    best(&|s| s.township == township).or_else(|| best(&|s| s.urban))
}

/// The extract: every child of compulsory age in the autumn registry whose ID was issued in the
/// county (children registered elsewhere are compared through the registry), once, with the
/// household's township and village — registered-poor children with their household's — and
/// the planted children out of school, whose rows on the disabled and 建档立卡 lists go to
/// `sink`. Sorted by township, village and household, as the public-security extract comes.
pub(crate) fn residents(
    g: &mut Gen,
    autumn: &[Student],
    poor: &[PoorRow],
    students: usize,
    sink: &mut dyn Sink,
) -> anyhow::Result<Vec<ResidentRow>> {
    let households: HashMap<&str, &PoorRow> = poor.iter().map(|r| (r.id.as_str(), r)).collect();
    let town_ix: HashMap<String, usize> = g
        .towns
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let local = COUNTY_CODE.to_string();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    let mut household = 0u32;
    for s in autumn {
        if !compulsory_age(s.birth) || !s.id.starts_with(&local) || !seen.insert(&s.id) {
            continue;
        }
        let (town_code, township, village, household_no) = match households.get(s.id.as_str()) {
            Some(p) => {
                let code = town_ix
                    .get(&p.township)
                    .and_then(|&i| g.towns.get(i))
                    .map(|t| t.code.clone())
                    .unwrap_or_default();
                (code, p.township.clone(), p.village, p.household_no.clone())
            }
            None => {
                let (code, name) = g.home_township(s);
                let village = g.rng.pick(&VILLAGES).copied().unwrap_or("上坪村");
                household += 1;
                let no = format!("{code}{household:06}");
                (code, name, village, no)
            }
        };
        let rural = s.hukou == Area::Rural;
        let left_behind = rural && g.rng.permille(180);
        let surname = if s.surname.is_empty() {
            names::surname(&mut g.rng)
        } else {
            s.surname
        };
        let guardian_sex = if left_behind {
            random_sex(g)
        } else {
            Sex::Male
        };
        let guardian = names::full_name(&mut g.rng, surname, guardian_sex);
        let phone = phone(g);
        let orphan = g.rng.ppm(500);
        let unsupported = !orphan && g.rng.ppm(2000);
        let hardship = orphan || unsupported || g.rng.ppm(3000);
        out.push(ResidentRow {
            name: s.name.clone(),
            id: s.id.clone(),
            sex: s.sex,
            birth: s.birth,
            town_code,
            township,
            village,
            household_no,
            guardian,
            phone,
            zone_school: None,
            orphan,
            unsupported,
            left_behind,
            hardship,
            migrant: false,
            out_of_school: None,
        });
    }
    let rural = rural_towns(g);
    for k in 0..planted_count(students) {
        let why = PLANTED
            .get(k % PLANTED.len())
            .copied()
            .unwrap_or(OutOfSchool::Elsewhere);
        out.push(planted(g, why, &rural, &mut household, sink)?);
    }
    out.sort_by(|a, b| {
        (&a.town_code, a.village, &a.household_no, &a.id).cmp(&(
            &b.town_code,
            b.village,
            &b.household_no,
            &b.id,
        ))
    });
    Ok(out)
}

/// One child of compulsory age in no school's registry, with the list rows the reason implies.
fn planted(
    g: &mut Gen,
    why: OutOfSchool,
    rural: &[usize],
    household: &mut u32,
    sink: &mut dyn Sink,
) -> anyhow::Result<ResidentRow> {
    let t = g.rng.pick(rural).copied().unwrap_or(0);
    let (town_code, township) = g
        .towns
        .get(t)
        .map(|x| (x.code.clone(), x.name.clone()))
        .unwrap_or_default();
    // Dropouts are mostly of junior-school age; the others of any compulsory age.
    let youngest = match why {
        OutOfSchool::Poor | OutOfSchool::LeftBehind => ymd(2011, 8, 31),
        OutOfSchool::Hardship => ymd(2013, 8, 31),
        OutOfSchool::Elsewhere | OutOfSchool::Disabled => ymd(2017, 8, 31),
    };
    let birth = date_between(&mut g.rng, ymd(2008, 9, 1), youngest);
    let sex = random_sex(g);
    let surname = names::surname(&mut g.rng);
    let child = g.member(Role::OtherChild, sex, birth, surname, COUNTY_CODE)?;
    let father_birth = date_between(
        &mut g.rng,
        ymd(birth.year() - 36, 1, 1),
        ymd(birth.year() - 24, 12, 31),
    );
    let father = g.member(Role::Father, Sex::Male, father_birth, surname, COUNTY_CODE)?;
    let mut row = ResidentRow {
        name: child.name.clone(),
        id: child.id.clone(),
        sex,
        birth,
        town_code: town_code.clone(),
        township: township.clone(),
        village: g.rng.pick(&VILLAGES).copied().unwrap_or("上坪村"),
        household_no: String::new(),
        guardian: father.name.clone(),
        phone: phone(g),
        zone_school: zone_school(g, t, birth),
        orphan: false,
        unsupported: false,
        left_behind: false,
        hardship: false,
        migrant: false,
        out_of_school: Some(why),
    };
    match why {
        OutOfSchool::Elsewhere => row.migrant = true,
        OutOfSchool::Disabled => {
            // Mostly intellectual or multiple disabilities of grade 1–2.
            let category = g
                .rng
                .weighted_pick(&[(35, 5u8), (25, 7), (20, 4), (10, 6), (10, 2)], 5);
            let grade = g.rng.weighted_pick(&[(50, 1u8), (50, 2)], 2);
            let issued = date_between(
                &mut g.rng,
                ymd(birth.year() + 2, 1, 1).max(ymd(2015, 1, 1)),
                ymd(2023, 2, 28),
            );
            sink.row(ListRow::Disabled(DisabledRow {
                name: child.name.clone(),
                id: child.id.clone(),
                category,
                grade,
                issued,
                birth,
            }))?;
            row.hardship = g.rng.permille(500);
        }
        OutOfSchool::Poor => {
            let mother_birth = date_between(
                &mut g.rng,
                ymd(birth.year() - 34, 1, 1),
                ymd(birth.year() - 22, 12, 31),
            );
            let mother_surname = names::surname(&mut g.rng);
            let mother = g.member(
                Role::Mother,
                Sex::Female,
                mother_birth,
                mother_surname,
                COUNTY_CODE,
            )?;
            let grandmother_birth = date_between(
                &mut g.rng,
                ymd(father_birth.year() - 30, 1, 1),
                ymd(father_birth.year() - 20, 12, 31),
            );
            let grandmother_surname = names::surname(&mut g.rng);
            let grandmother = g.member(
                Role::Grandmother,
                Sex::Female,
                grandmother_birth,
                grandmother_surname,
                COUNTY_CODE,
            )?;
            let guardian = father.name.clone();
            let members: Vec<Member> = vec![father, mother, grandmother, child];
            let (no, village) = g.poor_rows(&members, &town_code, &township, sink)?;
            row.household_no = no;
            row.village = village;
            row.guardian = guardian;
            row.left_behind = g.rng.permille(500);
        }
        OutOfSchool::LeftBehind => {
            row.left_behind = true;
            let grand = random_sex(g);
            row.guardian = names::full_name(&mut g.rng, surname, grand);
        }
        OutOfSchool::Hardship => {
            row.hardship = true;
            if g.rng.permille(400) {
                row.orphan = true;
            } else {
                row.unsupported = true;
            }
            // Raised by a relative of another name.
            let sn = names::surname(&mut g.rng);
            let sex = random_sex(g);
            row.guardian = names::full_name(&mut g.rng, sn, sex);
        }
    }
    if row.household_no.is_empty() {
        *household += 1;
        row.household_no = format!("{town_code}{:06}", *household);
    }
    Ok(row)
}

/// The returns: each school with compulsory grades lists its enrolled students of those grades
/// (a child on two schools' rolls once), except one silent school (two when there are ten or
/// more) and a handful of students enrolled but not at school — one per 8,000 students, at least
/// two, mostly of junior-school grades.
pub(crate) fn attendance(g: &mut Gen, autumn: &[Student], students: usize) -> Attendance {
    let compulsory = |l: Level| (3..=11).contains(&l);
    let reporting: Vec<usize> = (0..g.schools.len())
        .filter(|&i| {
            g.schools
                .get(i)
                .is_some_and(|s| (3..=11).any(|l| s.offers(l)))
        })
        .collect();
    // The silent ones: small rural primary or nine-year schools when there are any.
    let wanted = if reporting.len() >= 10 { 2 } else { 1 };
    let mut small: Vec<usize> = reporting
        .iter()
        .copied()
        .filter(|&i| {
            g.schools.get(i).is_some_and(|s| {
                !s.urban && matches!(s.kind, SchoolKind::Primary | SchoolKind::NineYear)
            })
        })
        .collect();
    if small.len() < wanted {
        small = reporting
            .iter()
            .copied()
            .filter(|&i| {
                g.schools
                    .get(i)
                    .is_some_and(|s| s.kind != SchoolKind::Special)
            })
            .collect();
    }
    let mut silent = Vec::new();
    while silent.len() < wanted.min(small.len()) {
        let i = g.rng.index(small.len());
        let s = small.swap_remove(i);
        silent.push(s);
    }
    silent.sort_unstable();

    let sends = |i: usize| reporting.contains(&i) && !silent.contains(&i);
    let mut enrolled_rows: HashMap<&str, usize> = HashMap::new();
    for s in autumn.iter().filter(|s| s.status == Status::Enrolled) {
        *enrolled_rows.entry(&s.id).or_default() += 1;
    }
    let listed: Vec<usize> = (0..autumn.len())
        .filter(|&i| {
            autumn.get(i).is_some_and(|s| {
                s.status == Status::Enrolled && compulsory(s.level) && sends(s.school)
            })
        })
        .collect();
    // Absent: enrolled once only (not the duplicate enrolment), 70% of junior grades.
    let once = |i: &usize| {
        autumn
            .get(*i)
            .is_some_and(|s| enrolled_rows.get(s.id.as_str()) == Some(&1))
    };
    let junior: Vec<usize> = listed
        .iter()
        .copied()
        .filter(|i| once(i) && autumn.get(*i).is_some_and(|s| s.level >= 9))
        .collect();
    let primary: Vec<usize> = listed
        .iter()
        .copied()
        .filter(|i| once(i) && autumn.get(*i).is_some_and(|s| s.level < 9))
        .collect();
    let mut absent: Vec<usize> = Vec::new();
    let want = (students / 8000).max(2);
    for _ in 0..want * 4 {
        if absent.len() >= want {
            break;
        }
        let from = if g.rng.permille(700) && !junior.is_empty() {
            &junior
        } else {
            &primary
        };
        if let Some(&i) = g.rng.pick(from) {
            if !absent.contains(&i) {
                absent.push(i);
            }
        }
    }
    absent.sort_unstable();
    let mut once_seen: HashSet<&str> = HashSet::new();
    let present = listed
        .into_iter()
        .filter(|i| absent.binary_search(i).is_err())
        .filter(|&i| autumn.get(i).is_some_and(|s| once_seen.insert(&s.id)))
        .collect();
    Attendance {
        present,
        absent,
        silent,
    }
}
