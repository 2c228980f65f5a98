//! Reports of a computed term: the roster workbook (full or 公示) and the data-quality report.
//! Both read the stored results, so they show exactly what was computed.

use crate::quality;
use crate::AppError;
use std::collections::HashMap;
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

/// The three traceability columns of a roster line, from the facts JSON stored with it:
/// the lists behind each category (with file, batch and row), the conditions that held, and how
/// the amount was made.
fn trace_columns(facts: &str, files: &HashMap<i64, String>) -> (String, String, String) {
    let v: serde_json::Value = serde_json::from_str(facts).unwrap_or_default();
    let text = |x: &serde_json::Value, k: &str| {
        x.get(k)
            .and_then(|y| y.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut basis = Vec::new();
    for src in v
        .get("sources")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
    {
        let batch = src.get("import_id").and_then(|x| x.as_i64()).unwrap_or(0);
        let row = src.get("row").and_then(|x| x.as_i64()).unwrap_or(0);
        let file = files
            .get(&batch)
            .map(|f| format!("《{f}》"))
            .unwrap_or_default();
        basis.push(format!(
            "{}（{}）[第{batch}批{file}第{row}行]",
            text(src, "zh"),
            text(src, "detail")
        ));
    }
    let conditions: Vec<String> = v
        .get("conditions")
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
        .map(|c| {
            let zh = text(c, "zh");
            if c.get("value").and_then(|b| b.as_bool()).unwrap_or(true) {
                zh
            } else {
                format!("非：{zh}")
            }
        })
        .collect();
    let amount: Vec<String> = v
        .get("amount")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    (basis.join("；"), conditions.join("；"), amount.join("；"))
}

/// Writes the roster of `term` to `path`, from what was stored when the term was computed (its
/// programs, clauses and amounts). `public` masks IDs and leaves out hardship categories and
/// the traceability columns.
pub async fn roster(
    db: &Db,
    policy: &Policy,
    term: Term,
    public: bool,
    path: &Path,
) -> Result<RosterReport, AppError> {
    roster_for(db, policy, term, public, path, None).await
}

/// Who a roster workbook is for: the lines of a user's scope only, and full ID numbers only when
/// the role may see them (otherwise the ID column is masked like the 公示 version's).
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a> {
    pub access: &'a zizhu_domain::access::Access,
}

/// [`roster`] for an audience (`None`: the whole county with full IDs, as on the command line).
pub async fn roster_for(
    db: &Db,
    policy: &Policy,
    term: Term,
    public: bool,
    path: &Path,
    audience: Option<Audience<'_>>,
) -> Result<RosterReport, AppError> {
    let scope = audience.map_or(
        zizhu_store::ScopeFilter {
            township: None,
            school: None,
        },
        |a| zizhu_store::ScopeFilter::of(a.access),
    );
    // (`scope` is used only with an audience; the county's own export reads every line.)
    let full_ids = audience.is_none_or(|a| a.access.may(zizhu_domain::access::Duty::SeeFullId));
    let stored = db.stored_programs(term).await?;
    // Policy order when today's policy covers the term, else by program id.
    let order: Vec<String> = policy
        .compile(term)
        .map(|tp| tp.programs.iter().map(|p| p.id.clone()).collect())
        .unwrap_or_default();
    let mut programs: Vec<ProgramInfo> = stored
        .into_iter()
        .map(|p| ProgramInfo {
            payee: zizhu_policy::file::Payee::from_key(&p.payee)
                .map(|x| x.zh().to_string())
                .unwrap_or(p.payee),
            id: p.program,
            name: p.program_name,
            clause: p.clause,
        })
        .collect();
    programs.sort_by_key(|p| order.iter().position(|o| *o == p.id).unwrap_or(usize::MAX));
    let totals: Vec<TotalLine> = db
        .entitlement_totals(term)
        .await?
        .into_iter()
        .filter(|t| audience.is_none_or(|a| a.access.sees_school(&t.school_code, &t.township)))
        .map(|t| TotalLine {
            township: t.township,
            school_code: t.school_code,
            school_name: t.school_name,
            program: t.program,
            headcount: t.headcount,
            amount_fen: t.amount_fen,
        })
        .collect();
    let files: HashMap<i64, String> = db
        .imports()
        .await?
        .into_iter()
        .map(|b| (b.id, b.file_name))
        .collect();
    let county = &policy.file.policy.county_name;
    let title = if public {
        format!("{county}{}学生资助名单公示", term.label_zh())
    } else {
        format!("{county}{}学生资助名单", term.label_zh())
    };
    let mut notes: Vec<(String, String)> = vec![("学期".into(), term.label_zh())];
    if let Some(run) = db.latest_run(term).await? {
        notes.push((
            "计算批次".into(),
            format!(
                "第{}次计算，{}（北京时间）由 {} 完成",
                run.id,
                zizhu_domain::dates::beijing_time(run.finished_at),
                run.actor
            ),
        ));
        notes.push((
            "政策文件".into(),
            format!("{} 版本 {}", run.policy_id, run.policy_version),
        ));
        notes.push(("政策文件指纹（SHA-256）".into(), run.policy_sha256.clone()));
        // The whole run's figures for the county; a school's or township's workbook gives its
        // own (the county's totals are not theirs to read).
        let county_wide =
            audience.is_none_or(|a| a.access.scope == zizhu_domain::access::Scope::County);
        if county_wide {
            notes.push((
                "计算人数".into(),
                format!(
                    "学籍 {} 人，资助 {} 人次，合计 {} 元",
                    run.students,
                    run.entitlements,
                    zizhu_domain::Fen(run.total_fen)
                ),
            ));
        } else {
            let (lines, fen) = totals.iter().fold((0i64, 0i64), |(n, f), t| {
                (n + t.headcount, f + t.amount_fen)
            });
            notes.push((
                "本范围".into(),
                format!(
                    "{}：资助 {lines} 人次，合计 {} 元",
                    audience.map(|a| a.access.scope_zh()).unwrap_or_default(),
                    zizhu_domain::Fen(fen)
                ),
            ));
        }
    }
    if let Ok(tp) = policy.compile(term) {
        notes.push((
            "基准日".into(),
            format!("{}（{}）", tp.reference_date, tp.payable_reference),
        ));
    }
    notes.push((
        "金额".into(),
        "每生每年的标准按春季、秋季两个学期各发一半；一次性项目在规定学期全额发放。".into(),
    ));
    if public {
        notes.push((
            "公示说明".into(),
            "身份证件号已脱敏；不含家庭困难类别、地址和账户信息。".into(),
        ));
    } else {
        notes.push(("追溯".into(), "每行的“认定依据”列出名单、导入批次和行号；“计算依据”列出基准日成立的条件；“金额构成”列出标准和计算方法。条款原文见 docs/2023-policy-text.md，裁定见 docs/rulings.md。".into()));
    }
    let mut w = RosterWriter::new(&title, &programs, &totals, &notes, public)
        .map_err(|e| AppError::Other(e.to_string()))?;
    let mut report = RosterReport::default();
    let mut after = 0i64;
    loop {
        let page = match audience {
            // The whole county reads the roster as it is stored (the province-scale path).
            None => db.entitlements(term, after, PAGE).await?,
            Some(_) => db.roster_page(scope, term, None, after, PAGE).await?,
        };
        let Some(last) = page.last() else { break };
        after = last.key;
        for e in &page {
            let masked = IdNumber::from_stored(&e.id_number)
                .map(|i| i.masked())
                .unwrap_or_else(|_| "******".into());
            let (basis, conditions, amount_detail) = if public {
                Default::default()
            } else if full_ids {
                trace_columns(&e.facts, &files)
            } else {
                // A 残疾人证 number is the ID plus two digits: masked like the ID column.
                let (b, c, a) = trace_columns(&e.facts, &files);
                (
                    zizhu_domain::ids::mask_long_digits(&b),
                    zizhu_domain::ids::mask_long_digits(&c),
                    zizhu_domain::ids::mask_long_digits(&a),
                )
            };
            let line = RosterLine {
                township: e.township.clone(),
                school_code: e.school_code.clone(),
                school_name: e.school_name.clone(),
                name: e.name.clone(),
                id_number: if public {
                    String::new()
                } else if full_ids {
                    e.id_number.clone()
                } else {
                    masked.clone()
                },
                masked_id: masked,
                student_no: if full_ids {
                    e.student_no.clone()
                } else {
                    zizhu_domain::ids::mask_student_no(&e.student_no)
                },
                program: e.program.clone(),
                amount_fen: e.amount_fen,
                payee: zizhu_policy::file::Payee::from_key(&e.payee)
                    .map(|p| p.zh().to_string())
                    .unwrap_or_default(),
                basis,
                conditions,
                amount_detail,
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
            "{}尚未计算，请先计算（网页“计算”页，或 zizhu compute --term {term}）",
            term.label_zh()
        )]);
    };
    let mut out = Vec::new();
    let mut newer: Vec<String> = db
        .imports()
        .await?
        .into_iter()
        // The population list and the schools' returns are for dropout control only, payee
        // accounts for payment: none changes the roster.
        .filter(|b| b.imported_at > run.started_at)
        .filter(|b| {
            !matches!(
                b.kind,
                zizhu_domain::ListKind::Residents
                    | zizhu_domain::ListKind::Attendance
                    | zizhu_domain::ListKind::PayeeAccounts
                    | zizhu_domain::ListKind::AdmissionLines
                    | zizhu_domain::ListKind::AdmissionApplicants
                    | zizhu_domain::ListKind::ZeroFeeIssues
                    | zizhu_domain::ListKind::Teachers
                    | zizhu_domain::ListKind::TeacherExchanges
            )
        })
        .map(|b| format!("{}《{}》", b.kind.zh(), b.file_name))
        .collect();
    // A file imported twice is named once.
    let mut seen = std::collections::HashSet::new();
    newer.retain(|n| seen.insert(n.clone()));
    if !newer.is_empty() {
        out.push(format!(
            "计算（北京时间 {}）之后又导入了 {}，资助名单可能已过期，请重新计算（网页“计算”页，或 zizhu compute --term {term}）",
            zizhu_domain::dates::beijing_time(run.finished_at),
            newer.join("、")
        ));
    }
    if run.policy_sha256 != policy_sha256 {
        out.push(format!(
            "计算时使用的政策文件（版本 {}）与当前政策文件不同，请重新计算（网页“计算”页，或 zizhu compute --term {term}）",
            run.policy_version
        ));
    }
    Ok(out)
}
