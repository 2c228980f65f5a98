//! Teacher exchange from urban to rural schools (交流轮岗, 三(三)): each assignment of a school year
//! checked against the schools' urban/rural type and stage, counted per school (teachers sent and
//! received, of whom urban→rural), with who is due to return and whose assignment ended by a day.

use crate::AppError;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap, HashSet};
use zizhu_domain::exchange::{
    county_share, overlaps_year, school_year, school_year_of, summarize, Checked, ExchangeRules,
    Share, Standing,
};
use zizhu_domain::School;
use zizhu_store::Db;

/// A school's row of the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolRow {
    pub code: String,
    /// Empty when the school is not in the school list.
    pub name: String,
    pub township: String,
    /// 城区 / 农村 / 无 (no 城乡类型).
    pub area: String,
    pub kind: String,
    pub sums: zizhu_domain::exchange::SchoolYearSums,
}

/// One assignment of the year, with both schools named and the checks in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub checked: Checked,
    pub from_name: String,
    pub from_township: String,
    pub to_name: String,
    pub to_township: String,
    /// The findings in Chinese (empty: in the direction the policy wants).
    pub findings: Vec<String>,
    /// The teacher is in the teacher list.
    pub listed: bool,
}

/// A school year's exchange, as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeReport {
    pub clause: String,
    pub year: i32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub as_of: NaiveDate,
    pub notice_days: i64,
    /// The direction the policy wants, in words (城区→农村).
    pub direction: String,
    /// Distinct teachers, and of them those exchanged in the direction the policy wants.
    pub share: Share,
    pub schools: Vec<SchoolRow>,
    pub assignments: Vec<AssignmentRow>,
}

impl ExchangeReport {
    /// Assignments due to return (即将期满) on the day.
    pub fn due(&self) -> usize {
        self.count(Standing::DueToReturn)
    }

    /// Assignments whose end has passed (已期满).
    pub fn ended(&self) -> usize {
        self.count(Standing::Ended)
    }

    fn count(&self, s: Standing) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.checked.standing == s)
            .count()
    }

    /// Assignments not in the direction or stage the policy wants (checks that could be made).
    pub fn off_policy(&self) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.checked.findings.iter().any(|f| !f.unverifiable()))
            .count()
    }

    /// Assignments whose schools' type could not be checked (无法核查).
    pub fn unverifiable(&self) -> usize {
        self.assignments
            .iter()
            .filter(|a| a.checked.findings.iter().any(|f| f.unverifiable()))
            .count()
    }

    /// The part a user sees: assignments with either school in scope (a school sees what it sent
    /// and received, a township its schools'), the rows of schools in scope, the share over them.
    pub fn scoped(&self, sees: impl Fn(&str, &str) -> bool) -> ExchangeReport {
        let assignments: Vec<AssignmentRow> = self
            .assignments
            .iter()
            .filter(|a| {
                sees(&a.checked.assignment.from_school, &a.from_township)
                    || sees(&a.checked.assignment.to_school, &a.to_township)
            })
            .cloned()
            .collect();
        let checked: Vec<Checked> = assignments.iter().map(|a| a.checked.clone()).collect();
        ExchangeReport {
            share: county_share(&checked),
            schools: self
                .schools
                .iter()
                .filter(|s| sees(&s.code, &s.township))
                .cloned()
                .collect(),
            assignments,
            ..self.clone()
        }
    }
}

/// The school years the assignments on record cover, newest first.
pub async fn years(db: &Db, rules: &ExchangeRules) -> Result<Vec<i32>, AppError> {
    let m = rules.year_start_month;
    let mut years = BTreeSet::new();
    for a in db.teacher_exchanges().await? {
        let (first, last) = (school_year_of(a.start, m), school_year_of(a.end, m));
        years.extend((first..=last).filter(|y| overlaps_year(&a, *y, m)));
    }
    Ok(years.into_iter().rev().collect())
}

/// The exchange of school year `year` as of `as_of` (三(三)).
///
/// Errors: no assignment imported yet, a year that does not exist, or the store's.
pub async fn evaluate(
    db: &Db,
    rules: &ExchangeRules,
    year: i32,
    as_of: NaiveDate,
) -> Result<ExchangeReport, AppError> {
    let all = db.teacher_exchanges().await?;
    if all.is_empty() {
        return Err(AppError::Other(
            "还没有导入交流轮岗名单：zizhu import teacher_exchanges 文件".into(),
        ));
    }
    let (first_day, last_day) = school_year(year, rules.year_start_month)
        .ok_or_else(|| AppError::Other(format!("{year} 不是有效的学年")))?;
    let schools: HashMap<String, School> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let listed: HashSet<String> = db
        .teachers()
        .await?
        .into_iter()
        .map(|t| t.id_number)
        .collect();
    let (checked, sums) = summarize(&all, |c| schools.get(c), year, as_of, rules);
    let named = |code: &str| {
        schools
            .get(code)
            .map_or((String::new(), String::new()), |s| {
                (s.name.clone(), s.township.clone())
            })
    };
    let school_rows = sums
        .into_iter()
        .map(|sums| {
            let s = schools.get(&sums.school_code);
            SchoolRow {
                code: sums.school_code.clone(),
                name: s.map(|s| s.name.clone()).unwrap_or_default(),
                township: s.map(|s| s.township.clone()).unwrap_or_default(),
                area: s
                    .and_then(|s| s.area)
                    .map_or("无", zizhu_domain::exchange::area_school)
                    .to_string(),
                kind: s.map(|s| s.kind.zh()).unwrap_or("").to_string(),
                sums,
            }
        })
        .collect();
    let share = county_share(&checked);
    let assignments = checked
        .into_iter()
        .map(|c| {
            let (from_name, from_township) = named(&c.assignment.from_school);
            let (to_name, to_township) = named(&c.assignment.to_school);
            AssignmentRow {
                findings: c.findings.iter().map(|f| f.zh(rules)).collect(),
                listed: listed.contains(&c.assignment.id_number),
                checked: c,
                from_name,
                from_township,
                to_name,
                to_township,
            }
        })
        .collect();
    Ok(ExchangeReport {
        clause: rules.clause.clone(),
        year,
        first_day,
        last_day,
        as_of,
        notice_days: rules.notice_days,
        direction: format!(
            "{}→{}",
            zizhu_domain::exchange::area_school(rules.from_area),
            zizhu_domain::exchange::area_school(rules.to_area)
        ),
        share,
        schools: school_rows,
        assignments,
    })
}
