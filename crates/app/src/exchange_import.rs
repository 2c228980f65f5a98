//! What the teacher exchange lists (三(三)) need other lists for, checked at import: every school
//! in the school list, no two assignments of one teacher sharing a day (errors), and the teacher
//! in the teacher list at the sending school (warnings: the teacher list may be updated later,
//! the exchange is still tracked). The zero-fee issue lists (三(一)) have their school checked
//! against the school list the same way.

use crate::AppError;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use zizhu_domain::exchange::periods_overlap;
use zizhu_domain::{ListKind, ListRecord};
use zizhu_io::lists::RowError;
use zizhu_store::Db;

/// The school and teacher lists on record, and the assignments seen so far in the file.
#[derive(Debug, Default)]
pub struct ExchangeChecks {
    active: bool,
    schools: HashSet<String>,
    /// Teacher ID → school code, from the teacher list.
    teachers: HashMap<String, String>,
    /// Teacher ID → (start, end, row) of the file's earlier assignments.
    seen: HashMap<String, Vec<(NaiveDate, NaiveDate, usize)>>,
}

fn err(row: usize, column: &str, value: &str, reason: String) -> RowError {
    RowError {
        row,
        column: column.into(),
        value: value.into(),
        reason,
    }
}

impl ExchangeChecks {
    /// Reads what the checks of `kind` need (nothing for other lists). Call before the import's
    /// transaction begins (one connection may be all SQLite has).
    pub async fn load(db: &Db, kind: ListKind) -> Result<ExchangeChecks, AppError> {
        if !matches!(
            kind,
            ListKind::Teachers | ListKind::TeacherExchanges | ListKind::ZeroFeeIssues
        ) {
            return Ok(ExchangeChecks::default());
        }
        let schools = db.schools().await?.into_iter().map(|s| s.code).collect();
        let teachers = if kind == ListKind::TeacherExchanges {
            db.teachers()
                .await?
                .into_iter()
                .map(|t| (t.id_number, t.school_code))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(ExchangeChecks {
            active: true,
            schools,
            teachers,
            seen: HashMap::new(),
        })
    }

    fn school(&self, row: usize, column: &str, code: &str, out: &mut Vec<RowError>) {
        if !self.schools.contains(code) {
            out.push(err(
                row,
                column,
                code,
                "学校名单中没有这一学校标识码（请先导入学校名单，或检查标识码）".into(),
            ));
        }
    }

    /// Checks one record: errors (the file is refused) and warnings.
    pub fn check(&mut self, row: usize, rec: &ListRecord) -> (Vec<RowError>, Vec<RowError>) {
        let (mut errors, mut warnings) = (Vec::new(), Vec::new());
        if !self.active {
            return (errors, warnings);
        }
        match rec {
            ListRecord::ZeroFeeIssue(i) => {
                self.school(row, "学校标识码", &i.school_code, &mut errors);
            }
            ListRecord::Teacher(t) => {
                self.school(row, "任职学校标识码", &t.school_code, &mut errors);
            }
            ListRecord::TeacherExchange(a) => {
                self.school(row, "派出学校标识码", &a.from_school, &mut errors);
                self.school(row, "接收学校标识码", &a.to_school, &mut errors);
                let mine = self.seen.entry(a.id_number.clone()).or_default();
                if let Some((s, e, r)) = mine
                    .iter()
                    .find(|(s, e, _)| periods_overlap((*s, *e), (a.start, a.end)))
                {
                    errors.push(err(
                        row,
                        "开始日期",
                        &a.start.to_string(),
                        format!(
                            "与第{r}行同一教师的交流（{s} 至 {e}）时间重叠，一名教师同一天只能在一所学校交流"
                        ),
                    ));
                }
                mine.push((a.start, a.end, row));
                match self.teachers.get(&a.id_number) {
                    None => warnings.push(err(
                        row,
                        "身份证件号",
                        &zizhu_domain::IdNumber::parse(&a.id_number)
                            .map_or_else(|_| String::new(), |(i, _)| i.masked()),
                        "教师名单中没有该教师（仍按交流记录统计；请核对或补充教师名单）".into(),
                    )),
                    Some(school) if *school != a.from_school => warnings.push(err(
                        row,
                        "派出学校标识码",
                        &a.from_school,
                        format!("教师名单中该教师的任职学校为 {school}，与派出学校不同"),
                    )),
                    Some(_) => {}
                }
            }
            _ => {}
        }
        (errors, warnings)
    }
}
