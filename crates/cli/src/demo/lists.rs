//! The rows of the other departments' lists (建档立卡, 低保, 特困供养, 残疾人, 城镇困难家庭, 高考录取)
//! as the generator produces them, and the sinks that receive students and rows: in memory for
//! the demo, written straight to CSV for the benchmark.

use super::catalog::Level;
use chrono::NaiveDate;
use zizhu_domain::{Area, Difficulty, PovertyStatus, Sex, Status};

/// One student's row in a term's registry (学籍).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Student {
    /// 18-character ID number (身份证件号).
    pub id: String,
    pub name: String,
    /// Family surname, for relatives' names ("" for the minority-name specials).
    pub surname: &'static str,
    pub sex: Sex,
    pub birth: NaiveDate,
    /// 学籍号: `G` + ID, or a `J…`/`L…` number, or `G` + a former ID.
    pub student_no: String,
    /// Index into the school plan.
    pub school: usize,
    pub level: Level,
    pub class: String,
    pub boarding: bool,
    pub special_class: bool,
    pub inclusion: bool,
    pub hukou: Area,
    /// Vocational major and whether it is agriculture-related (涉农).
    pub major: Option<(&'static str, bool)>,
    pub full_time: bool,
    pub status: Status,
    pub difficulty: Difficulty,
    /// Member of a registered-poor household (such children stay in school at transitions).
    pub poor: bool,
    /// Changed school at the autumn transition (used to place the duplicate enrolment).
    pub moved: bool,
}

/// A member of a registered-poor household (建档立卡/脱贫户).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PoorRow {
    pub household_no: String,
    pub head_name: String,
    pub name: String,
    pub id: String,
    pub relation: &'static str,
    pub status: PovertyStatus,
    pub exit_year: Option<i32>,
    pub township: String,
    pub village: &'static str,
    /// Household size (家庭人口数), 3–6 for households with children.
    pub size: usize,
    pub birth: NaiveDate,
}

/// A person on 低保, 特困供养 or 城镇困难家庭, with the validity period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AssistRow {
    pub name: String,
    pub id: String,
    pub area: Area,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub township: String,
    /// 特困供养 only: supported in an institution (集中供养) rather than at home (分散供养).
    pub centralised: bool,
}

/// A disability certificate holder (残疾人).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DisabledRow {
    pub name: String,
    pub id: String,
    /// Category digit 1–7 (视力…多重), index + 1 into `catalog::DISABILITY`.
    pub category: u8,
    /// Grade 1–4.
    pub grade: u8,
    pub issued: NaiveDate,
    pub birth: NaiveDate,
}

impl DisabledRow {
    /// Certificate number (残疾人证号): the ID followed by the category and grade digits.
    pub fn certificate(&self) -> String {
        format!("{}{}{}", self.id, self.category, self.grade)
    }
}

/// A college admission (高考录取).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AdmissionRow {
    /// 考生号, 14 digits.
    pub exam_no: String,
    pub name: String,
    pub id: String,
    pub college: &'static str,
    pub province: &'static str,
    pub batch: &'static str,
    pub year: i32,
}

/// A row of one of the other departments' lists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ListRow {
    Poor(PoorRow),
    Dibao(AssistRow),
    Tekun(AssistRow),
    UrbanHardship(AssistRow),
    Disabled(DisabledRow),
    Admission(AdmissionRow),
}

/// Receives what the generator produces, in order.
pub(crate) trait Sink {
    /// A registry row of the term being generated.
    fn student(&mut self, s: Student) -> anyhow::Result<()>;
    /// A row of another department's list.
    fn row(&mut self, r: ListRow) -> anyhow::Result<()>;
}

/// All lists, held in memory (the demo).
#[derive(Debug, Default)]
pub(crate) struct Lists {
    pub poor: Vec<PoorRow>,
    pub dibao: Vec<AssistRow>,
    pub tekun: Vec<AssistRow>,
    pub urban: Vec<AssistRow>,
    pub disabled: Vec<DisabledRow>,
    pub admissions: Vec<AdmissionRow>,
}

/// A sink keeping everything in memory.
#[derive(Debug, Default)]
pub(crate) struct Collect {
    pub students: Vec<Student>,
    pub lists: Lists,
}

impl Sink for Collect {
    fn student(&mut self, s: Student) -> anyhow::Result<()> {
        self.students.push(s);
        Ok(())
    }
    fn row(&mut self, r: ListRow) -> anyhow::Result<()> {
        let l = &mut self.lists;
        match r {
            ListRow::Poor(x) => l.poor.push(x),
            ListRow::Dibao(x) => l.dibao.push(x),
            ListRow::Tekun(x) => l.tekun.push(x),
            ListRow::UrbanHardship(x) => l.urban.push(x),
            ListRow::Disabled(x) => l.disabled.push(x),
            ListRow::Admission(x) => l.admissions.push(x),
        }
        Ok(())
    }
}

/// A sink that keeps the list rows but drops the students (graduates generated only for their
/// families and admissions).
pub(crate) struct RowsOnly<'a>(pub &'a mut dyn Sink);

impl Sink for RowsOnly<'_> {
    fn student(&mut self, _: Student) -> anyhow::Result<()> {
        Ok(())
    }
    fn row(&mut self, r: ListRow) -> anyhow::Result<()> {
        self.0.row(r)
    }
}

/// 是/否, as every export writes a yes/no column.
pub(crate) fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

impl Student {
    /// The last six registry columns, written the same way by every export: 户口性质 (`农业` or,
    /// with `long_hukou`, `农业户口`), 专业, 是否涉农专业, 学习形式, 学籍状态, 家庭经济困难认定.
    pub(crate) fn registry_tail(&self, long_hukou: bool) -> [&'static str; 6] {
        let hukou = match (self.hukou == Area::Rural, long_hukou) {
            (true, false) => "农业",
            (false, false) => "非农业",
            (true, true) => "农业户口",
            (false, true) => "非农业户口",
        };
        [
            hukou,
            self.major.map_or("", |m| m.0),
            self.major.map_or("", |m| yes_no(m.1)),
            if self.full_time {
                "全日制"
            } else {
                "非全日制"
            },
            self.status.zh(),
            self.difficulty.zh(),
        ]
    }
}
