//! The dashboard (首页): for one term, students aided and 元 per program and per township in the
//! user's scope, and dropout cases by state.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use std::collections::BTreeMap;
use zizhu_domain::dropout::CaseState;

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
}

/// One line of a totals table.
pub struct Line {
    pub label: String,
    pub headcount: i64,
    pub amount: String,
}

pub struct StateCount {
    pub state: &'static str,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_label: String,
    programs: Vec<Line>,
    townships: Vec<Line>,
    total: Line,
    cases: Vec<StateCount>,
    open_cases: usize,
    /// Chart specs (JSON) for static/dashboard.js; empty when there is nothing to draw.
    chart_programs: String,
    chart_townships: String,
    chart_cases: String,
    /// The scope's sums over its schools (coverage of family-difficulty students).
    summary: super::schools::SchoolItem,
    coverage: String,
    /// Schools with a roster this term, and of them those their township reviewed.
    schools: usize,
    schools_reviewed: usize,
    /// Paying the aid (issue 6): the scope's coverage audit in brief; `None` before a compute.
    pay: Option<PaySummary>,
    /// Complaints (四(三)) of the scope not resolved, and of them overdue today.
    complaints_open: usize,
    complaints_overdue: usize,
}

/// The coverage audit in brief (资金发放，一个不落), amounts in 元.
pub struct PaySummary {
    pub locked: bool,
    pub planned: String,
    pub paid: String,
    pub failed: String,
    pub unpaid_n: usize,
    pub unpaid: String,
    /// (reason, lines, 元).
    pub gaps: Vec<(String, i64, String)>,
    pub reversed: String,
    pub written_off: String,
    pub recovered: String,
    /// Payments to review: no entitlement now, or more than the adjusted amount.
    pub orphans: usize,
}

impl PaySummary {
    fn of(c: &zizhu_app::payments::Coverage) -> PaySummary {
        PaySummary {
            locked: c.locked,
            planned: yuan(&c.planned_fen),
            paid: yuan(&c.paid_fen),
            failed: yuan(&c.failed_fen),
            unpaid_n: c.unpaid.len(),
            unpaid: yuan(&c.unpaid.iter().map(|l| l.amount_fen).sum()),
            gaps: c
                .by_gap
                .iter()
                .map(|(g, n, f)| (g.zh().to_string(), *n, yuan(f)))
                .collect(),
            reversed: yuan(&c.reversed_fen),
            written_off: yuan(&c.written_off_fen),
            recovered: yuan(&c.recovered_fen),
            orphans: c.without_entitlement.len(),
        }
    }
}

/// A chart for static/dashboard.js: amounts as decimal strings of 元 (money never a float here;
/// ECharts reads numeric strings).
fn chart(kind: &str, labels: Vec<String>, values: Vec<String>, unit: &str) -> String {
    if labels.is_empty() {
        return String::new();
    }
    serde_json::json!({ "kind": kind, "labels": labels, "values": values, "unit": unit })
        .to_string()
}

fn yuan_chart(map: &BTreeMap<String, (i64, i64)>) -> String {
    chart(
        "bar",
        map.keys().cloned().collect(),
        map.values()
            .map(|(_, fen)| zizhu_domain::Fen(*fen).to_string())
            .collect(),
        "元",
    )
}

fn lines(map: BTreeMap<String, (i64, i64)>) -> Vec<Line> {
    map.into_iter()
        .map(|(label, (n, fen))| Line {
            label,
            headcount: n,
            amount: yuan(&fen),
        })
        .collect()
}

/// A term's roster summed over the user's scope, per program and per township (headcount of
/// lines, fen), and in all.
#[derive(Default)]
pub(crate) struct Totals {
    /// Keyed by (program id, program name).
    pub programs: BTreeMap<(String, String), (i64, i64)>,
    pub townships: BTreeMap<String, (i64, i64)>,
    pub headcount: i64,
    pub amount_fen: i64,
}

pub(crate) async fn totals(
    state: &AppState,
    user: &User,
    term: zizhu_domain::Term,
) -> Result<Totals, WebError> {
    let mut t = Totals::default();
    for r in state.db.entitlement_totals(term).await? {
        if !user.access.sees_school(&r.school_code, &r.township) {
            continue;
        }
        let p = t
            .programs
            .entry((r.program.clone(), r.program_name.clone()))
            .or_default();
        p.0 += r.headcount;
        p.1 += r.amount_fen;
        let town = if r.township.is_empty() {
            "（学校不在学校名单中）".to_string()
        } else {
            r.township.clone()
        };
        let w = t.townships.entry(town).or_default();
        w.0 += r.headcount;
        w.1 += r.amount_fen;
        t.headcount += r.headcount;
        t.amount_fen += r.amount_fen;
    }
    Ok(t)
}

/// The scope's sums of the cached per-school statistics, and how many of its schools with a
/// roster their township reviewed on the current run (cheap: no scan of the registry).
pub(crate) async fn coverage_summary(
    state: &AppState,
    user: &User,
    term: zizhu_domain::Term,
) -> Result<(super::schools::SchoolItem, usize, usize), WebError> {
    use zizhu_domain::approval::{SchoolStatus, SignoffStep};
    let townships: std::collections::HashMap<String, String> = state
        .db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, s.township))
        .collect();
    let run = state.db.latest_run(term).await?.map(|r| r.id);
    let mut latest: std::collections::HashMap<String, (SignoffStep, i64)> = Default::default();
    if run.is_some() {
        for s in state.db.signoffs(term).await? {
            latest.insert(s.school_code.clone(), (s.step, s.run_id));
        }
    }
    let mut sum = super::schools::SchoolItem::default();
    let (mut schools, mut reviewed) = (0, 0);
    for s in super::schools::cached_stats(state, term).await?.iter() {
        let Some(town) = townships.get(&s.school_code) else {
            continue;
        };
        if !user.access.sees_school(&s.school_code, town) {
            continue;
        }
        sum.enrolled += s.enrolled;
        sum.hardship += s.hardship;
        sum.hardship_unaided += s.hardship_unaided;
        sum.aided += s.aided;
        if let (Some(run), true) = (run, s.aided > 0) {
            schools += 1;
            let status = SchoolStatus::of(latest.get(&s.school_code).copied(), run);
            reviewed += usize::from(status == SchoolStatus::Reviewed);
        }
    }
    Ok((sum, schools, reviewed))
}

pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(&state, p.term.as_deref()).await?;
    let t = match term {
        Some(term) => totals(&state, &user, term).await?,
        None => Totals::default(),
    };
    let (n, fen, townships) = (t.headcount, t.amount_fen, t.townships);
    let mut programs: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for ((_, name), (h, f)) in t.programs {
        let p = programs.entry(name).or_default();
        p.0 += h;
        p.1 += f;
    }
    let (summary, schools, schools_reviewed) = match term {
        Some(t) => coverage_summary(&state, &user, t).await?,
        None => Default::default(),
    };
    let pay = match term {
        Some(t) if n > 0 => Some(PaySummary::of(
            &*super::payments::scoped_coverage(&state, &user, t).await?,
        )),
        _ => None,
    };
    let filter = zizhu_store::ScopeFilter::of(&user.access).cases(None, false);
    let all = if user.access.may(zizhu_domain::access::Duty::ReadCases) {
        state.db.cases(&filter).await?
    } else {
        Vec::new()
    };
    let cases: Vec<StateCount> = CaseState::ALL
        .iter()
        .map(|s| StateCount {
            state: s.zh(),
            count: all.iter().filter(|c| c.state == *s).count(),
        })
        .collect();
    let open_cases = all.iter().filter(|c| c.state != CaseState::Closed).count();
    let open: Vec<&StateCount> = cases
        .iter()
        .filter(|c| c.count > 0 && c.state != CaseState::Closed.zh())
        .collect();
    let chart_cases = chart(
        "pie",
        open.iter().map(|c| c.state.to_string()).collect(),
        open.iter().map(|c| c.count.to_string()).collect(),
        "件",
    );
    let open_tickets = if user.access.may(zizhu_domain::access::Duty::ReadCases) {
        let only_open = zizhu_store::ComplaintFilter {
            open_only: true,
            ..Default::default()
        };
        let scope = zizhu_store::ScopeFilter::of(&user.access);
        state.db.complaints(scope, &only_open).await?
    } else {
        Vec::new()
    };
    let complaints_overdue =
        zizhu_app::complaints::overdue_tickets(&open_tickets, super::cases::today()).len();
    let chart_programs = yuan_chart(&programs);
    let chart_townships = if townships.len() > 1 {
        yuan_chart(&townships)
    } else {
        String::new()
    };
    html(&Page {
        nav: Nav::of(&user),
        terms: term_options(&known, term),
        term_label: term.map(|t| t.label_zh()).unwrap_or_default(),
        programs: lines(programs),
        townships: lines(townships),
        total: Line {
            label: "合计（人次）".into(),
            headcount: n,
            amount: yuan(&fen),
        },
        cases,
        open_cases,
        chart_programs,
        chart_townships,
        chart_cases,
        coverage: super::schools::coverage(summary.hardship, summary.hardship_unaided),
        summary,
        schools,
        schools_reviewed,
        pay,
        complaints_open: open_tickets.len(),
        complaints_overdue,
    })
}
