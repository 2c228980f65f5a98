//! Teacher exchange in sums (三(三)): per school and school year, the distinct teachers sent and
//! received and of them those in the direction the policy wants; the county's share.

use super::{check, overlaps_year, standing, Assignment, ExchangeRules, Finding, Standing};
use crate::model::School;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A fraction shown with its numerator and denominator (no float is stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Share {
    pub part: usize,
    pub whole: usize,
}

impl Share {
    /// `3/4（75.0%）`, `0/0（—）`; the percentage rounded half up to a tenth.
    pub fn display(self) -> String {
        if self.whole == 0 {
            return format!("{}/{}（—）", self.part, self.whole);
        }
        let tenths = (self.part * 1000 * 2 + self.whole) / (self.whole * 2);
        format!(
            "{}/{}（{}.{}%）",
            self.part,
            self.whole,
            tenths / 10,
            tenths % 10
        )
    }
}

/// One school's exchange in one school year: distinct teachers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchoolYearSums {
    pub school_code: String,
    /// Teachers sent (派出) / of whom in the direction the policy wants.
    pub sent: Share,
    /// Teachers received (接收) / of whom in the direction the policy wants.
    pub received: Share,
    /// Teachers it sent who are due to return on the day (即将期满).
    pub sent_due: usize,
    /// Teachers it sent whose assignment ended (已期满).
    pub sent_ended: usize,
}

/// One assignment with its checks and standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub assignment: Assignment,
    pub findings: Vec<Finding>,
    pub standing: Standing,
}

impl Checked {
    /// In the direction and stage the policy wants (城区义务教育学校 → 农村义务教育学校).
    pub fn fits(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The year's exchange: each assignment that overlaps the school year checked, and per school
/// the distinct teachers sent and received. `school_of` looks a school up by code.
pub fn summarize<'a>(
    assignments: &[Assignment],
    school_of: impl Fn(&str) -> Option<&'a School>,
    year: i32,
    as_of: NaiveDate,
    rules: &ExchangeRules,
) -> (Vec<Checked>, Vec<SchoolYearSums>) {
    let mut checked = Vec::new();
    // school → (sent, sent fitting, received, received fitting, due, ended), teacher IDs.
    type Sets = [BTreeSet<String>; 6];
    let mut by_school: BTreeMap<String, Sets> = BTreeMap::new();
    for a in assignments
        .iter()
        .filter(|a| overlaps_year(a, year, rules.year_start_month))
    {
        let findings = check(a, school_of(&a.from_school), school_of(&a.to_school), rules);
        let c = Checked {
            assignment: a.clone(),
            findings,
            standing: standing(a, as_of, rules.notice_days),
        };
        let id = &a.id_number;
        let from = by_school.entry(a.from_school.clone()).or_default();
        from[0].insert(id.clone());
        if c.fits() {
            from[1].insert(id.clone());
        }
        match c.standing {
            Standing::DueToReturn => {
                from[4].insert(id.clone());
            }
            Standing::Ended => {
                from[5].insert(id.clone());
            }
            _ => {}
        }
        let to = by_school.entry(a.to_school.clone()).or_default();
        to[2].insert(id.clone());
        if c.fits() {
            to[3].insert(id.clone());
        }
        checked.push(c);
    }
    let sums = by_school
        .into_iter()
        .map(|(code, s)| SchoolYearSums {
            school_code: code,
            sent: Share {
                part: s[1].len(),
                whole: s[0].len(),
            },
            received: Share {
                part: s[3].len(),
                whole: s[2].len(),
            },
            sent_due: s[4].len(),
            sent_ended: s[5].len(),
        })
        .collect();
    (checked, sums)
}

/// The county's share (全县): distinct teachers of the year's assignments, and of them those with
/// an assignment in the direction the policy wants.
pub fn county_share(checked: &[Checked]) -> Share {
    let all: BTreeSet<&str> = checked
        .iter()
        .map(|c| c.assignment.id_number.as_str())
        .collect();
    let fit: BTreeSet<&str> = checked
        .iter()
        .filter(|c| c.fits())
        .map(|c| c.assignment.id_number.as_str())
        .collect();
    Share {
        part: fit.len(),
        whole: all.len(),
    }
}
