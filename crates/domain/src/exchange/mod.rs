//! Teacher exchange from urban to rural schools (城区教师到农村学校交流轮岗, policy 三(三)):
//! "大力推进城区义务教育阶段学校教师到农村学校交流轮岗". Each assignment (交流轮岗记录) sends one
//! teacher from a school (派出学校) to another (接收学校) for a period; it is checked against the
//! schools' urban/rural type (城乡类型) and stage, counted per school and school year (学年), and
//! followed to its end (due to return, 即将期满; ended, 已期满). Pure: the parameters come from
//! the policy file, the lists from the store, the date from the caller.

use crate::model::{Area, School, SchoolKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A teacher (教师) of the county's teacher list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Teacher {
    /// 身份证件号 (GB 11643), personal information.
    pub id_number: String,
    pub name: String,
    /// 任职学校标识码.
    pub school_code: String,
    /// 教职工号, as given.
    pub staff_no: Option<String>,
    /// 学段 as given (小学, 初中 …).
    pub stage: Option<String>,
}

/// One exchange assignment (交流轮岗): a teacher sent from one school to another for a period,
/// both days included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id_number: String,
    pub name: String,
    /// 派出学校标识码.
    pub from_school: String,
    /// 接收学校标识码.
    pub to_school: String,
    /// 开始日期.
    pub start: NaiveDate,
    /// 结束日期 (the last day at the receiving school).
    pub end: NaiveDate,
}

/// The policy's parameters (`[teacher_exchange]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRules {
    /// The clause, `三(三)`.
    pub clause: String,
    /// A teacher is due to return (即将期满) from this many days before the end, the end day
    /// included.
    pub notice_days: i64,
    /// The direction the policy wants: from a school of this area (城区)…
    pub from_area: Area,
    /// …to a school of this area (农村).
    pub to_area: Area,
    /// School kinds of the compulsory stage (义务教育阶段学校).
    pub compulsory_kinds: Vec<SchoolKind>,
    /// The school year (学年) begins on the 1st of this month (9: 1 Sept – 31 Aug).
    pub year_start_month: u32,
}

/// The first and last day of school year `year` (2023 学年: 2023-09-01 – 2024-08-31).
pub fn school_year(year: i32, start_month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, start_month, 1)?;
    let next = NaiveDate::from_ymd_opt(year + 1, start_month, 1)?;
    Some((first, next.pred_opt()?))
}

/// The school year a day falls in.
pub fn school_year_of(day: NaiveDate, start_month: u32) -> i32 {
    use chrono::Datelike;
    if day.month() >= start_month {
        day.year()
    } else {
        day.year() - 1
    }
}

/// Does the assignment overlap school year `year` by at least one day?
pub fn overlaps_year(a: &Assignment, year: i32, start_month: u32) -> bool {
    school_year(year, start_month).is_some_and(|(first, last)| a.start <= last && a.end >= first)
}

/// Do two periods share a day?
pub fn periods_overlap(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// What is wrong with an assignment against the schools' type: reported, not refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finding {
    /// The sending school is not of the area the policy sends from (not 城区).
    FromArea(Area),
    /// The receiving school is not of the area the policy sends to (not 农村).
    ToArea(Area),
    /// The sending school has no 城乡类型: cannot be checked (无法核查).
    FromAreaUnknown,
    /// The receiving school has no 城乡类型.
    ToAreaUnknown,
    /// The sending school is not a compulsory-stage school (e.g. 普通高中).
    FromNotCompulsory(SchoolKind),
    /// The receiving school is not a compulsory-stage school.
    ToNotCompulsory(SchoolKind),
    /// A school is not in the school list (the import refuses it; kept for lists loaded before).
    UnknownSchool(String),
}

impl Finding {
    /// The finding in Chinese, for reports and pages.
    pub fn zh(&self, rules: &ExchangeRules) -> String {
        match self {
            Finding::FromArea(a) => format!(
                "派出学校为{}学校，不是{}学校",
                a.zh(),
                area_school(rules.from_area)
            ),
            Finding::ToArea(a) => format!(
                "接收学校为{}学校，不是{}学校",
                a.zh(),
                area_school(rules.to_area)
            ),
            Finding::FromAreaUnknown => "派出学校没有城乡类型，无法核查".into(),
            Finding::ToAreaUnknown => "接收学校没有城乡类型，无法核查".into(),
            Finding::FromNotCompulsory(k) => format!("派出学校为{}，不是义务教育阶段学校", k.zh()),
            Finding::ToNotCompulsory(k) => format!("接收学校为{}，不是义务教育阶段学校", k.zh()),
            Finding::UnknownSchool(c) => format!("学校 {c} 不在学校名单中"),
        }
    }

    /// A finding that only says the check could not be made.
    pub fn unverifiable(&self) -> bool {
        matches!(
            self,
            Finding::FromAreaUnknown | Finding::ToAreaUnknown | Finding::UnknownSchool(_)
        )
    }
}

/// 城区 / 农村 as the policy names the areas of schools.
pub fn area_school(a: Area) -> &'static str {
    match a {
        Area::Urban => "城区",
        Area::Rural => "农村",
    }
}

/// Checks one assignment against the schools (三(三)): the direction (from 城区 to 农村) and the
/// stage (义务教育阶段学校) of both sides. Empty when it is what the policy wants.
pub fn check(
    a: &Assignment,
    from: Option<&School>,
    to: Option<&School>,
    rules: &ExchangeRules,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let compulsory = |k: SchoolKind| rules.compulsory_kinds.contains(&k);
    match from {
        None => out.push(Finding::UnknownSchool(a.from_school.clone())),
        Some(s) => {
            match s.area {
                None => out.push(Finding::FromAreaUnknown),
                Some(area) if area != rules.from_area => out.push(Finding::FromArea(area)),
                Some(_) => {}
            }
            if !compulsory(s.kind) {
                out.push(Finding::FromNotCompulsory(s.kind));
            }
        }
    }
    match to {
        None => out.push(Finding::UnknownSchool(a.to_school.clone())),
        Some(s) => {
            match s.area {
                None => out.push(Finding::ToAreaUnknown),
                Some(area) if area != rules.to_area => out.push(Finding::ToArea(area)),
                Some(_) => {}
            }
            if !compulsory(s.kind) {
                out.push(Finding::ToNotCompulsory(s.kind));
            }
        }
    }
    out
}

/// Where an assignment stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Standing {
    /// Starts later (未开始).
    NotStarted,
    /// At the receiving school, more than the notice days left (交流中).
    Serving,
    /// At the receiving school, the end within the notice days (即将期满，应准备返回).
    DueToReturn,
    /// The end has passed: the teacher should be back (已期满，应已返回).
    Ended,
}

impl Standing {
    pub fn zh(self) -> &'static str {
        match self {
            Standing::NotStarted => "未开始",
            Standing::Serving => "交流中",
            Standing::DueToReturn => "即将期满",
            Standing::Ended => "已期满（应已返回）",
        }
    }
}

/// The standing of `a` on `as_of`: due to return when the days left until the end (the end day
/// counts as 0) are at most `notice_days`; ended from the day after the end.
pub fn standing(a: &Assignment, as_of: NaiveDate, notice_days: i64) -> Standing {
    if as_of < a.start {
        Standing::NotStarted
    } else if as_of > a.end {
        Standing::Ended
    } else if (a.end - as_of).num_days() <= notice_days {
        Standing::DueToReturn
    } else {
        Standing::Serving
    }
}

mod sums;
pub use sums::{county_share, summarize, Checked, SchoolYearSums, Share};

#[cfg(test)]
mod tests;
