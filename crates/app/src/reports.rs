//! Reports of a computed term: the roster workbook (full or 公示) and the data-quality report.
//! Both read the stored results, so they show exactly what was computed.

use crate::quality;
use crate::AppError;
use std::path::Path;
use zizhu_domain::{IdNumber, Term};
use zizhu_io::quality_report::{write_quality_report, QualityLine};
use zizhu_io::roster::{ProgramInfo, RosterLine, RosterWriter, TotalLine};
use zizhu_policy::Policy;
use zizhu_store::Db;

const PAGE: i64 = 20_000;

/// What a roster report wrote.
#[derive(Debug, Clone, Default)]
pub struct RosterReport {
    pub lines: i64,
    pub total_fen: i64,
}

fn basis_of(facts: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(facts).unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(arr) = v.get("sources").and_then(|s| s.as_array()) {
        for s in arr {
            let zh = s.get("zh").and_then(|x| x.as_str()).unwrap_or_default();
            let detail = s.get("detail").and_then(|x| x.as_str()).unwrap_or_default();
            parts.push(format!("{zh}（{detail}）"));
        }
    }
    parts.join("；")
}

/// Writes the roster of `term` to `path`. `public` masks IDs and leaves out hardship categories.
pub async fn roster(
    db: &Db,
    policy: &Policy,
    term: Term,
    public: bool,
    path: &Path,
) -> Result<RosterReport, AppError> {
    let tp = policy.compile(term)?;
    let programs: Vec<ProgramInfo> = tp
        .programs
        .iter()
        .filter(|p| p.payable_this_term)
        .map(|p| ProgramInfo {
            id: p.id.clone(),
            name: p.name.clone(),
            clause: p.clause.clone(),
            payee: p.payee.zh().to_string(),
        })
        .collect();
    let totals: Vec<TotalLine> = db
        .entitlement_totals(term)
        .await?
        .into_iter()
        .map(|t| TotalLine {
            township: t.township,
            school_code: t.school_code,
            school_name: t.school_name,
            program: t.program,
            headcount: t.headcount,
            amount_fen: t.amount_fen,
        })
        .collect();
    let county = &policy.file.policy.county_name;
    let title = if public {
        format!("{county}{}学生资助名单公示", term.label_zh())
    } else {
        format!("{county}{}学生资助名单", term.label_zh())
    };
    let mut w = RosterWriter::new(&title, &programs, &totals, public)
        .map_err(|e| AppError::Other(e.to_string()))?;
    let mut report = RosterReport::default();
    let mut after = 0i64;
    loop {
        let page = db.entitlements(term, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for e in &page {
            let masked = IdNumber::from_stored(&e.id_number)
                .map(|i| i.masked())
                .unwrap_or_else(|_| "******".into());
            let line = RosterLine {
                township: e.township.clone(),
                school_code: e.school_code.clone(),
                school_name: e.school_name.clone(),
                name: e.name.clone(),
                id_number: if public {
                    String::new()
                } else {
                    e.id_number.clone()
                },
                masked_id: masked,
                student_no: e.student_no.clone(),
                program: e.program.clone(),
                amount_fen: e.amount_fen,
                payee: zizhu_policy::file::Payee::from_key(&e.payee)
                    .map(|p| p.zh().to_string())
                    .unwrap_or_default(),
                basis: if public {
                    String::new()
                } else {
                    basis_of(&e.facts)
                },
            };
            w.push(&line).map_err(|e| AppError::Other(e.to_string()))?;
            report.lines += 1;
            report.total_fen += e.amount_fen;
        }
    }
    w.save(path).map_err(|e| AppError::Other(e.to_string()))?;
    Ok(report)
}

/// Writes the data-quality report of `term`; returns the number of findings.
pub async fn quality_report(
    db: &Db,
    county: &str,
    term: Term,
    path: &Path,
) -> Result<usize, AppError> {
    let rows = db.quality_issues(term).await?;
    let mut counts: Vec<(String, String, usize)> = quality::CODES
        .iter()
        .map(|(c, t)| {
            (
                c.to_string(),
                t.to_string(),
                rows.iter().filter(|r| r.code == *c).count(),
            )
        })
        .collect();
    counts.retain(|c| c.2 > 0);
    let lines: Vec<QualityLine> = rows
        .iter()
        .map(|r| QualityLine {
            code: r.code.clone(),
            title: quality::title(&r.code).to_string(),
            id_number: r.id_number.clone().unwrap_or_default(),
            school_code: r.school_code.clone().unwrap_or_default(),
            source: r.source.clone(),
            detail: r.detail.clone(),
        })
        .collect();
    let title = format!("{county}{}数据质量报告", term.label_zh());
    write_quality_report(path, &title, &counts, &lines)
        .map_err(|e| AppError::Other(format!("写入数据质量报告失败：{e}")))?;
    Ok(lines.len())
}

/// Why the stored roster of `term` may not reflect the current lists and policy: no run yet, a
/// list imported after the run, or a different policy file. Empty when it is current.
pub async fn staleness(db: &Db, policy_sha256: &str, term: Term) -> Result<Vec<String>, AppError> {
    let Some(run) = db.latest_run(term).await? else {
        return Ok(vec![format!(
            "{}尚未计算，请先运行 zizhu compute --term {term}",
            term.label_zh()
        )]);
    };
    let mut out = Vec::new();
    let newer: Vec<String> = db
        .imports()
        .await?
        .into_iter()
        .filter(|b| b.imported_at > run.started_at)
        .map(|b| format!("{}《{}》", b.kind.zh(), b.file_name))
        .collect();
    if !newer.is_empty() {
        out.push(format!(
            "计算（{}）之后又导入了 {}，资助名单可能已过期，请重新运行 zizhu compute --term {term}",
            run.finished_at.format("%Y-%m-%d %H:%M"),
            newer.join("、")
        ));
    }
    if run.policy_sha256 != policy_sha256 {
        out.push(format!(
            "计算时使用的政策文件（版本 {}）与当前政策文件不同，请重新运行 zizhu compute --term {term}",
            run.policy_version
        ));
    }
    Ok(out)
}
