//! The family behind a student who is on a list: parents, grandparents and children — 建档立卡
//! households of 3–6 members with siblings in school, toddlers and grown-up siblings — and the
//! family's rows on the 建档立卡, 低保 and 城镇困难家庭 lists. (The school-age children out of school,
//! the dropout-control input, are planted in `population`.)

use super::county::{COUNTY_CODE, OTHER_JIANGXI};
use super::lists::{AssistRow, DisabledRow, ListRow, Sink, Student};
use super::memberships::period;
use super::names;
use super::people::{birth_window, date_between, Gen, Slots};
use super::rng::Rng;
use chrono::{Datelike, NaiveDate};
use zizhu_domain::{Area, SchoolKind, Sex, Term};

/// A member's place in the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Father,
    Mother,
    Grandfather,
    Grandmother,
    /// A child on the registry (the student or an enrolled sibling).
    Pupil,
    /// A child not in any registry: toddler, grown-up, or out of school.
    OtherChild,
}

/// A family member with an ID.
pub(super) struct Member {
    pub role: Role,
    pub name: String,
    pub id: String,
    pub sex: Sex,
    pub birth: NaiveDate,
}

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A birth date between `min` and `max` whole years before `child` (by calendar year).
fn years_before(rng: &mut Rng, child: NaiveDate, min: i32, max: i32) -> NaiveDate {
    date_between(
        rng,
        ymd(child.year() - max, 1, 1),
        ymd(child.year() - min, 12, 31),
    )
}

impl Gen {
    fn adult_code(&mut self, local_ppt: u32) -> u32 {
        if self.rng.permille(local_ppt) {
            COUNTY_CODE
        } else {
            self.rng
                .pick(&OTHER_JIANGXI)
                .copied()
                .unwrap_or(COUNTY_CODE)
        }
    }

    pub(super) fn member(
        &mut self,
        role: Role,
        sex: Sex,
        birth: NaiveDate,
        surname: &str,
        code: u32,
    ) -> anyhow::Result<Member> {
        let name = names::full_name(&mut self.rng, surname, sex);
        let id = self.ids.issue(code, birth, sex)?;
        Ok(Member {
            role,
            name,
            id,
            sex,
            birth,
        })
    }

    /// A name for `surname` and `sex` that differs from every name in `taken` (after a few tries).
    fn distinct_name(&mut self, surname: &str, sex: Sex, taken: &[&str]) -> String {
        let mut name = names::full_name(&mut self.rng, surname, sex);
        for _ in 0..8 {
            if !taken.contains(&name.as_str()) {
                break;
            }
            name = names::full_name(&mut self.rng, surname, sex);
        }
        name
    }

    /// A random rural township (not the seat, not the industrial park), for families of students
    /// at county-level or seat schools.
    pub(super) fn home_township(&mut self, s: &Student) -> (String, String) {
        let school = self.schools.get(s.school);
        let at_seat = school.is_some_and(|x| {
            x.urban
                || matches!(
                    x.kind,
                    SchoolKind::Senior | SchoolKind::Vocational | SchoolKind::Special
                )
        });
        let t = if at_seat && s.hukou == Area::Rural {
            let rural: Vec<usize> = (0..self.towns.len())
                .filter(|&i| {
                    self.towns
                        .get(i)
                        .is_some_and(|t| !t.is_urban() && !t.is_park())
                })
                .collect();
            self.rng.pick(&rural).copied().unwrap_or(0)
        } else {
            school.map_or(0, |x| x.township)
        };
        self.towns
            .get(t)
            .map(|t| (t.code.clone(), t.name.clone()))
            .unwrap_or_default()
    }

    /// Builds the family of `s` and emits its rows on the lists it belongs to.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn family(
        &mut self,
        s: &Student,
        term: Term,
        slots: Option<&mut Slots>,
        poor: bool,
        dibao: bool,
        urban: bool,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<()> {
        let mut m: Vec<Member> = Vec::new();
        let has_father = self.rng.permille(920);
        let has_mother = !has_father || self.rng.permille(880);
        let father_birth = years_before(&mut self.rng, s.birth, 24, 36);
        let mother_birth = years_before(&mut self.rng, s.birth, 22, 34);
        if has_father {
            let code = self.adult_code(950);
            m.push(self.member(Role::Father, Sex::Male, father_birth, s.surname, code)?);
        }
        if has_mother {
            let code = self.adult_code(850);
            let sn = names::surname(&mut self.rng);
            m.push(self.member(Role::Mother, Sex::Female, mother_birth, sn, code)?);
        }
        let grandparents = self.rng.weighted_pick(&[(40, 0u8), (35, 1), (25, 2)], 0);
        let gp_surname = if has_father {
            s.surname
        } else {
            names::surname(&mut self.rng)
        };
        let parent_birth = if has_father {
            father_birth
        } else {
            mother_birth
        };
        for k in 0..grandparents {
            let (role, sex) = if k == 0 {
                (Role::Grandfather, Sex::Male)
            } else {
                (Role::Grandmother, Sex::Female)
            };
            let sn = if sex == Sex::Male {
                gp_surname
            } else {
                names::surname(&mut self.rng)
            };
            let b = years_before(&mut self.rng, parent_birth, 20, 30);
            m.push(self.member(role, sex, b, sn, COUNTY_CODE)?);
        }
        m.push(Member {
            role: Role::Pupil,
            name: s.name.clone(),
            id: s.id.clone(),
            sex: s.sex,
            birth: s.birth,
        });
        if let Some(slots) = slots {
            if self.rng.permille(350) {
                if let Some(sib) = self.enrolled_sibling(s, term, slots, poor, sink)? {
                    m.push(Member {
                        role: Role::Pupil,
                        name: sib.name.clone(),
                        id: sib.id.clone(),
                        sex: sib.sex,
                        birth: sib.birth,
                    });
                    slots.pending.push(sib);
                }
            }
        }
        // Children in no registry: a toddler, a grown-up sibling.
        let others: [(u32, NaiveDate, NaiveDate); 2] = [
            (150, ymd(2021, 1, 1), ymd(2023, 5, 31)),
            (100, ymd(1998, 1, 1), ymd(2004, 12, 31)),
        ];
        for (ppt, from, to) in others {
            if self.rng.permille(ppt) {
                let sex = if self.rng.permille(515) {
                    Sex::Male
                } else {
                    Sex::Female
                };
                let b = date_between(&mut self.rng, from, to);
                m.push(self.member(Role::OtherChild, sex, b, s.surname, COUNTY_CODE)?);
            }
        }
        // A registered-poor household has 3–6 members.
        while m.len() < 3 {
            let b = years_before(&mut self.rng, parent_birth, 20, 30);
            m.push(self.member(Role::Grandmother, Sex::Female, b, "王", COUNTY_CODE)?);
        }
        while m.len() > 6 {
            let grand = m
                .iter()
                .rposition(|x| matches!(x.role, Role::Grandmother | Role::Grandfather));
            let Some(i) = grand.or_else(|| m.iter().rposition(|x| x.role == Role::OtherChild))
            else {
                break;
            };
            m.remove(i);
        }
        // No two members of a family share a name.
        for i in 1..m.len() {
            let taken: Vec<String> = m.iter().take(i).map(|x| x.name.clone()).collect();
            let Some(x) = m.get(i) else { continue };
            if x.role != Role::Pupil && taken.contains(&x.name) {
                let surname: String = x.name.chars().take(1).collect();
                let refs: Vec<&str> = taken.iter().map(String::as_str).collect();
                let name = self.distinct_name(&surname, x.sex, &refs);
                if let Some(x) = m.get_mut(i) {
                    x.name = name;
                }
            }
        }
        let (town_code, township) = self.home_township(s);
        if poor {
            self.poor_rows(&m, &town_code, &township, sink)?;
        }
        if dibao {
            let (from, to) = period(&mut self.rng, false);
            for x in m
                .iter()
                .filter(|x| matches!(x.role, Role::Father | Role::Mother | Role::Pupil))
            {
                // A child born after the family's period began is on the list from birth.
                let from = from.map(|f| f.max(x.birth));
                let to = to.filter(|t| from.is_none_or(|f| *t >= f));
                sink.row(ListRow::Dibao(AssistRow {
                    name: x.name.clone(),
                    id: x.id.clone(),
                    area: s.hukou,
                    from,
                    to,
                    township: township.clone(),
                    centralised: false,
                }))?;
            }
        }
        if urban {
            let (from, to) = period(&mut self.rng, true);
            for x in m
                .iter()
                .filter(|x| matches!(x.role, Role::Father | Role::Pupil))
                .take(2)
            {
                sink.row(ListRow::UrbanHardship(AssistRow {
                    name: x.name.clone(),
                    id: x.id.clone(),
                    area: Area::Urban,
                    from,
                    to,
                    township: township.clone(),
                    centralised: false,
                }))?;
            }
        }
        if let Some(f) = m.iter().find(|x| x.role == Role::Father) {
            if self.rng.permille(30) {
                let grade = self.rng.weighted_pick(&[(20, 2u8), (40, 3), (40, 4)], 4);
                let issued = date_between(&mut self.rng, ymd(2012, 1, 1), ymd(2023, 2, 28));
                sink.row(ListRow::Disabled(DisabledRow {
                    name: f.name.clone(),
                    id: f.id.clone(),
                    category: 4,
                    grade,
                    issued,
                    birth: f.birth,
                }))?;
            }
        }
        Ok(())
    }

    /// An older brother or sister at a later level (2–4 years up) of the same school with room left.
    fn enrolled_sibling(
        &mut self,
        s: &Student,
        term: Term,
        slots: &mut Slots,
        poor: bool,
        sink: &mut dyn Sink,
    ) -> anyhow::Result<Option<Student>> {
        let offers = |l: u8| self.schools.get(s.school).is_some_and(|x| x.offers(l));
        let free: Vec<u8> = (s.level + 2..=s.level + 4)
            .filter(|&l| {
                offers(l) && slots.queued.get(usize::from(l)) < slots.quota.get(usize::from(l))
            })
            .collect();
        let Some(&level) = self.rng.pick(&free) else {
            return Ok(None);
        };
        let sex = if self.rng.permille(515) {
            Sex::Male
        } else {
            Sex::Female
        };
        let (from, to) = birth_window(level, super::people::school_year(term));
        let birth = date_between(&mut self.rng, from, to);
        let name = self.distinct_name(s.surname, sex, &[&s.name]);
        let mut sib = self.student(s.school, level, sex, birth, COUNTY_CODE, name, s.surname)?;
        sib.hukou = s.hukou;
        sib.poor = poor;
        let disabled = self.student_disability(&sib, false, sink)?;
        sib.difficulty = self.difficulty(true, disabled);
        self.admission(&sib, term, sink)?;
        if let Some(q) = slots.queued.get_mut(usize::from(level)) {
            *q += 1;
        }
        Ok(Some(sib))
    }
}
