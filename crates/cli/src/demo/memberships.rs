//! Which lists a student and their family appear on: disability certificates, 建档立卡
//! households (7.8% of new students start one; with enrolled siblings ~9% of students), 低保,
//! 城镇困难家庭, 特困供养, the school's own difficulty recognition, and the adults on every list
//! who are no student's family.

use super::catalog::{self, DISABILITY};
use super::county::COUNTY_CODE;
use super::family::{ymd, Member, Role};
use super::lists::{AssistRow, DisabledRow, ListRow, PoorRow, Sink, Student};
use super::names;
use super::people::{date_between, Gen, Slots};
use super::rng::Rng;
use chrono::{Datelike, NaiveDate};
use zizhu_domain::{Area, Difficulty, PovertyStatus, SchoolKind, Sex, Term};

/// A weight table for category or grade digits.
type Weights = &'static [(u32, u8)];

/// A validity period of a 低保/特困/城镇困难 entry: most ongoing, some ended before the autumn
/// reference date (2023-10-01), some started after the spring one (2023-03-01).
pub(super) fn period(
    rng: &mut Rng,
    urban_hardship: bool,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    if urban_hardship {
        let from = if rng.permille(800) {
            ymd(2023, 1, 1)
        } else {
            date_between(rng, ymd(2021, 1, 1), ymd(2023, 9, 1))
        };
        let to = if rng.permille(850) {
            ymd(2023, 12, 31)
        } else {
            ymd(2023, 6, 30)
        };
        return (Some(from), Some(to).filter(|t| *t >= from));
    }
    let from = match rng.below(100) {
        0..=2 => None,
        3..=12 => Some(date_between(rng, ymd(2023, 3, 2), ymd(2023, 9, 30))),
        _ => Some(date_between(rng, ymd(2016, 1, 1), ymd(2023, 2, 28))),
    };
    let to = match rng.below(100) {
        0..=64 => None,
        65..=79 => Some(ymd(2023, 12, 31)),
        80..=91 => Some(date_between(rng, ymd(2023, 4, 30), ymd(2023, 9, 30))),
        _ => Some(ymd(2024, 6, 30)),
    };
    (from, to.filter(|t| from.is_none_or(|f| *t > f)))
}

impl Gen {
    /// Disability of a student by placement: special school 85%, special class 90%, 随班就读 80%,
    /// others 0.35%. Emits the certificate row.
    pub(super) fn student_disability(
        &mut self,
        s: &Student,
        forced: bool,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<bool> {
        let special_school = self
            .schools
            .get(s.school)
            .is_some_and(|x| x.kind == SchoolKind::Special);
        let ppm = if forced {
            1_000_000
        } else if special_school {
            850_000
        } else if s.special_class {
            900_000
        } else if s.inclusion {
            800_000
        } else {
            3500
        };
        if !self.rng.ppm(ppm) {
            return Ok(false);
        }
        // Category digits: 1 视力 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重.
        let (cats, grades): (Weights, Weights) = if special_school {
            (
                &[(10, 1), (20, 2), (5, 3), (50, 5), (15, 7)],
                &[(30, 1), (40, 2), (30, 3)],
            )
        } else if s.special_class || s.inclusion {
            (
                &[(10, 1), (15, 2), (10, 3), (25, 4), (40, 5)],
                &[(30, 2), (40, 3), (30, 4)],
            )
        } else {
            (&[(25, 1), (15, 2), (10, 3), (50, 4)], &[(40, 3), (60, 4)])
        };
        let category = self.rng.weighted_pick(cats, 4);
        let grade = self.rng.weighted_pick(grades, 4);
        let issued = date_between(
            &mut self.rng,
            ymd(s.birth.year() + 2, 1, 1).max(ymd(2015, 1, 1)),
            ymd(2023, 2, 28),
        );
        sink.row(ListRow::Disabled(DisabledRow {
            name: s.name.clone(),
            id: s.id.clone(),
            category,
            grade,
            issued,
            birth: s.birth,
        }))?;
        Ok(true)
    }

    /// Lists for a new student: disability, 建档立卡 (7.8% start a household; with siblings ~9% of
    /// students), 低保 (20% of poor families, 2.4% of others), 城镇困难 (3.3% of urban-hukou
    /// families), 特困供养 (0.3%, mostly rural), the school's recognition, and 高考录取.
    pub fn lists_for(
        &mut self,
        s: &mut Student,
        term: Term,
        slots: Option<&mut Slots>,
        forced_disabled: bool,
        minority: bool,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<()> {
        let disabled = self.student_disability(s, forced_disabled, sink)?;
        let family_ok = !minority && !s.surname.is_empty();
        let poor = family_ok && self.rng.permille(78);
        let dibao = family_ok && self.rng.permille(if poor { 200 } else { 24 });
        let urban = family_ok && s.hukou == Area::Urban && self.rng.permille(33);
        let tekun = family_ok
            && self
                .rng
                .ppm(if s.hukou == Area::Rural { 3200 } else { 1500 });
        if tekun {
            let (from, to) = period(&mut self.rng, false);
            let centralised = self.rng.permille(100);
            let township = self.home_township(s).1;
            sink.row(ListRow::Tekun(AssistRow {
                name: s.name.clone(),
                id: s.id.clone(),
                area: s.hukou,
                from,
                to,
                township,
                centralised,
            }))?;
        }
        s.poor = poor;
        let listed = poor || dibao || urban || tekun;
        if poor || dibao || urban {
            self.family(s, term, slots, poor, dibao, urban, sink)?;
        }
        s.difficulty = self.difficulty(listed, disabled);
        self.admission(s, term, sink)
    }

    pub(super) fn difficulty(&mut self, listed: bool, disabled: bool) -> Difficulty {
        let ppt = if listed {
            750
        } else if disabled {
            400
        } else {
            35
        };
        if !self.rng.permille(ppt) {
            return Difficulty::NotDifficult;
        }
        let tiers = if listed || disabled {
            [
                (35, Difficulty::Special),
                (35, Difficulty::Relative),
                (30, Difficulty::General),
            ]
        } else {
            [
                (15, Difficulty::Special),
                (35, Difficulty::Relative),
                (50, Difficulty::General),
            ]
        };
        self.rng.weighted_pick(&tiers, Difficulty::General)
    }

    /// A new registered-poor household of the members `m`, in `township`; returns its household
    /// number and village.
    pub(super) fn poor_rows(
        &mut self,
        m: &[Member],
        town_code: &str,
        township: &str,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<(String, &'static str)> {
        self.households += 1;
        let household_no = format!("{town_code}{:07}", self.households);
        let village = self
            .rng
            .pick(&catalog::VILLAGES)
            .copied()
            .unwrap_or("上坪村");
        let exited = self.rng.permille(930);
        let exit_year = exited.then(|| {
            self.rng.weighted_pick(
                &[(10, 2016), (20, 2017), (30, 2018), (30, 2019), (10, 2020)],
                2019,
            )
        });
        let status = if exited {
            PovertyStatus::Exited
        } else {
            PovertyStatus::NotExited
        };
        let has = |r: Role| m.iter().any(|x| x.role == r);
        let grand_head = has(Role::Grandfather) && (!has(Role::Father) || self.rng.permille(150));
        let head_role = if grand_head {
            Role::Grandfather
        } else if has(Role::Father) {
            Role::Father
        } else {
            Role::Mother
        };
        let head = m.iter().find(|x| x.role == head_role).or(m.first());
        let head_name = head.map(|h| h.name.clone()).unwrap_or_default();
        let mut ordered: Vec<&Member> = head.into_iter().collect();
        ordered.extend(m.iter().filter(|x| x.role != head_role));
        for x in ordered {
            let child = |son: &'static str, daughter: &'static str| {
                if x.sex == Sex::Male {
                    son
                } else {
                    daughter
                }
            };
            let relation = match (head_role, x.role) {
                (h, r) if h == r => "户主",
                (Role::Grandfather, Role::Grandmother) | (Role::Father, Role::Mother) => "配偶",
                (Role::Grandfather, Role::Father) => "之子",
                (Role::Grandfather, Role::Mother) => "之儿媳",
                (Role::Grandfather, _) => child("之孙子", "之孙女"),
                (_, Role::Grandfather) => "之父",
                (_, Role::Grandmother) => "之母",
                _ => child("之子", "之女"),
            };
            sink.row(ListRow::Poor(PoorRow {
                household_no: household_no.clone(),
                head_name: head_name.clone(),
                name: x.name.clone(),
                id: x.id.clone(),
                relation,
                status,
                exit_year,
                township: township.to_string(),
                village,
                size: m.len(),
                birth: x.birth,
            }))?;
        }
        Ok((household_no, village))
    }

    /// Adults on each list who are no student's family (most of a real 低保 list): about
    /// students/25 on 低保, /30 disabled, /200 on 特困, 城镇困难 and elderly 脱贫户; at least a few each.
    pub fn unrelated_adults(&mut self, students: usize, sink: &mut dyn Sink) -> anyhow::Result<()> {
        let rural: Vec<usize> = (0..self.towns.len())
            .filter(|&i| {
                self.towns
                    .get(i)
                    .is_some_and(|t| !t.is_urban() && !t.is_park())
            })
            .collect();
        let town = |g: &mut Gen| {
            let i = g.rng.pick(&rural).copied().unwrap_or(0);
            g.towns
                .get(i)
                .map(|t| (t.code.clone(), t.name.clone()))
                .unwrap_or_default()
        };
        let adult = |g: &mut Gen, from: i32, to: i32| -> anyhow::Result<Member> {
            let sex = if g.rng.permille(500) {
                Sex::Male
            } else {
                Sex::Female
            };
            let b = date_between(&mut g.rng, ymd(from, 1, 1), ymd(to, 12, 31));
            let sn = names::surname(&mut g.rng);
            g.member(Role::Father, sex, b, sn, COUNTY_CODE)
        };
        for _ in 0..(students / 25).max(5) {
            let a = adult(self, 1940, 1990)?;
            let area = if self.rng.permille(800) {
                Area::Rural
            } else {
                Area::Urban
            };
            let (from, to) = period(&mut self.rng, false);
            let township = town(self).1;
            sink.row(ListRow::Dibao(AssistRow {
                name: a.name,
                id: a.id,
                area,
                from,
                to,
                township,
                centralised: false,
            }))?;
        }
        for _ in 0..(students / 200).max(5) {
            let a = adult(self, 1935, 1962)?;
            let area = if self.rng.permille(900) {
                Area::Rural
            } else {
                Area::Urban
            };
            let (from, to) = period(&mut self.rng, false);
            let centralised = self.rng.permille(300);
            let township = town(self).1;
            sink.row(ListRow::Tekun(AssistRow {
                name: a.name,
                id: a.id,
                area,
                from,
                to,
                township,
                centralised,
            }))?;
            let b = adult(self, 1960, 1995)?;
            let (from, to) = period(&mut self.rng, true);
            sink.row(ListRow::UrbanHardship(AssistRow {
                name: b.name,
                id: b.id,
                area: Area::Urban,
                from,
                to,
                township: "贡江镇".into(),
                centralised: false,
            }))?;
            let c = adult(self, 1938, 1958)?;
            let (code, name) = town(self);
            self.poor_rows(&[c], &code, &name, sink)?;
        }
        for _ in 0..(students / 30).max(5) {
            let a = adult(self, 1945, 2000)?;
            let category = self.rng.range(1, DISABILITY.len() as i64) as u8;
            let grade = self.rng.range(1, 4) as u8;
            let issued = date_between(&mut self.rng, ymd(2008, 1, 1), ymd(2023, 2, 28));
            sink.row(ListRow::Disabled(DisabledRow {
                name: a.name,
                id: a.id,
                category,
                grade,
                issued,
                birth: a.birth,
            }))?;
        }
        Ok(())
    }
}
