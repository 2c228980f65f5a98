//! The dropout-control report (控辍保学统计) by township and school, each school's figures as
//! evaluation indicators (纳入学校考评), and the ledger's lines (一生一案台账) as a township hands
//! them to an inspector. Pure: the cases and events come in, figures and lines go out.

use std::collections::{BTreeMap, HashMap};
use zizhu_domain::dropout::{overdue, CaseState, DropoutRules};
use zizhu_domain::{IdNumber, School};
use zizhu_io::tables::{Cell, Sheet};
use zizhu_store::{CaseEventRow, CaseRow};

/// Counts of one school, one township or the county (统计口径 in docs/rulings.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Cases ever opened (疑似失学辍学, found).
    pub found: i64,
    /// Suspected or being verified now (待核查).
    pub verifying: i64,
    /// Verified as not dropouts (核实非辍学), closed or not.
    pub not_dropout: i64,
    /// Confirmed dropouts, whatever happened since (确认辍学).
    pub confirmed: i64,
    /// Of these, back at school (劝返复学).
    pub returned: i64,
    /// Of these, taught at home (送教上门) in the case's current cycle and not returned since.
    pub home_teaching: i64,
    /// Closed (已销号).
    pub closed: i64,
    /// Open and past a time limit on the report's day (超期).
    pub overdue: i64,
}

impl Figures {
    fn add(&mut self, c: &CaseRow, late: bool) {
        self.found += 1;
        let s = c.state;
        if matches!(s, CaseState::Suspected | CaseState::Verifying) {
            self.verifying += 1;
        }
        if c.not_dropout_reason.is_some() {
            self.not_dropout += 1;
        }
        if was_confirmed(c) {
            self.confirmed += 1;
        }
        if c.returned_on.is_some() {
            self.returned += 1;
        }
        if !c.plan_teacher.is_empty() && c.returned_on.is_none() {
            self.home_teaching += 1;
        }
        if s == CaseState::Closed {
            self.closed += 1;
        }
        if late {
            self.overdue += 1;
        }
    }

    /// The counts in the report's column order: found, to verify, not dropouts, confirmed,
    /// returned, taught at home, closed, overdue.
    pub fn counts(&self) -> [i64; 8] {
        [
            self.found,
            self.verifying,
            self.not_dropout,
            self.confirmed,
            self.returned,
            self.home_teaching,
            self.closed,
            self.overdue,
        ]
    }

    /// 劝返率: returned over confirmed dropouts who can attend (those taught at home excluded),
    /// in per cent with one decimal; `None` when there is no such dropout.
    pub fn return_rate(&self) -> Option<f64> {
        let base = self.confirmed - self.home_teaching;
        (base > 0).then(|| (self.returned as f64 * 1000.0 / base as f64).round() / 10.0)
    }
}

/// Was the child confirmed out of school (辍学学生台账): confirmed or being persuaded now, or
/// since returned or taught at home.
pub fn was_confirmed(c: &CaseRow) -> bool {
    c.returned_on.is_some()
        || !c.plan_teacher.is_empty()
        || matches!(c.state, CaseState::Confirmed | CaseState::Persuading)
}

/// One school's row (or the row of cases with no responsible school yet).
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolRow {
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub figures: Figures,
}

/// The report: schools, townships, county.
#[derive(Debug, Clone, PartialEq)]
pub struct DropoutReport {
    pub schools: Vec<SchoolRow>,
    pub townships: Vec<(String, Figures)>,
    pub county: Figures,
}

/// Counts `cases` per school and township on day `on`. A school's row holds the cases it is
/// responsible for, under the school's own township (from the school list: the school's
/// evaluation figures, 纳入学校考评); cases with no school, or a school not in the list, are
/// counted per the child's township. A township's row counts the cases of children of that
/// township (户籍所在乡镇, the one `zizhu dropout ledger --township` selects), else of its
/// schools.
pub fn report(
    cases: &[CaseRow],
    schools: &[School],
    rules: &DropoutRules,
    on: chrono::NaiveDate,
) -> DropoutReport {
    let by_code: HashMap<&str, &School> = schools.iter().map(|s| (s.code.as_str(), s)).collect();
    let mut rows: BTreeMap<(String, String), SchoolRow> = BTreeMap::new();
    let mut townships: BTreeMap<String, Figures> = BTreeMap::new();
    let mut county = Figures::default();
    for c in cases {
        let school = by_code.get(c.child.school_code.as_str());
        let child_township = if c.child.township.is_empty() {
            school.map_or(String::new(), |s| s.township.clone())
        } else {
            c.child.township.clone()
        };
        let late = c.state != CaseState::Closed && overdue(&c.clock(), on, rules).is_some();
        let school_township = school.map_or_else(|| child_township.clone(), |s| s.township.clone());
        rows.entry((school_township.clone(), c.child.school_code.clone()))
            .or_insert_with(|| SchoolRow {
                township: school_township,
                school_code: c.child.school_code.clone(),
                school_name: school.map_or_else(
                    || {
                        if c.child.school_code.is_empty() {
                            "（未指定责任学校）".to_string()
                        } else {
                            "（不在学校名单中）".to_string()
                        }
                    },
                    |s| s.name.clone(),
                ),
                figures: Figures::default(),
            })
            .figures
            .add(c, late);
        townships.entry(child_township).or_default().add(c, late);
        county.add(c, late);
    }
    DropoutReport {
        schools: rows.into_values().collect(),
        townships: townships.into_iter().collect(),
        county,
    }
}

/// One row of the ledger export: the case with its latest state and action.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerLine {
    pub case_id: i64,
    pub name: String,
    /// Masked unless the full ID was asked for (and audited).
    pub id_number: String,
    pub birth_date: String,
    pub township: String,
    pub village: String,
    pub guardian: String,
    pub guardian_phone: String,
    pub school_code: String,
    pub school_name: String,
    pub teacher: String,
    pub official: String,
    pub reasons: String,
    pub groups: String,
    pub state: String,
    pub state_since: String,
    pub opened_on: String,
    pub latest: String,
    pub outcome: String,
    pub overdue: String,
}

/// The ledger's lines, in case order.
pub fn ledger_lines(
    cases: &[CaseRow],
    latest: &HashMap<i64, CaseEventRow>,
    schools: &[School],
    rules: &DropoutRules,
    on: chrono::NaiveDate,
    full_id: bool,
) -> Vec<LedgerLine> {
    let by_code: HashMap<&str, &School> = schools.iter().map(|s| (s.code.as_str(), s)).collect();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    cases
        .iter()
        .map(|c| {
            let ch = &c.child;
            let id_number = if full_id {
                ch.id_number.clone()
            } else {
                IdNumber::parse(&ch.id_number)
                    .map(|(i, _)| i.masked())
                    .unwrap_or_default()
            };
            let latest = latest.get(&c.id).map_or(String::new(), |e| {
                let what = match (e.to_state, e.action) {
                    (_, Some(a)) => a.zh().to_string(),
                    (Some(t), _) => t.zh().to_string(),
                    _ => String::new(),
                };
                format!("{} {}：{}", day(e.on), what, e.note)
            });
            let mut outcome = Vec::new();
            if let Some(r) = c.not_dropout_reason {
                outcome.push(format!(
                    "核实非辍学：{} {} {}",
                    r.zh(),
                    c.elsewhere_school,
                    c.evidence
                ));
            }
            if let Some(d) = c.returned_on {
                outcome.push(format!("{} 复学于 {}", day(d), c.returned_school));
            }
            if !c.plan_teacher.is_empty() {
                let plan = [&c.plan_teacher, &c.plan_frequency, &c.plan_content]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>();
                outcome.push(format!("送教上门：{}", plan.join("，")));
            }
            if !c.close_reason.is_empty() {
                outcome.push(format!("销号：{}", c.close_reason));
            }
            let overdue = if c.state == CaseState::Closed {
                String::new()
            } else {
                overdue(&c.clock(), on, rules).map_or(String::new(), |o| {
                    format!(
                        "{}，应于 {} 前，已超 {} 天",
                        o.kind.zh(),
                        day(o.due),
                        o.days_late
                    )
                })
            };
            LedgerLine {
                case_id: c.id,
                name: ch.name.clone(),
                id_number,
                // With the masked ID, a whole birth date would give the ID back but for the
                // check character: only the year and month unless the full ID is asked for.
                birth_date: ch
                    .birth_date
                    .map(|d| {
                        if full_id {
                            day(d)
                        } else {
                            d.format("%Y-%m").to_string()
                        }
                    })
                    .unwrap_or_default(),
                township: ch.township.clone(),
                village: ch.village.clone(),
                guardian: ch.guardian.clone(),
                guardian_phone: ch.guardian_phone.clone(),
                school_code: ch.school_code.clone(),
                school_name: by_code
                    .get(ch.school_code.as_str())
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                teacher: c.teacher.clone(),
                official: c.official.clone(),
                reasons: ch
                    .reasons
                    .iter()
                    .map(|r| r.zh())
                    .collect::<Vec<_>>()
                    .join("；"),
                groups: ch
                    .groups
                    .iter()
                    .map(|g| g.zh())
                    .collect::<Vec<_>>()
                    .join("、"),
                state: if c.recheck {
                    format!("{}（比对结果变化，待核实）", c.state.zh())
                } else {
                    c.state.zh().to_string()
                },
                state_since: day(c.state_since),
                opened_on: day(c.opened_on),
                latest,
                outcome: outcome.join("；"),
                overdue,
            }
        })
        .collect()
}

const FIGURE_HEADERS: [&str; 10] = [
    "疑似失学辍学（累计立案）",
    "待核查",
    "核实非辍学",
    "确认辍学",
    "劝返复学",
    "送教上门",
    "已销号",
    "超期未办",
    "劝返率（%）",
    "超期率（%）",
];

fn figure_cells(f: &Figures) -> Vec<Cell> {
    let open = f.found - f.closed;
    let overdue_rate = (open > 0).then(|| (f.overdue as f64 * 1000.0 / open as f64).round() / 10.0);
    let mut v: Vec<Cell> = f.counts().into_iter().map(Cell::Int).collect();
    v.push(f.return_rate().map_or(Cell::Empty, Cell::Decimal1));
    v.push(overdue_rate.map_or(Cell::Empty, Cell::Decimal1));
    v
}

/// The report as sheets: by township (with the county total), by school (the indicators each
/// school's evaluation uses).
pub fn report_sheets(r: &DropoutReport, title: &str) -> Vec<Sheet> {
    let mut header = vec!["乡镇".to_string()];
    header.extend(FIGURE_HEADERS.iter().map(|h| h.to_string()));
    let mut rows: Vec<Vec<Cell>> = r
        .townships
        .iter()
        .map(|(t, f)| {
            let mut row = vec![Cell::Text(t.clone())];
            row.extend(figure_cells(f));
            row
        })
        .collect();
    let mut total = vec![Cell::Text("全县合计".into())];
    total.extend(figure_cells(&r.county));
    rows.push(total);
    let mut widths = vec![16.0];
    widths.extend([12.0; 10]);
    let towns = Sheet {
        name: "按乡镇".into(),
        title: format!("{title}（按乡镇）"),
        header,
        widths: widths.clone(),
        rows,
    };
    let mut header = vec!["乡镇".to_string(), "学校标识码".into(), "学校名称".into()];
    header.extend(FIGURE_HEADERS.iter().map(|h| h.to_string()));
    let rows = r
        .schools
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::Text(s.township.clone()),
                Cell::Text(s.school_code.clone()),
                Cell::Text(s.school_name.clone()),
            ];
            row.extend(figure_cells(&s.figures));
            row
        })
        .collect();
    let mut widths = vec![14.0, 13.0, 30.0];
    widths.extend([12.0; 10]);
    let schools = Sheet {
        name: "按学校（考评指标）".into(),
        title: format!("{title}（按学校，纳入学校考评）"),
        header,
        widths,
        rows,
    };
    vec![towns, schools]
}

/// The ledger as one sheet named `name`, a row per case.
pub fn ledger_sheet(lines: &[LedgerLine], name: &str, title: &str) -> Sheet {
    let header = [
        "案件编号",
        "姓名",
        "身份证件号",
        "出生日期",
        "乡镇",
        "村",
        "监护人",
        "联系电话",
        "责任学校标识码",
        "责任学校",
        "包保教师",
        "包保干部",
        "疑似原因",
        "重点关注",
        "状态",
        "状态日期",
        "立案日期",
        "最近措施或变更",
        "核实、复学、送教、销号情况",
        "超期情况",
    ];
    let rows = lines
        .iter()
        .map(|l| {
            let mut row = vec![Cell::Int(l.case_id)];
            row.extend(
                [
                    &l.name,
                    &l.id_number,
                    &l.birth_date,
                    &l.township,
                    &l.village,
                    &l.guardian,
                    &l.guardian_phone,
                    &l.school_code,
                    &l.school_name,
                    &l.teacher,
                    &l.official,
                    &l.reasons,
                    &l.groups,
                    &l.state,
                    &l.state_since,
                    &l.opened_on,
                    &l.latest,
                    &l.outcome,
                    &l.overdue,
                ]
                .into_iter()
                .map(|s| Cell::Text(s.clone())),
            );
            row
        })
        .collect();
    Sheet {
        name: name.to_string(),
        title: title.to_string(),
        header: header.iter().map(|h| h.to_string()).collect(),
        widths: vec![
            8.0, 10.0, 20.0, 11.0, 10.0, 10.0, 10.0, 13.0, 13.0, 26.0, 10.0, 10.0, 26.0, 18.0,
            16.0, 11.0, 11.0, 40.0, 40.0, 30.0,
        ],
        rows,
    }
}
