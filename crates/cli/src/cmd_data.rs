//! The everyday commands: import, imports, compute, report, explain.

use crate::ui::{self, Ctx};
use std::path::{Path, PathBuf};
use std::time::Instant;
use zizhu_app::import::{import_file, ImportOutcome, ImportRequest};
use zizhu_app::{compute_term, explain as explain_uc, reports, ComputeSummary};
use zizhu_domain::{ListKind, Term};
use zizhu_store::Db;

/// Prints an import outcome; returns the exit code (1 when rows were rejected).
pub fn print_import(o: &ImportOutcome, dry_run: bool) -> u8 {
    println!("文件：{}（{}）", o.file_name, o.source);
    if let Some(prev) = o.same_as {
        println!("提示：与第{prev}批导入的文件内容完全相同（SHA-256 一致）。");
    }
    for w in o.warnings.iter().take(10) {
        println!(
            "  提示 第{}行 {}「{}」：{}",
            w.row,
            printable(&w.column),
            printable(&w.value),
            w.reason
        );
    }
    if o.warning_count() > 10 {
        println!("  ……共 {} 条提示", o.warning_count());
    }
    if !o.errors.is_empty() {
        println!(
            "未导入：{} 行中有 {} 处错误，数据库没有任何改动。",
            o.rows,
            o.error_count()
        );
        for e in o.errors.iter().take(20) {
            println!(
                "  错误 第{}行 {}「{}」：{}",
                e.row,
                printable(&e.column),
                printable(&e.value),
                e.reason
            );
        }
        if o.error_count() > 20 {
            println!("  ……共 {} 处错误，详见错误报告", o.error_count());
        }
        if let Some((x, c)) = &o.report {
            println!("错误报告：{} 和 {}", x.display(), c.display());
        }
        return 1;
    }
    for note in o.year_notes(!dry_run) {
        println!("注意：{}{note}。", o.kind.zh());
    }
    if let Some(prev) = o.previous_rows {
        let now = o.rows as i64;
        if prev > 0 && (now * 3 < prev || now > prev * 3) {
            println!(
                "注意：这份{}名单有 {now} 行，它{}的上一版有 {prev} 行，相差很大。请确认文件和名单类型无误{}。",
                o.kind.zh(),
                if dry_run { "将替换" } else { "替换" },
                if dry_run { "" } else { "（如有误，重新导入正确的文件即可恢复）" }
            );
        }
    }
    if dry_run {
        println!(
            "校验通过：{} 行{}，{} 条提示（--dry-run，未写入）。",
            o.rows,
            list_name(o.kind),
            o.warning_count()
        );
    } else {
        let replaced = match o.kind {
            ListKind::Students => "替换该学期学籍的旧版本",
            ListKind::CollegeAdmissions
            | ListKind::AdmissionLines
            | ListKind::AdmissionApplicants => "替换文件所含年份的旧版本",
            ListKind::Attendance => "替换文件所列学校本学期的旧版本，其他学校的保留",
            ListKind::PayeeAccounts => "替换文件所列学生的收款账户，其他学生的保留",
            ListKind::ZeroFeeIssues => "替换文件所列学校、学年的旧版本，其他的保留",
            ListKind::Teachers | ListKind::TeacherExchanges => {
                "替换整个名单的旧版本（全县各校、各学年）"
            }
            _ => "替换该名单的旧版本",
        };
        println!(
            "已导入：{} 行{}（第{}批，{replaced}），{} 条提示。",
            o.rows,
            list_name(o.kind),
            o.import_id.unwrap_or_default(),
            o.warning_count()
        );
    }
    0
}

pub async fn import_one(db: &Db, ctx: &Ctx, req: &ImportRequest) -> anyhow::Result<ImportOutcome> {
    let pb = ui::counter(&format!("读取{}名单", req.kind.zh()));
    let progress = |n: u64| pb.set_position(n);
    let r = import_file(db, req, &progress).await;
    pb.finish_and_clear();
    let _ = ctx;
    Ok(r?)
}

pub async fn import(
    ctx: &Ctx,
    kind: ListKind,
    file: &Path,
    term: Option<Term>,
    dry_run: bool,
    report_dir: &Path,
) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    if term.is_some() && !kind.per_term() {
        eprintln!(
            "注意：--term 只用于学籍和在校学生名单；{}名单不分学期，已忽略。",
            kind.zh()
        );
    }
    let term = if kind.per_term() { term } else { None };
    let req = ImportRequest {
        origin: None,
        kind,
        file: file.to_path_buf(),
        term,
        dry_run,
        actor: ctx.actor.clone(),
        report_dir: report_dir.to_path_buf(),
    };
    let started = Instant::now();
    let o = import_one(&db, ctx, &req).await?;
    let code = print_import(&o, dry_run);
    println!("用时 {:.1} 秒。", started.elapsed().as_secs_f64());
    Ok(code)
}

pub async fn imports(ctx: &Ctx) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let list = db.imports().await?;
    // One field per line block keeps Chinese columns readable (their display width varies).
    for b in &list {
        println!(
            "第{}批  {}  {}{}行，{}条提示  {}（北京时间）  SHA-256 {}…  《{}》",
            b.id,
            b.kind.zh(),
            b.term
                .map(|t| format!("{}  ", t.label_zh()))
                .unwrap_or_default(),
            b.rows,
            b.warnings,
            zizhu_domain::dates::beijing_time(b.imported_at),
            b.sha256.get(..16).unwrap_or(&b.sha256),
            b.file_name
        );
    }
    println!(
        "共 {} 次导入（被拒绝的导入不改变数据，记录在审计日志中）。",
        list.len()
    );
    Ok(0)
}

pub fn print_compute(s: &ComputeSummary, database_url: &str) {
    let term = s.term.map(|t| t.label_zh()).unwrap_or_default();
    println!(
        "{term}：计算学生 {} 人，高考录取 {} 人，资助 {} 人次，合计 {} 元（计算批次 {}）。",
        s.students,
        s.admissions,
        s.entitlements,
        ui::yuan(s.total.0),
        s.run_id
    );
    for (id, name, n, fen) in &s.by_program {
        if *n > 0 {
            println!(
                "  {:<28} {:>8} 人 {:>16} 元   [{}]",
                name,
                n,
                ui::yuan(fen.0),
                id
            );
        }
    }
    if s.quality_issues > 0 {
        let db = if database_url == ui::DEFAULT_DATABASE {
            String::new()
        } else {
            format!(" --database {database_url}")
        };
        println!(
            "  数据质量问题 {} 条（zizhu report quality --term {}{db}）",
            s.quality_issues,
            s.term.map(|t| t.to_string()).unwrap_or_default()
        );
    }
}

pub async fn compute_with(
    db: &Db,
    ctx: &Ctx,
    p: &ui::LoadedPolicy,
    term: Term,
) -> anyhow::Result<ComputeSummary> {
    let pb = ui::bar(0, &format!("计算{}", term.label_zh()));
    let progress = |done: u64, total: u64| {
        pb.set_length(total);
        pb.set_position(done);
    };
    let r = compute_term(db, &p.policy, &p.sha256, term, &ctx.actor, &progress).await;
    pb.finish_and_clear();
    Ok(r?)
}

pub async fn compute(ctx: &Ctx, term: Term) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let started = Instant::now();
    let s = compute_with(&db, ctx, &p, term).await?;
    if s.students == 0 {
        eprintln!(
            "注意：{}的学籍为空，请先导入：zizhu import students 文件 --term {term}",
            term.label_zh()
        );
    }
    println!("政策：{}（版本 {}）", p.label, p.policy.file.policy.version);
    print_compute(&s, &ctx.database_url());
    println!("用时 {:.1} 秒。", started.elapsed().as_secs_f64());
    Ok(0)
}

fn default_out(term: Term, what: &str) -> PathBuf {
    PathBuf::from(format!("{term}-{what}.xlsx"))
}

pub async fn roster(
    ctx: &Ctx,
    term: Term,
    public: bool,
    out: Option<PathBuf>,
) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let out = out.unwrap_or_else(|| {
        default_out(
            term,
            if public {
                "资助名单公示"
            } else {
                "资助名单"
            },
        )
    });
    require_run(&db, term).await?;
    warn_stale(&db, &p, term).await?;
    let r = reports::roster(&db, &p.policy, term, public, &out).await?;
    if !public {
        db.audit(
            &ctx.actor,
            "export_roster",
            &term.to_string(),
            &format!("导出完整资助名单 {}（{} 行）", out.display(), r.lines),
        )
        .await?;
    }
    println!(
        "已写出 {}：{} 行，合计 {} 元{}。",
        out.display(),
        r.lines,
        ui::yuan(r.total_fen),
        if public {
            "（公示版：身份证件号已脱敏，不含困难类别）"
        } else {
            ""
        }
    );
    Ok(0)
}

pub async fn quality(ctx: &Ctx, term: Term, out: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let out = out.unwrap_or_else(|| default_out(term, "数据质量报告"));
    require_run(&db, term).await?;
    warn_stale(&db, &p, term).await?;
    let n = reports::quality_report(&db, &p.policy.file.policy.county_name, term, &out).await?;
    println!("已写出 {}：{} 条数据质量问题。", out.display(), n);
    Ok(0)
}

pub async fn explain(ctx: &Ctx, id: &str, term: Term, full_id: bool) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    // A term the policy does not cover is refused before any advice to compute it, which could
    // not help.
    p.policy.compile(term)?;
    let db = ctx.db().await?;
    warn_stale(&db, &p, term).await?;
    let t0 = std::time::Instant::now();
    let text = explain_uc::explain(&db, &p.policy, term, id, full_id).await?;
    tracing::info!(target: "zizhu::timing", elapsed = ?t0.elapsed(), "explain");
    if full_id {
        let masked = zizhu_domain::IdNumber::parse(id)
            .map(|(i, _)| i.masked())
            .unwrap_or_default();
        db.audit(
            &ctx.actor,
            "view_full_id",
            &masked,
            &format!("zizhu explain --full-id --term {term}"),
        )
        .await?;
    }
    print!("{text}");
    Ok(0)
}

/// Refuses a report of a term that was never computed (it would be an empty workbook).
async fn require_run(db: &Db, term: Term) -> anyhow::Result<()> {
    if db.latest_run(term).await?.is_none() {
        anyhow::bail!(
            "{}尚未计算，没有可输出的名单；请先运行 zizhu compute --term {term}（数据库是否选对？用 --database 指定）",
            term.label_zh()
        );
    }
    Ok(())
}

/// Prints why the stored roster may be out of date (never blocks: the officer decides).
async fn warn_stale(db: &Db, p: &ui::LoadedPolicy, term: Term) -> anyhow::Result<()> {
    for w in reports::staleness(db, &p.sha256, term).await? {
        eprintln!("注意：{w}");
    }
    Ok(())
}

pub use zizhu_domain::text::printable;

/// A list's name as a sentence says it: 学籍名单, but 教师名单 (not 教师名单名单).
fn list_name(kind: ListKind) -> String {
    let zh = kind.zh();
    if zh.ends_with("名单") {
        zh.to_string()
    } else {
        format!("{zh}名单")
    }
}
