//! The county's schools (~100 at 50,000 students, scaled with the number of students, at least
//! one of each kind) and how many students each school has per level.

use super::catalog::{Level, LEVELS};
use super::county::Township;
use super::rng::Rng;
use std::collections::HashSet;
use zizhu_domain::{ApprovalLevel, SchoolKind};

/// The student count the base plan of 96 schools is sized for.
pub(crate) const BASE_STUDENTS: usize = 50_000;

/// A school of the sample county.
#[derive(Debug, Clone)]
pub(crate) struct PlannedSchool {
    /// National school code (学校标识码): `2136` + 6 digits.
    pub code: String,
    pub name: String,
    pub kind: SchoolKind,
    /// 公办 (true) or 民办.
    pub public: bool,
    /// Index into the township list.
    pub township: usize,
    /// Inclusive kindergarten (普惠性) — kindergartens only.
    pub inclusive: bool,
    pub approval: ApprovalLevel,
    /// In the county seat (城区); rural (乡村) otherwise.
    pub urban: bool,
    /// Relative size (students per level, in per mille of an ordinary school of its kind).
    pub weight: u32,
}

impl PlannedSchool {
    /// Does the school teach this level? The special school teaches grades 1–9.
    pub fn offers(&self, level: Level) -> bool {
        levels(self.kind).contains(&level)
    }
}

/// The levels a kind of school teaches.
pub(crate) fn levels(kind: SchoolKind) -> std::ops::RangeInclusive<Level> {
    match kind {
        SchoolKind::Kindergarten => 0..=2,
        SchoolKind::Primary => 3..=8,
        SchoolKind::Junior => 9..=11,
        SchoolKind::NineYear => 3..=11,
        SchoolKind::Complete => 9..=14,
        SchoolKind::Senior | SchoolKind::Vocational => 12..=14,
        SchoolKind::Special => 3..=11,
    }
}

struct Template {
    kind: SchoolKind,
    township: usize,
    name: String,
    public: bool,
    inclusive: bool,
    approval: ApprovalLevel,
    weight: u32,
}

fn t(kind: SchoolKind, township: usize, name: String, public: bool, weight: u32) -> Template {
    Template {
        kind,
        township,
        name,
        public,
        inclusive: false,
        approval: ApprovalLevel::None,
        weight,
    }
}

/// The 96 schools of the base plan, grouped by kind in a fixed order.
fn templates(towns: &[Township]) -> Vec<Template> {
    use SchoolKind as K;
    let seat = towns.iter().position(Township::is_urban).unwrap_or(0);
    let park = towns.iter().position(Township::is_park);
    let rural: Vec<usize> = (0..towns.len())
        .filter(|&i| i != seat && Some(i) != park)
        .collect();
    // Towns (镇) first: they are larger and get the second schools.
    let mut by_size = rural.clone();
    by_size.sort_by_key(|&i| !towns.get(i).is_some_and(Township::is_town));
    let tn = |i: usize| towns.get(i).map_or("", |t| t.name.as_str()).to_string();
    let mut out = Vec::new();

    // Kindergartens: 20 public, 10 private; approval levels vary.
    for (k, ord) in ["第一", "第二", "第三"].iter().enumerate() {
        let mut s = t(
            K::Kindergarten,
            seat,
            format!("于都县{}{ord}幼儿园", tn(seat)),
            true,
            2500,
        );
        s.inclusive = true;
        s.approval = if k == 0 {
            ApprovalLevel::City
        } else {
            ApprovalLevel::County
        };
        out.push(s);
    }
    for (k, &i) in rural.iter().take(17).enumerate() {
        let mut s = t(
            K::Kindergarten,
            i,
            format!("于都县{}中心幼儿园", tn(i)),
            true,
            1000,
        );
        s.inclusive = true;
        s.approval = if k % 8 == 3 {
            ApprovalLevel::City
        } else {
            ApprovalLevel::County
        };
        out.push(s);
    }
    let private_names = ["演示幼儿园", "小演星幼儿园", "演艺幼儿园", "童演幼儿园"];
    let mut private_sites: Vec<(usize, &str)> = private_names.iter().map(|n| (seat, *n)).collect();
    if let Some(p) = park {
        private_sites.push((p, "演示幼儿园"));
    }
    private_sites.extend(
        by_size
            .iter()
            .take(10 - private_sites.len())
            .map(|&i| (i, "演示幼儿园")),
    );
    for (k, (i, n)) in private_sites.into_iter().enumerate() {
        let mut s = t(
            K::Kindergarten,
            i,
            format!("于都县{}{n}", tn(i)),
            false,
            800,
        );
        // Mostly inclusive approved by the county; two only by the township, two not inclusive.
        (s.inclusive, s.approval) = match k {
            2 | 7 => (true, ApprovalLevel::Township),
            4 | 8 => (false, ApprovalLevel::None),
            _ => (true, ApprovalLevel::County),
        };
        out.push(s);
    }

    // Primary schools: 6 in the seat, a central school per township, 12 second schools.
    for ord in ["第一", "第二", "第三", "第四", "第五", "第六"] {
        out.push(t(
            K::Primary,
            seat,
            format!("于都县{}{ord}小学", tn(seat)),
            true,
            3000,
        ));
    }
    for &i in &rural {
        out.push(t(
            K::Primary,
            i,
            format!("于都县{}中心小学", tn(i)),
            true,
            1500,
        ));
    }
    for &i in by_size.iter().take(12) {
        out.push(t(
            K::Primary,
            i,
            format!("于都县{}第二小学", tn(i)),
            true,
            800,
        ));
    }

    // Secondary: 2 junior schools in the seat, 10 township junior schools, 6 nine-year, 2 complete.
    out.push(t(
        K::Junior,
        seat,
        format!("于都县{}初级中学", tn(seat)),
        true,
        3000,
    ));
    out.push(t(
        K::Junior,
        seat,
        format!("于都县{}第二初级中学", tn(seat)),
        true,
        3000,
    ));
    for &i in by_size.iter().take(10) {
        out.push(t(K::Junior, i, format!("于都县{}中学", tn(i)), true, 1200));
    }
    for &i in by_size.iter().skip(10).take(6) {
        out.push(t(K::NineYear, i, format!("于都县{}学校", tn(i)), true, 900));
    }
    for &i in by_size.iter().skip(16).take(2) {
        out.push(t(
            K::Complete,
            i,
            format!("于都县{}中学", tn(i)),
            true,
            1000,
        ));
    }

    // County-level schools in the seat.
    out.push(t(K::Senior, seat, "于都县第一中学".into(), true, 1300));
    out.push(t(K::Senior, seat, "于都县第二中学".into(), true, 1100));
    out.push(t(K::Senior, seat, "于都县演示高级中学".into(), false, 500));
    out.push(t(
        K::Vocational,
        seat,
        "于都县职业中等专业学校".into(),
        true,
        1400,
    ));
    let voc2 = by_size.first().copied().unwrap_or(seat);
    out.push(t(
        K::Vocational,
        voc2,
        format!("于都县{}演示职业学校", tn(voc2)),
        false,
        600,
    ));
    out.push(t(K::Special, seat, "于都县特殊教育学校".into(), true, 1000));
    out
}

/// The schools for `students` students: the 96-school base plan scaled by students / 50,000
/// (at least one school of each kind; above 50,000 the plan repeats with 第N分校 names).
/// Codes are unique, drawn from `rng`.
pub(crate) fn plan_schools(
    towns: &[Township],
    students: usize,
    rng: &mut Rng,
) -> Vec<PlannedSchool> {
    let base = templates(towns);
    let mut codes = HashSet::new();
    let mut out = Vec::new();
    for kind in SchoolKind::ALL.iter().copied() {
        let group: Vec<&Template> = base.iter().filter(|s| s.kind == kind).collect();
        let n = group.len();
        if n == 0 {
            continue;
        }
        let count = ((n * students + BASE_STUDENTS / 2) / BASE_STUDENTS).max(1);
        for i in 0..count {
            // Below the base size, evenly spaced templates (so both urban and rural ones remain).
            let (j, copy) = if count <= n {
                (i * n / count, 0)
            } else {
                (i % n, i / n)
            };
            let Some(tpl) = group.get(j) else { continue };
            let name = if copy == 0 {
                tpl.name.clone()
            } else {
                format!("{}第{}分校", tpl.name, copy + 1)
            };
            let code = loop {
                let c = format!("2136{:06}", rng.below(1_000_000));
                if codes.insert(c.clone()) {
                    break c;
                }
            };
            out.push(PlannedSchool {
                code,
                name,
                kind,
                public: tpl.public,
                township: tpl.township,
                inclusive: tpl.inclusive,
                approval: tpl.approval,
                urban: towns.get(tpl.township).is_some_and(Township::is_urban),
                weight: tpl.weight,
            });
        }
    }
    out
}

/// Shares of the students per stage, per 10,000: preschool, primary, junior, senior, vocational,
/// special school.
const STAGE_SHARES: [u64; 6] = [1590, 4770, 2190, 900, 500, 50];

/// Splits `total` into integer parts proportional to `weights` (largest remainder; ties go to the
/// earlier part). All zero weights give all zero parts.
pub(crate) fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest: Vec<(u64, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (total * w % sum, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = total - parts.iter().sum::<u64>();
    for &(_, i) in rest.iter().take(missing as usize) {
        if let Some(p) = parts.get_mut(i) {
            *p += 1;
        }
    }
    parts
}

/// Students per school and level for `students` students in total (exactly that many).
pub(crate) fn allocate(schools: &[PlannedSchool], students: usize) -> Vec<[u32; LEVELS]> {
    let mut out = vec![[0u32; LEVELS]; schools.len()];
    let stage_totals = apportion(students as u64, &STAGE_SHARES);
    let stages: [(std::ops::RangeInclusive<Level>, bool); 6] = [
        (0..=2, false),
        (3..=8, false),
        (9..=11, false),
        (12..=14, false),
        (12..=14, false),
        (3..=11, true),
    ];
    for (si, (range, special)) in stages.iter().enumerate() {
        let total = stage_totals.get(si).copied().unwrap_or(0);
        let n_levels = range.clone().count() as u64;
        let per_level = apportion(total, &vec![1; n_levels as usize]);
        for (li, level) in range.clone().enumerate() {
            let eligible = |s: &PlannedSchool| {
                let right_school = match si {
                    3 => matches!(s.kind, SchoolKind::Senior | SchoolKind::Complete),
                    4 => s.kind == SchoolKind::Vocational,
                    _ => !matches!(s.kind, SchoolKind::Vocational),
                };
                s.offers(level) && right_school && (s.kind == SchoolKind::Special) == *special
            };
            let weights: Vec<u64> = schools
                .iter()
                .map(|s| if eligible(s) { u64::from(s.weight) } else { 0 })
                .collect();
            let parts = apportion(per_level.get(li).copied().unwrap_or(0), &weights);
            for (row, p) in out.iter_mut().zip(parts) {
                if let Some(c) = row.get_mut(usize::from(level)) {
                    *c += p as u32;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::county::townships;
    use super::*;

    #[test]
    fn base_plan_has_96_schools_with_unique_codes_and_names() {
        let towns = townships().unwrap();
        let s = plan_schools(&towns, 50_000, &mut Rng::new(1, 0));
        assert_eq!(s.len(), 96);
        let count = |k| s.iter().filter(|x| x.kind == k).count();
        use SchoolKind as K;
        assert_eq!(
            [
                K::Kindergarten,
                K::Primary,
                K::Junior,
                K::NineYear,
                K::Complete,
                K::Senior,
                K::Vocational,
                K::Special
            ]
            .map(count),
            [30, 40, 12, 6, 2, 3, 2, 1]
        );
        let codes: HashSet<_> = s.iter().map(|x| x.code.clone()).collect();
        let names: HashSet<_> = s.iter().map(|x| x.name.clone()).collect();
        assert_eq!((codes.len(), names.len()), (96, 96));
        assert!(s
            .iter()
            .all(|x| x.code.len() == 10 && x.code.starts_with("2136")));
        assert!(s
            .iter()
            .all(|x| x.urban == (towns[x.township].name == "贡江镇")));
        let k: Vec<_> = s.iter().filter(|x| x.kind == K::Kindergarten).collect();
        assert_eq!(k.iter().filter(|x| !x.public).count(), 10);
        assert_eq!(k.iter().filter(|x| !x.inclusive).count(), 2);
        assert_eq!(
            k.iter()
                .filter(|x| x.approval == ApprovalLevel::Township)
                .count(),
            2
        );
        assert_eq!(
            s.iter()
                .filter(|x| x.kind == K::Senior && !x.public)
                .count(),
            1
        );
    }

    #[test]
    fn small_plans_keep_every_kind_and_allocation_is_exact() {
        let towns = townships().unwrap();
        let s = plan_schools(&towns, 1000, &mut Rng::new(1, 0));
        assert_eq!(s.len(), 8);
        let a = allocate(&s, 1000);
        assert_eq!(a.iter().flatten().map(|&c| c as usize).sum::<usize>(), 1000);
        for (school, row) in s.iter().zip(&a) {
            for (level, &c) in row.iter().enumerate() {
                assert!(
                    c == 0 || school.offers(level as u8),
                    "{} {level}",
                    school.name
                );
            }
        }
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0, 2, 5]), vec![0, 2, 5]);
        assert_eq!(apportion(5, &[0, 0]), vec![0, 0]);
    }
}
