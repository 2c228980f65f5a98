//! School evaluation (学校工作考评, 二(二) "把控辍保学工作纳入对学校工作考评"): per school and
//! term, the roster confirmed on time, the aid paid (资助到位率), overdue dropout cases, the
//! return rate (劝返率) and the zero-fee provisions (零收费覆盖率), against the policy file's
//! `[evaluation]` targets; as one workbook the county uses in its assessment.
//!
//! The facts come from the store (sign-offs, the dropout ledger as of the day, zero-fee issues)
//! and from a coverage audit the caller already has (the web caches the county's); the judgement
//! is the domain's ([`zizhu_domain::evaluation`]).

use crate::payments::Coverage;
use crate::AppError;
use chrono::NaiveDate;
use std::collections::HashMap;
use zizhu_domain::evaluation::{evaluate as judge, IndicatorKind, SchoolEvaluation, SchoolFacts};
use zizhu_domain::Term;
use zizhu_io::tables::{Cell, Sheet};
use zizhu_policy::Policy;
use zizhu_store::{CaseFilter, Db};

/// The evaluation of every school of the county for a term.
#[derive(Debug, Clone)]
pub struct EvaluationReport {
    pub term: Term,
    /// The day the dropout figures are counted on (案件截至日).
    pub as_of: NaiveDate,
    /// The last day a roster confirmation is on time.
    pub deadline: NaiveDate,
    /// The clause of `[evaluation]`.
    pub clause: String,
    /// The schools in the school list's order (township, then code).
    pub schools: Vec<SchoolEvaluation>,
}

/// The last day of `term` as [`Term::containing`] draws it: 31 August for spring, 31 January
/// of the next year for autumn.
pub fn term_end(term: Term) -> Option<NaiveDate> {
    match term.season {
        zizhu_domain::Season::Spring => NaiveDate::from_ymd_opt(term.year, 8, 31),
        zizhu_domain::Season::Autumn => NaiveDate::from_ymd_opt(term.year + 1, 1, 31),
    }
}

/// The first day of `term` as [`Term::containing`] draws it: 1 February for spring, 1 September
/// for autumn.
pub fn term_start(term: Term) -> Option<NaiveDate> {
    match term.season {
        zizhu_domain::Season::Spring => NaiveDate::from_ymd_opt(term.year, 2, 1),
        zizhu_domain::Season::Autumn => NaiveDate::from_ymd_opt(term.year, 9, 1),
    }
}

/// Refuses a day to count on before the term begins (a term not begun yet included): its figures
/// would be another term's (review: 2030-autumn was judged on today's open cases).
pub fn check_as_of(term: Term, day: NaiveDate) -> Result<(), String> {
    match term_start(term) {
        Some(start) if day < start => Err(format!(
            "统计日 {} 早于{}的开始（{}）：请选择该学期内或之后的日期{}",
            day.format("%Y-%m-%d"),
            term.label_zh(),
            start.format("%Y-%m-%d"),
            "（学期尚未开始的不能考评）"
        )),
        _ => Ok(()),
    }
}

/// The day a term's dropout figures are counted on when none is given: the term's last day, or
/// `today` while the term runs.
pub fn default_as_of(term: Term, today: NaiveDate) -> NaiveDate {
    term_end(term).map_or(today, |end| end.min(today))
}

/// Evaluates every school of the county for `term`, dropout cases as they stood on `as_of`,
/// aid from `coverage` (the county's coverage audit of `term`).
///
/// Errors: the policy has no `[evaluation]` or `[dropout]` section, the term is outside the
/// policy's dates, or the store's.
pub async fn evaluate(
    db: &Db,
    policy: &Policy,
    term: Term,
    as_of: NaiveDate,
    coverage: &Coverage,
) -> Result<EvaluationReport, AppError> {
    let rules = policy.evaluation_rules()?;
    let dropout_rules = policy.dropout_rules()?;
    let reference = policy.reference_date(term)?;
    let clause = policy
        .file
        .evaluation
        .as_ref()
        .map(|e| e.clause.clone())
        .unwrap_or_default();
    let schools = db.schools().await?;
    let aided: HashMap<String, i64> = db
        .school_stats(term)
        .await?
        .into_iter()
        .map(|s| (s.school_code, s.aided))
        .collect();
    let confirmed: HashMap<String, NaiveDate> = db
        .first_confirmations(term)
        .await?
        .into_iter()
        .map(|(code, at)| (code, beijing_day(at)))
        .collect();
    let (cases, _) = crate::dropout_as_of::cases_as_of(db, &CaseFilter::default(), as_of).await?;
    let dropout = crate::dropout_report::report(&cases, &schools, &dropout_rules, as_of);
    let figures: HashMap<&str, &crate::dropout_report::Figures> = dropout
        .schools
        .iter()
        .map(|s| (s.school_code.as_str(), &s.figures))
        .collect();
    let paid: HashMap<&str, (i64, i64)> = coverage
        .schools
        .iter()
        .map(|s| (s.school_code.as_str(), (s.planned_fen, s.paid_fen)))
        .collect();
    let zero_fee = zero_fee_by_school(db, policy, term).await?;
    // 四(三): the tickets lodged from the term's first day to the day counted.
    let complaints = match term_start(term) {
        Some(from) => db.complaint_counts_by_school(from, as_of).await?,
        None => Default::default(),
    };
    let mut rows: Vec<SchoolEvaluation> = schools
        .iter()
        .map(|s| {
            let f = figures.get(s.code.as_str());
            let (planned_fen, paid_fen) = paid.get(s.code.as_str()).copied().unwrap_or((0, 0));
            let facts = SchoolFacts {
                school_code: s.code.clone(),
                school_name: s.name.clone(),
                township: s.township.clone(),
                kind: Some(s.kind),
                has_roster: aided.get(&s.code).is_some_and(|&n| n > 0),
                first_confirmed_on: confirmed.get(&s.code).copied(),
                planned_fen,
                paid_fen,
                overdue_cases: f.map_or(0, |f| f.overdue),
                return_base: f.map_or(0, |f| f.confirmed - f.home_teaching),
                returned: f.map_or(0, |f| f.returned),
                zero_fee: zero_fee.get(&s.code).copied(),
                complaints_lodged: complaints.get(&s.code).map_or(0, |c| c.lodged as i64),
                complaints_overdue: complaints.get(&s.code).map_or(0, |c| c.overdue as i64),
            };
            judge(&facts, &rules, reference)
        })
        .collect();
    rows.sort_by(|a, b| (&a.township, &a.school_code).cmp(&(&b.township, &b.school_code)));
    Ok(EvaluationReport {
        term,
        as_of,
        deadline: reference + chrono::Duration::days(i64::from(rules.confirm_within_days)),
        clause,
        schools: rows,
    })
}

/// Zero-fee provisions of the school year `term` falls in, per school: (eligible, issued all).
/// School year 2023 is autumn 2023 and spring 2024 (三(一) rulings); a school year the policy does
/// not cover, or a policy without `[[provision]]`, has nothing to measure (the indicator does not
/// apply).
async fn zero_fee_by_school(
    db: &Db,
    policy: &Policy,
    term: Term,
) -> Result<HashMap<String, (i64, i64)>, AppError> {
    let year = match term.season {
        zizhu_domain::Season::Autumn => term.year,
        zizhu_domain::Season::Spring => term.year - 1,
    };
    match crate::zero_fee::coverage(db, policy, year).await {
        Ok(schools) => Ok(schools
            .into_iter()
            .map(|s| {
                let figures = (i64::from(s.eligible), i64::from(s.complete));
                (s.school_code, figures)
            })
            .collect()),
        Err(AppError::Policy(_)) | Err(AppError::Other(_)) => Ok(HashMap::new()),
        Err(e) => Err(e),
    }
}

/// The calendar day in China (北京时间, UTC+8) of a stored instant.
fn beijing_day(t: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// The workbook: one row per school with each indicator's value and outcome and the tally, and
/// a sheet that says how each indicator is measured and against what.
pub fn report_sheets(r: &EvaluationReport, title: &str) -> Vec<Sheet> {
    let mut header = vec!["乡镇".to_string(), "学校标识码".into(), "学校名称".into()];
    for k in IndicatorKind::ALL {
        header.push(format!("{}（{}）", k.zh(), k.clause()));
        header.push(format!("{}是否达标", k.zh()));
    }
    header.push("达标项数".into());
    header.push("适用项数".into());
    let rows = r
        .schools
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::Text(s.township.clone()),
                Cell::Text(s.school_code.clone()),
                Cell::Text(s.school_name.clone()),
            ];
            for i in &s.indicators {
                row.push(Cell::Text(i.value.clone()));
                row.push(Cell::Text(i.outcome.zh().to_string()));
            }
            let (met, applies) = s.tally();
            row.push(Cell::Int(met as i64));
            row.push(Cell::Int(applies as i64));
            row
        })
        .collect();
    let mut widths = vec![14.0, 13.0, 30.0];
    for _ in IndicatorKind::ALL {
        widths.extend([34.0, 10.0]);
    }
    widths.extend([10.0, 10.0]);
    let schools = Sheet {
        name: "学校考评".into(),
        title: title.to_string(),
        header,
        widths,
        rows,
    };
    let targets: HashMap<IndicatorKind, String> = r
        .schools
        .first()
        .map(|s| {
            s.indicators
                .iter()
                .map(|i| (i.kind, i.target.clone()))
                .collect()
        })
        .unwrap_or_default();
    let notes = IndicatorKind::ALL
        .iter()
        .map(|k| {
            vec![
                Cell::Text(k.zh().to_string()),
                Cell::Text(k.clause().to_string()),
                Cell::Text(measure(*k, r)),
                Cell::Text(targets.get(k).cloned().unwrap_or_default()),
            ]
        })
        .collect();
    let explained = Sheet {
        name: "指标说明".into(),
        title: format!("{title}：指标口径"),
        header: vec![
            "指标".into(),
            "政策条款".into(),
            "口径".into(),
            "目标".into(),
        ],
        widths: vec![16.0, 10.0, 80.0, 20.0],
        rows: notes,
    };
    vec![schools, explained]
}

/// How an indicator is measured, in words.
fn measure(k: IndicatorKind, r: &EvaluationReport) -> String {
    match k {
        IndicatorKind::RosterOnTime => format!(
            "学校首次确认{}资助名单的日期（北京时间）不晚于 {}（学期基准日后的确认时限）；本学期无资助名单的学校不适用",
            r.term.label_zh(),
            r.deadline.format("%Y-%m-%d")
        ),
        IndicatorKind::AidCoverage => "发给家庭的资助金额中已发放的比例（已发 ÷ 应发，按金额，含锁定后调整）；无应发金额的学校不适用".into(),
        IndicatorKind::OverdueCases => format!(
            "截至 {} 学校负责的控辍保学案件中未销号且超过时限的件数；义务教育学校均适用，其他学校有案件时适用",
            r.as_of.format("%Y-%m-%d")
        ),
        IndicatorKind::ReturnRate => format!(
            "截至 {} 学校负责的确认辍学学生中已劝返复学的比例（送教上门的除外）；无确认辍学的学校不适用",
            r.as_of.format("%Y-%m-%d")
        ),
        IndicatorKind::ZeroFee => "本学年应享受零收费的建档立卡义务教育学生中三项（教辅材料、校服、意外伤害保险）全部发放的比例；无应享受学生的学校不适用".into(),
        IndicatorKind::Complaints => format!(
            "本学期（{} 至 {}）受理的涉及本校学生的群众反映问题中，截至 {} 未在期限内办结的件数（逾期后才办结的也计入）；本学期没有工单的学校不适用",
            term_start(r.term).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string()),
            r.as_of.format("%Y-%m-%d"),
            r.as_of.format("%Y-%m-%d")
        ),
    }
}
