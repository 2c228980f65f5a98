//! The generator's core: a school's students for a term, level by level, each with a birth date
//! fitting the grade, an ID, a name and the registry attributes at realistic rates. Families and
//! the department lists they appear on are made in `family` and `memberships`.

use super::catalog::{self, Level, LEVELS};
use super::county::{Township, ABOLISHED_CODE, COUNTY_CODE, OTHER_JIANGXI};
use super::ids::{l_number, IdFactory};
use super::lists::{AdmissionRow, ListRow, Sink, Student};
use super::names;
use super::rng::Rng;
use super::schools::{levels, PlannedSchool};
use chrono::{Days, NaiveDate};
use zizhu_domain::{Area, Difficulty, SchoolKind, Season, Sex, Status, Term};

/// Rare cases placed once each at fixed positions of the generation order (so that every run,
/// even a small one, contains them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    /// Given name with a CJK Extension-B character.
    ExtB,
    /// Given name with a CJK Extension-A character.
    ExtA,
    /// Minority name with a middle dot; disabled, so she appears in the `•` file.
    MinorityFemale,
    MinorityMale,
    /// ID address code of an abolished county.
    Abolished,
    /// 学籍号 `J…`.
    JNumber,
    /// 学籍号 `L…`.
    LNumber,
    /// 学籍号 `G` + a former ID number.
    ChangedId,
}

const SPECIALS: [Special; 8] = [
    Special::ExtB,
    Special::ExtA,
    Special::MinorityFemale,
    Special::MinorityMale,
    Special::Abolished,
    Special::JNumber,
    Special::LNumber,
    Special::ChangedId,
];

/// The first school year (autumn) of a term: 2023-spring belongs to 2022–2023.
pub(crate) fn school_year(term: Term) -> i32 {
    match term.season {
        Season::Spring => term.year - 1,
        Season::Autumn => term.year,
    }
}

/// The regular birth window of a level in a school year: a child in grade g in the autumn of year
/// Y was born between 1 Sept Y−6−g and 31 Aug Y−5−g (g = level − 2; kindergarten g = −2…0).
pub(crate) fn birth_window(level: Level, school_year: i32) -> (NaiveDate, NaiveDate) {
    let g = i32::from(level) - 2;
    let from = NaiveDate::from_ymd_opt(school_year - 6 - g, 9, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(school_year - 5 - g, 8, 31).unwrap_or_default();
    (from, to)
}

/// A uniformly random date in `from..=to`.
pub(crate) fn date_between(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from.checked_add_days(Days::new(rng.range(0, span) as u64))
        .unwrap_or(from)
}

/// Boarding rate (‰) by school and level: none in kindergarten; primary mainly grades 4–6 in
/// rural schools (~15% of primary overall), junior 48% rural / 20% urban, senior 60%,
/// vocational 50%, special school 80%.
pub(crate) fn boarding_ppt(kind: SchoolKind, level: Level, urban: bool) -> u32 {
    match (kind, level) {
        (SchoolKind::Kindergarten, _) | (_, 0..=2) => 0,
        (SchoolKind::Special, _) => 800,
        (SchoolKind::Vocational, _) => 500,
        (_, 12..=14) => 600,
        (_, 9..=11) if urban => 200,
        (_, 9..=11) => 480,
        _ if urban => 10,
        (_, 6..=8) => 420,
        _ => 40,
    }
}

/// Registry status drawn for a term. In compulsory education (grades 1–9) leaving school is rare
/// and followed up (控辍保学): 休学 0.02%, 转出 out of the county 0.012%, 辍学 0.01% — a handful
/// per 35,000 children. In kindergarten 0.1% 休学 and 0.5% 转出; in senior and vocational
/// schools 0.6% 休学, 0.5% 转出, 0.4% 辍学. A 转出 drawn here has no receiving school in the
/// county; transfers between county schools are made at the autumn transition (`autumn`), with
/// the receiving school's row.
pub(crate) fn draw_status(r: &mut Rng, level: Level) -> Status {
    let x = r.below(1_000_000);
    let (suspended, out, dropped) = match level {
        0..=2 => (1000, 5000, 0),
        3..=11 => (200, 120, 100),
        _ => (6000, 5000, 4000),
    };
    if x < suspended {
        Status::Suspended
    } else if x < suspended + out {
        Status::TransferredOut
    } else if x < suspended + out + dropped {
        Status::DroppedOut
    } else {
        Status::Enrolled
    }
}

/// Where a queued sibling may go: the levels of the current school still with room.
pub(crate) struct Slots {
    pub quota: [u32; LEVELS],
    pub queued: [u32; LEVELS],
    pub pending: Vec<Student>,
}

/// The generator state shared by the demo and the benchmark.
pub(crate) struct Gen {
    pub rng: Rng,
    pub ids: IdFactory,
    pub towns: Vec<Township>,
    pub schools: Vec<PlannedSchool>,
    pub households: u32,
    pub exams: u32,
    /// Students generated so far (positions of the specials).
    pub count: usize,
    specials: Vec<(usize, Special)>,
}

impl Gen {
    /// A generator for about `expected` students; the specials are spread over that range.
    pub fn new(
        rng: Rng,
        towns: Vec<Township>,
        schools: Vec<PlannedSchool>,
        expected: usize,
    ) -> Gen {
        let n = SPECIALS.len() + 1;
        let specials = SPECIALS
            .iter()
            .enumerate()
            .map(|(k, &s)| (expected * (k + 1) / n, s))
            .collect();
        Gen {
            rng,
            ids: IdFactory::default(),
            towns,
            schools,
            households: 0,
            exams: 0,
            count: 0,
            specials,
        }
    }

    fn take_special(&mut self, level: Level) -> Option<Special> {
        let count = self.count;
        let pos = self.specials.iter().position(|&(at, s)| {
            at <= count && (s != Special::Abolished || (9..=14).contains(&level))
        })?;
        Some(self.specials.remove(pos).1)
    }

    /// All students of school `school` for `term`: `quota[level]` per level, siblings of earlier
    /// students included, classes numbered in order. Rows of the lists go to `sink` too.
    pub fn roster(
        &mut self,
        school: usize,
        quota: &[u32; LEVELS],
        term: Term,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<()> {
        let Some(kind) = self.schools.get(school).map(|s| s.kind) else {
            return Ok(());
        };
        let mut slots = Slots {
            quota: *quota,
            queued: [0; LEVELS],
            pending: Vec::new(),
        };
        let year = school_year(term);
        for level in levels(kind) {
            let want = quota.get(usize::from(level)).copied().unwrap_or(0) as usize;
            let (mut here, rest): (Vec<Student>, Vec<Student>) = std::mem::take(&mut slots.pending)
                .into_iter()
                .partition(|s| s.level == level);
            slots.pending = rest;
            while here.len() < want {
                let s = self.new_student(school, level, term, Some(&mut slots), sink)?;
                here.push(s);
            }
            for (i, mut s) in here.into_iter().enumerate() {
                s.class = catalog::class_name(kind, level, i, year, s.major.map(|m| m.0));
                sink.student(s)?;
            }
        }
        Ok(())
    }

    /// One new student at `school`, `level`, with family and list rows (sent to `sink`). With
    /// `slots`, an enrolled sibling may be queued for a later level of the same school.
    pub fn new_student(
        &mut self,
        school: usize,
        level: Level,
        term: Term,
        slots: Option<&mut Slots>,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<Student> {
        let special = self.take_special(level);
        let sex = match special {
            Some(Special::MinorityFemale) => Sex::Female,
            Some(Special::MinorityMale) => Sex::Male,
            _ if self.rng.permille(515) => Sex::Male,
            _ => Sex::Female,
        };
        let year = school_year(term);
        let (mut from, mut to) = birth_window(level, year);
        if self.rng.permille(30) {
            (from, to) = birth_window(level + 1, year); // started school a year late / repeated
        }
        let birth = date_between(&mut self.rng, from, to);
        let code = match special {
            Some(Special::Abolished) => ABOLISHED_CODE,
            _ if self.rng.permille(10) => self
                .rng
                .pick(&OTHER_JIANGXI)
                .copied()
                .unwrap_or(COUNTY_CODE),
            _ => COUNTY_CODE,
        };
        let surname = names::surname(&mut self.rng);
        let (name, surname) = match special {
            Some(Special::ExtB) => (names::ext_b_name(surname), surname),
            Some(Special::ExtA) => (names::ext_a_name(surname), surname),
            Some(Special::MinorityFemale | Special::MinorityMale) => {
                (names::minority_name(sex), "")
            }
            _ => (names::full_name(&mut self.rng, surname, sex), surname),
        };
        let mut s = self.student(school, level, sex, birth, code, name, surname)?;
        s.student_no = match special {
            Some(Special::JNumber) => format!("J{}", self.ids.issue(COUNTY_CODE, birth, sex)?),
            Some(Special::LNumber) => l_number(COUNTY_CODE, birth, self.rng.below(10_000) as u32),
            Some(Special::ChangedId) => self.former_id(code, birth, sex)?,
            _ if self.rng.ppm(3000) => format!("J{}", self.ids.issue(COUNTY_CODE, birth, sex)?),
            _ if self.rng.ppm(2000) => l_number(COUNTY_CODE, birth, self.rng.below(10_000) as u32),
            _ if self.rng.ppm(1000) => self.former_id(code, birth, sex)?,
            _ => s.student_no,
        };
        let forced_disabled = special == Some(Special::MinorityFemale);
        let minority = matches!(
            special,
            Some(Special::MinorityFemale | Special::MinorityMale)
        );
        self.lists_for(&mut s, term, slots, forced_disabled, minority, sink)?;
        Ok(s)
    }

    /// `G` + the ID the student had before a correction (a birth date a few days off).
    fn former_id(&mut self, code: u32, birth: NaiveDate, sex: Sex) -> anyhow::Result<String> {
        let shift = self.rng.range(1, 20) as u64;
        let old = birth.checked_sub_days(Days::new(shift)).unwrap_or(birth);
        Ok(format!("G{}", self.ids.issue(code, old, sex)?))
    }

    /// A student with an ID issued for (`code`, `birth`, `sex`) and the registry attributes drawn
    /// for the school and level (no lists).
    #[allow(clippy::too_many_arguments)]
    pub fn student(
        &mut self,
        school: usize,
        level: Level,
        sex: Sex,
        birth: NaiveDate,
        code: u32,
        name: String,
        surname: &'static str,
    ) -> anyhow::Result<Student> {
        self.count += 1;
        let id = self.ids.issue(code, birth, sex)?;
        let (kind, urban) = self
            .schools
            .get(school)
            .map_or((SchoolKind::Primary, false), |s| (s.kind, s.urban));
        let r = &mut self.rng;
        let countywide = matches!(
            kind,
            SchoolKind::Senior | SchoolKind::Vocational | SchoolKind::Special
        );
        let rural_ppt = if countywide {
            800
        } else if urban {
            600
        } else {
            960
        };
        let hukou = if r.permille(rural_ppt) {
            Area::Rural
        } else {
            Area::Urban
        };
        let compulsory = (3..=11).contains(&level);
        let boarding = r.permille(boarding_ppt(kind, level, urban));
        let regular_compulsory = compulsory && kind != SchoolKind::Special;
        let special_class = regular_compulsory && r.ppm(1500);
        let inclusion = regular_compulsory && !special_class && r.ppm(5000);
        let (major, full_time) = if kind == SchoolKind::Vocational {
            (
                Some(r.weighted_pick(&catalog::MAJORS, ("计算机应用", false))),
                r.permille(980),
            )
        } else {
            (None, true)
        };
        let status = draw_status(r, level);
        Ok(Student {
            student_no: format!("G{id}"),
            id,
            name,
            surname,
            sex,
            birth,
            school,
            level,
            class: String::new(),
            boarding,
            special_class,
            inclusion,
            hukou,
            major,
            full_time,
            status,
            difficulty: Difficulty::NotDifficult,
            poor: false,
            moved: false,
        })
    }

    /// Admission for a spring 高三 student at a senior or complete school: 80% are admitted, 60% of
    /// those in Jiangxi.
    pub fn admission(
        &mut self,
        s: &Student,
        term: Term,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<()> {
        let senior = self
            .schools
            .get(s.school)
            .is_some_and(|x| matches!(x.kind, SchoolKind::Senior | SchoolKind::Complete));
        if term.season != Season::Spring || s.level != 14 || !senior || s.status != Status::Enrolled
        {
            return Ok(());
        }
        if !self.rng.permille(800) {
            return Ok(());
        }
        let p = self.rng.weighted_pick(&catalog::PROVINCES, 0);
        let (province, colleges) = catalog::COLLEGES
            .get(p)
            .copied()
            .unwrap_or(("江西省", &["南昌大学"]));
        let college = self.rng.pick(colleges).copied().unwrap_or("南昌大学");
        let batch = self
            .rng
            .pick(&catalog::BATCHES)
            .copied()
            .unwrap_or("本科二批");
        self.exams += 1;
        sink.row(ListRow::Admission(AdmissionRow {
            exam_no: format!("{:02}{COUNTY_CODE}{:06}", term.year % 100, self.exams),
            name: s.name.clone(),
            id: s.id.clone(),
            college,
            province,
            batch,
            year: term.year,
        }))
    }
}
