//! The autumn 2023 registry of the same population: everyone moves up a level; 大班 children go to
//! a primary school of their township, 6th graders to a junior school, 9th graders partly to a
//! senior or vocational school (the others leave), 高三 and 中职三年级 graduate; new 小班, grade 1,
//! 高一 and 中职一年级 students fill the entry levels; one student is enrolled at two schools.
//! A student who transferred to another county school over the summer (转学) is in the registry
//! twice, as the system exports it: 转出 at the old school, 在读 at the receiving one.

use super::catalog::{self, Level, LEVELS};
use super::lists::{Collect, Student};
use super::people::{boarding_ppt, draw_status, school_year, Gen};
use super::schools::{self, levels, PlannedSchool};
use zizhu_domain::{SchoolKind, Status, Term};

/// Where a student goes at the transition.
enum Next {
    Stay(Level),
    Move(usize, Level),
    Leave,
}

/// A school offering `level` (not the special school), by size: in `township` when `local`
/// and one exists there, else in the county seat, else anywhere; `kinds` restricts the kinds.
fn pick_school(
    g: &mut Gen,
    township: usize,
    level: Level,
    local: bool,
    kinds: &[SchoolKind],
) -> Option<usize> {
    let ok = |s: &PlannedSchool| {
        s.offers(level)
            && s.kind != SchoolKind::Special
            && (kinds.is_empty() || kinds.contains(&s.kind))
    };
    let tiers: [&dyn Fn(&PlannedSchool) -> bool; 3] =
        [&|s| local && s.township == township, &|s| s.urban, &|_| {
            true
        }];
    for tier in tiers {
        let weights: Vec<u32> = g
            .schools
            .iter()
            .map(|s| if ok(s) && tier(s) { s.weight } else { 0 })
            .collect();
        if weights.iter().any(|&w| w > 0) {
            return Some(g.rng.weighted(&weights));
        }
    }
    None
}

/// Transfers between county schools over the summer, per mille of the students continuing at
/// the same school (primary and up, not the special school).
const TRANSFER_PPT: u32 = 5;

/// A receiving school for a transfer of `s` (already moved up to its autumn level): another
/// school teaching the level on the same track (general or vocational), by size, so that most
/// transfers go to the larger schools of the county seat (进城就读). `None` when there is none.
fn receiving_school(g: &mut Gen, s: &Student) -> Option<usize> {
    let vocational = |k: SchoolKind| k == SchoolKind::Vocational;
    let from = g.schools.get(s.school)?.kind;
    let weights: Vec<u32> = g
        .schools
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let ok = i != s.school
                && x.offers(s.level)
                && x.kind != SchoolKind::Special
                && vocational(x.kind) == vocational(from);
            if ok {
                x.weight
            } else {
                0
            }
        })
        .collect();
    if weights.iter().all(|&w| w == 0) {
        return None;
    }
    Some(g.rng.weighted(&weights))
}

fn next(g: &mut Gen, s: &Student) -> Next {
    let Some(school) = g.schools.get(s.school) else {
        return Next::Leave;
    };
    let (kind, township) = (school.kind, school.township);
    let offers_next = school.offers(s.level + 1);
    // Children of registered-poor households stay in school (unless deliberately not).
    let leave = |g: &mut Gen, ppt: u32| !s.poor && g.rng.permille(ppt);
    match (kind, s.level) {
        (_, 14) | (SchoolKind::Special, 11) => Next::Leave,
        (_, 2) | (_, 8) if !offers_next => {
            if leave(g, if s.level == 2 { 30 } else { 20 }) {
                return Next::Leave;
            }
            pick_school(g, township, s.level + 1, true, &[])
                .map_or(Next::Leave, |i| Next::Move(i, s.level + 1))
        }
        (_, 11) => {
            let r = g.rng.below(100);
            let own_senior = kind == SchoolKind::Complete && g.rng.permille(700);
            if r < 50 && own_senior {
                Next::Stay(12)
            } else if r < 50 || (r >= 75 && s.poor && r < 88) {
                let kinds = [SchoolKind::Senior, SchoolKind::Complete];
                pick_school(g, township, 12, false, &kinds)
                    .map_or(Next::Leave, |i| Next::Move(i, 12))
            } else if r < 75 || s.poor {
                pick_school(g, township, 12, false, &[SchoolKind::Vocational])
                    .map_or(Next::Leave, |i| Next::Move(i, 12))
            } else {
                Next::Leave
            }
        }
        _ => Next::Stay(s.level + 1),
    }
}

/// The autumn registry built from `spring`; new students' list rows go to `sink.lists`.
/// `quotas` are the spring counts per school and level, which the entry levels are filled up to.
pub(crate) fn autumn(
    g: &mut Gen,
    spring: &[Student],
    quotas: &[[u32; LEVELS]],
    term: Term,
    sink: &mut Collect,
) -> anyhow::Result<Vec<Student>> {
    let mut out: Vec<Student> = Vec::with_capacity(spring.len());
    for s in spring {
        let mut a = s.clone();
        a.moved = false;
        match s.status {
            Status::TransferredOut | Status::Graduated => continue,
            // 休学 students mostly come back, 辍学 ones are half persuaded back (劝返复学); both repeat.
            Status::Suspended if g.rng.permille(600) => a.status = Status::Enrolled,
            Status::DroppedOut if g.rng.permille(500) => a.status = Status::Enrolled,
            Status::Suspended | Status::DroppedOut => {}
            Status::Enrolled => {
                match next(g, s) {
                    // About one in ten who leave after primary school (小升初; chosen by the
                    // ID's sequence digit, so the random draws of everything else stay as they
                    // were) is kept on the primary school's registry as 毕业 and enrolled
                    // nowhere: the dropout scan's 小学毕业未升入初中.
                    Next::Leave if s.level == 8 && s.id.as_bytes().get(15) == Some(&b'7') => {
                        a.status = Status::Graduated;
                        out.push(a);
                        continue;
                    }
                    Next::Leave => continue,
                    Next::Stay(l) => a.level = l,
                    Next::Move(i, l) => {
                        a.school = i;
                        a.level = l;
                        a.moved = true;
                    }
                }
                a.status = draw_status(&mut g.rng, a.level);
                let (kind, urban) = g
                    .schools
                    .get(a.school)
                    .map_or((SchoolKind::Primary, false), |x| (x.kind, x.urban));
                if a.moved || g.rng.permille(50) {
                    a.boarding = g.rng.permille(boarding_ppt(kind, a.level, urban));
                }
                if kind == SchoolKind::Vocational && a.major.is_none() {
                    a.major = Some(g.rng.weighted_pick(&catalog::MAJORS, ("计算机应用", false)));
                } else if kind != SchoolKind::Vocational {
                    a.major = None;
                }
                let transfers = a.status == Status::Enrolled
                    && !a.moved
                    && a.level >= 3
                    && kind != SchoolKind::Special;
                if transfers && g.rng.permille(TRANSFER_PPT) {
                    if let Some(to) = receiving_school(g, &a) {
                        let mut left = a.clone();
                        left.status = Status::TransferredOut;
                        out.push(left);
                        // Not marked `moved`: the duplicate enrolment is placed on another child.
                        a.school = to;
                        let (to_kind, urban) = g
                            .schools
                            .get(to)
                            .map_or((kind, false), |x| (x.kind, x.urban));
                        a.boarding = g.rng.permille(boarding_ppt(to_kind, a.level, urban));
                    }
                }
            }
        }
        out.push(a);
    }

    let mut count = vec![[0u32; LEVELS]; g.schools.len()];
    for s in &out {
        if let Some(c) = count
            .get_mut(s.school)
            .and_then(|r| r.get_mut(usize::from(s.level)))
        {
            *c += 1;
        }
    }
    // New entrants fill the entry levels back to the spring size of each group of schools
    // (kindergartens, primary, junior, senior, vocational, special), where the schools lack them.
    let mut new: Vec<(usize, Level)> = Vec::new();
    for (level, group) in [(0, 0u8), (3, 1), (3, 2), (9, 1), (12, 1), (12, 3)] {
        let in_group = |s: &PlannedSchool| match group {
            2 => s.kind == SchoolKind::Special,
            3 => s.kind == SchoolKind::Vocational,
            _ => !matches!(s.kind, SchoolKind::Special | SchoolKind::Vocational),
        };
        let cell = |t: &[[u32; LEVELS]], i: usize| {
            t.get(i)
                .and_then(|q| q.get(usize::from(level)))
                .copied()
                .unwrap_or(0)
        };
        let members: Vec<usize> = (0..g.schools.len())
            .filter(|&i| {
                g.schools.get(i).is_some_and(|s| {
                    in_group(s) && *levels(s.kind).start() <= level && s.offers(level)
                })
            })
            .filter(|&i| {
                level != 9
                    || g.schools.get(i).is_some_and(|s| {
                        matches!(s.kind, SchoolKind::Junior | SchoolKind::Complete)
                    })
            })
            .collect();
        let want: u32 = members.iter().map(|&i| cell(quotas, i)).sum();
        let have: u32 = members.iter().map(|&i| cell(&count, i)).sum();
        let deficits: Vec<u64> = members
            .iter()
            .map(|&i| u64::from(cell(quotas, i).saturating_sub(cell(&count, i))))
            .collect();
        let total = u64::from(want.saturating_sub(have)).min(deficits.iter().sum());
        for (&i, n) in members.iter().zip(schools::apportion(total, &deficits)) {
            new.extend(std::iter::repeat_n((i, level), n as usize));
        }
    }
    new.sort_unstable();
    for (i, level) in new {
        let s = g.new_student(i, level, term, None, sink)?;
        out.push(s);
    }

    // One duplicate enrolment: a 7th grader who moved is still on the roll of a second school.
    let dup = out
        .iter()
        .find(|s| s.moved && s.level == 9 && s.status == Status::Enrolled)
        .cloned();
    if let Some(mut d) = dup {
        let other = g.schools.iter().enumerate().find(|(i, x)| {
            *i != d.school
                && x.offers(9)
                && matches!(x.kind, SchoolKind::Junior | SchoolKind::NineYear)
        });
        if let Some((o, _)) = other {
            d.school = o;
            d.moved = false;
            out.push(d);
        }
    }

    out.sort_by_key(|s| (s.school, s.level));
    let year = school_year(term);
    let mut group = (usize::MAX, 0u8);
    let mut index = 0;
    for s in &mut out {
        if (s.school, s.level) != group {
            group = (s.school, s.level);
            index = 0;
        }
        let kind = g
            .schools
            .get(s.school)
            .map_or(SchoolKind::Primary, |x| x.kind);
        s.class = catalog::class_name(kind, s.level, index, year, s.major.map(|m| m.0));
        index += 1;
    }
    Ok(out)
}
