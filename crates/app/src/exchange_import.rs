//! What the teacher exchange lists (三(三)) need other lists for, checked at import: every school
//! in the school list, no two assignments of one teacher sharing a day (errors), and the teacher
//! in the teacher list at the sending school (warnings: the teacher list may be updated later,
//! the exchange is still tracked). The zero-fee issue lists (三(一)) have their school checked
//! against the school list the same way, and each student against that school's registry of the
//! school year under the registry's name — as an issue entered on the web is.

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
    /// Zero fees: student ID → (school year, school code, registry name) of every registry row.
    /// Held in memory: the registry of every term imported (a county's, fine; a province's
    /// registry would want this read per school year).
    registry: HashMap<String, Vec<(i32, String, String)>>,
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
        let mut registry: HashMap<String, Vec<(i32, String, String)>> = HashMap::new();
        if kind == ListKind::ZeroFeeIssues {
            for term in db.known_terms().await? {
                // Autumn 2023 and spring 2024 are school year 2023.
                let year = match term.season {
                    zizhu_domain::Season::Autumn => term.year,
                    zizhu_domain::Season::Spring => term.year - 1,
                };
                let mut after = 0;
                loop {
                    let page = db.student_page(term, after, 5_000).await?;
                    let Some(last) = page.last() else { break };
                    after = last.key;
                    for s in page {
                        let r = s.record;
                        registry
                            .entry(r.id.as_str().to_string())
                            .or_default()
                            .push((year, r.school_code, r.name));
                    }
                }
            }
        }
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
            registry,
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
                let mine = self.registry.get(&i.id_number).and_then(|rows| {
                    rows.iter()
                        .find(|(y, school, _)| *y == i.school_year && *school == i.school_code)
                });
                let masked = zizhu_domain::IdNumber::parse(&i.id_number)
                    .map_or_else(|_| String::new(), |(id, _)| id.masked());
                match mine {
                    None => errors.push(err(
                        row,
                        "身份证件号",
                        &masked,
                        format!(
                            "{}学年学校 {} 的学籍中没有这名学生：只能登记本校学生的发放（转学的学生由其所在学校登记）",
                            i.school_year, i.school_code
                        ),
                    )),
                    Some((_, _, name)) if name.trim() != i.name.trim() => errors.push(err(
                        row,
                        "姓名",
                        &i.name,
                        format!("与学籍不符：学籍中该身份证件号的学生姓名为“{}”", name.trim()),
                    )),
                    Some(_) => {}
                }
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
