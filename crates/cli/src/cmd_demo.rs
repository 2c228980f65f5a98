//! `zizhu demo`: README's first command. Generates the sample county (于都县, synthetic people),
//! imports every list — showing a faulty file rejected with its error report, then its corrected
//! version — computes both 2023 terms, writes the reports and prints the summary.

use crate::cmd_data::{compute_with, print_compute, print_import};
use crate::demo::{generate, DemoSpec};
use crate::ui::{self, Ctx};
use anyhow::Context;
use std::path::Path;
use std::time::Instant;
use zizhu_app::import::{import_file, ImportRequest};
use zizhu_app::reports;
use zizhu_domain::{Season, Term};

pub async fn run(ctx: &Ctx, dir: &Path, students: usize, seed: u64) -> anyhow::Result<u8> {
    let started = Instant::now();
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    let files_dir = dir.join("files");
    let reports_dir = dir.join("reports");
    std::fs::create_dir_all(&files_dir)?;
    std::fs::create_dir_all(&reports_dir)?;
    let url = match &ctx.database {
        Some(u) => u.clone(),
        // A fresh database each run, so the demo is the same every time.
        None => ui::fresh_sqlite(&dir.join("zizhu.db"))?,
    };
    println!("== 1. 生成演示县样例数据（人员均为虚构）");
    let manifest = generate(&files_dir, &DemoSpec { students, seed })?;
    println!(
        "{}（{}）：{} 所学校；{}；文件在 {}",
        manifest.county_name,
        manifest.county_code,
        manifest.schools,
        manifest
            .students_per_term
            .iter()
            .map(|(t, n)| format!("{} {} 人", t.label_zh(), n))
            .collect::<Vec<_>>()
            .join("，"),
        files_dir.display()
    );
    let db = ui::open_db(&url).await?;
    let p = ctx.policy()?;
    println!("\n== 2. 导入各部门名单（每个文件要么全部导入，要么一行不改）");
    for f in &manifest.files {
        println!("\n-- {}：{}", f.kind.zh(), f.note);
        let req = ImportRequest {
            kind: f.kind,
            file: f.path.clone(),
            term: f.term,
            dry_run: false,
            actor: ctx.actor.clone(),
            report_dir: reports_dir.clone(),
        };
        let pb = ui::counter(&format!("读取{}名单", f.kind.zh()));
        let progress = |n: u64| pb.set_position(n);
        let o = import_file(&db, &req, &progress).await;
        pb.finish_and_clear();
        let o = o?;
        let code = print_import(&o, false);
        if (code != 0) != f.expect_rejected {
            anyhow::bail!("演示数据 {} 的导入结果与预期不符", f.path.display());
        }
    }
    println!(
        "\n== 3. 按政策计算（{}，版本 {}）",
        p.label, p.policy.file.policy.version
    );
    let terms = [
        Term::new(2023, Season::Spring),
        Term::new(2023, Season::Autumn),
    ];
    let mut sample = None;
    for term in terms {
        let s = compute_with(&db, ctx, &p, term).await?;
        print_compute(&s, &url);
        let roster = reports_dir.join(format!("{term}-资助名单.xlsx"));
        let public = reports_dir.join(format!("{term}-资助名单公示.xlsx"));
        let quality = reports_dir.join(format!("{term}-数据质量报告.xlsx"));
        reports::roster(&db, &p.policy, term, false, &roster).await?;
        reports::roster(&db, &p.policy, term, true, &public).await?;
        reports::quality_report(&db, &manifest.county_name, term, &quality).await?;
        if sample.is_none() {
            // Someone whose aid has a supplement makes the best example.
            let page = db.entitlements(term, 0, 20_000).await?;
            sample = page
                .iter()
                .find(|e| e.program == "boarding_living_subsidy" && e.amount_fen > 62_500)
                .or_else(|| page.iter().find(|e| e.program == "boarding_living_subsidy"))
                .or_else(|| page.first())
                .map(|e| (e.id_number.clone(), term));
        }
    }
    println!("\n== 4. 报表（{}）", reports_dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&reports_dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in names {
        println!("  {n}");
    }
    let db_hint = if ctx.database.is_some() {
        String::new()
    } else {
        format!(" --database sqlite:{}", dir.join("zizhu.db").display())
    };
    if let Some((id, term)) = sample {
        // Name the binary as the user can run it from here (it is not on PATH after `cargo run`).
        let exe = std::env::current_exe().ok();
        let cwd = std::env::current_dir().ok();
        let bin = match (exe, cwd) {
            (Some(e), Some(c)) => e
                .strip_prefix(&c)
                .map(|r| r.display().to_string())
                .unwrap_or_else(|_| "zizhu".into()),
            _ => "zizhu".into(),
        };
        println!(
            "\n查看某个学生每一笔钱的依据，例如：\n  {bin} explain {id} --term {term}{db_hint}"
        );
    }
    println!(
        "\n演示完成，用时 {:.1} 秒。数据库：{url}",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}
