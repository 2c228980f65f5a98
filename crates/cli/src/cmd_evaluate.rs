//! `zizhu evaluate` (学校工作考评, 二(二)): each school's indicators for a term against the
//! policy file's `[evaluation]` targets, printed in sums and written as one workbook.

use crate::ui::Ctx;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use zizhu_app::evaluation::{default_as_of, evaluate as run, report_sheets, EvaluationReport};
use zizhu_domain::evaluation::{IndicatorKind, Outcome};
use zizhu_domain::Term;
use zizhu_policy::Policy;
use zizhu_store::{Db, ScopeFilter};

/// `zizhu evaluate --term T [--as-of D] [--out FILE]`: dropout cases counted as of `D` (default:
/// the term's last day, or today while it runs).
pub async fn evaluate(
    ctx: &Ctx,
    term: Term,
    as_of: Option<NaiveDate>,
    out: Option<PathBuf>,
) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let today = crate::cmd_dropout::today();
    let on = as_of.unwrap_or_else(|| default_as_of(term, today));
    if on > today {
        eprintln!("未执行：日期 {} 晚于今天", on.format("%Y-%m-%d"));
        return Ok(1);
    }
    if let Err(m) = zizhu_app::evaluation::check_as_of(term, on) {
        eprintln!("未执行：{m}");
        return Ok(1);
    }
    let db = ctx.db().await?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{term}-学校工作考评.xlsx")));
    crate::export::make_parent(&out)?;
    let (r, title) = write(&db, &p.policy, &ctx.actor, term, on, &out).await?;
    println!("{title}");
    print_summary(&r);
    println!("考评表：{}", out.display());
    Ok(0)
}

/// Evaluates every school of the county for `term` as of `on` and writes the workbook to
/// `path`; audited as the read of a county-wide report. Returns the report and its title.
pub(crate) async fn write(
    db: &Db,
    policy: &Policy,
    actor: &str,
    term: Term,
    on: NaiveDate,
    path: &Path,
) -> anyhow::Result<(EvaluationReport, String)> {
    let all = ScopeFilter {
        township: None,
        school: None,
    };
    let coverage = zizhu_app::payments::coverage(db, term, all).await?;
    let r = run(db, policy, term, on, &coverage).await?;
    let title = format!(
        "{}{}学校工作考评（{}，控辍保学截至 {}）",
        policy.file.policy.county_name,
        term.label_zh(),
        r.clause,
        on.format("%Y-%m-%d")
    );
    crate::export::stage(path, &report_sheets(&r, &title))?.publish()?;
    db.audit(
        actor,
        "evaluation_report",
        &format!("学校工作考评 {term}"),
        &format!(
            "学校工作考评：{} 所学校，适用指标全部达标 {} 所",
            r.schools.len(),
            all_met(&r)
        ),
    )
    .await?;
    Ok((r, title))
}

/// Schools meeting every indicator that applies to them (a school with none that applies is not
/// counted: it met nothing).
fn all_met(r: &EvaluationReport) -> usize {
    r.schools
        .iter()
        .filter(|s| {
            let (met, applies) = s.tally();
            applies > 0 && met == applies
        })
        .count()
}

/// The evaluation in sums: schools meeting every target that applies to them, and per
/// indicator the schools it applies to and those that met it.
pub(crate) fn print_summary(r: &EvaluationReport) {
    let idle = r.schools.iter().filter(|s| s.tally().1 == 0).count();
    println!(
        "  名单确认截止 {}；{} 所学校，适用指标全部达标 {} 所{}",
        r.deadline.format("%Y-%m-%d"),
        r.schools.len(),
        all_met(r),
        if idle > 0 {
            format!("（另有 {idle} 所学校本学期没有可考评的指标）")
        } else {
            String::new()
        }
    );
    if idle == r.schools.len() {
        println!(
            "  {}没有可考评的数据：先导入该学期的学籍并计算资助名单",
            r.term.label_zh()
        );
    }
    for (n, k) in IndicatorKind::ALL.iter().enumerate() {
        let (met, applies) = r.schools.iter().fold((0, 0), |(m, a), s| {
            match s.indicators.get(n).map(|i| i.outcome) {
                Some(Outcome::Met) => (m + 1, a + 1),
                Some(Outcome::NotMet) => (m, a + 1),
                _ => (m, a),
            }
        });
        println!(
            "  {}（{}）：适用 {applies} 所，达标 {met} 所，未达标 {} 所",
            k.zh(),
            k.clause(),
            applies - met
        );
    }
}
