//! `zizhu bench --students N`: generates N students (plain CSVs), then measures import, compute
//! (matching + policy + storing), the roster report, and the in-memory policy engine alone.
//! Prints one line per step with rows per second and the step's own peak memory.

use crate::cmd_data::import_one;
use crate::demo::generate_bench;
use crate::ui::{self, Ctx};
use std::path::Path;
use std::time::Instant;
use zizhu_app::import::ImportRequest;
use zizhu_app::reports;
use zizhu_domain::{Season, Term};
use zizhu_policy::{Facts, Subject};

/// Peak resident memory of this process in MiB (Linux `VmHWM`), if known.
pub fn peak_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts a new peak for the next step: Linux resets `VmHWM` to the current resident size when
/// `5` is written to `/proc/self/clear_refs` (proc(5)). Elsewhere the peak stays cumulative.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Prints a step's line, then starts the next step's peak.
fn report(step: &str, n: u64, secs: f64) {
    let rate = if secs > 0.0 { n as f64 / secs } else { 0.0 };
    println!(
        "{step:<28} {n:>10} 行 {secs:>8.2} 秒 {rate:>12.0} 行/秒  峰值内存 {:.0} MiB",
        peak_mib().unwrap_or(0.0)
    );
    reset_peak();
}

pub async fn run(ctx: &Ctx, students: usize, dir: &Path) -> anyhow::Result<u8> {
    std::fs::create_dir_all(dir)?;
    let term = Term::new(2023, Season::Autumn);
    let url = match &ctx.database {
        Some(u) => u.clone(),
        None => ui::fresh_sqlite(&dir.join("bench.db"))?,
    };
    println!("zizhu bench：{students} 名学生，数据库 {url}（峰值内存为每一步自己的峰值）");
    reset_peak();
    let t = Instant::now();
    let manifest = generate_bench(&dir.join("files"), students, 7)?;
    report("生成数据", students as u64, t.elapsed().as_secs_f64());
    let db = ui::open_db(&url).await?;
    for f in &manifest.files {
        let req = ImportRequest {
            kind: f.kind,
            file: f.path.clone(),
            term: f.term,
            dry_run: false,
            actor: ctx.actor.clone(),
            report_dir: dir.to_path_buf(),
        };
        let t = Instant::now();
        let o = import_one(&db, ctx, &req).await?;
        if !o.accepted() {
            anyhow::bail!("基准数据导入失败：{}", o.file_name);
        }
        report(
            &format!("导入 {}", f.kind.zh()),
            o.rows as u64,
            t.elapsed().as_secs_f64(),
        );
    }
    let p = ctx.policy()?;
    let t = Instant::now();
    let s = crate::cmd_data::compute_with(&db, ctx, &p, term).await?;
    report(
        "计算（匹配+政策+保存）",
        s.students as u64,
        t.elapsed().as_secs_f64(),
    );
    let t = Instant::now();
    let r = reports::roster(&db, &p.policy, term, false, &dir.join("roster.xlsx")).await?;
    report("资助名单报表", r.lines as u64, t.elapsed().as_secs_f64());
    let tp = p.policy.compile(term)?;
    explain_latency(&db, &p.policy, &tp, term).await?;
    // The engine alone, in memory: every combination of facts a student can have, cycled.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let samples: Vec<Facts> = (0..4096)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            Facts(seed)
        })
        .collect();
    let n = 50_000_000u64.min((students as u64).max(1) * 100);
    let mut out = Vec::with_capacity(16);
    let mut granted = 0u64;
    let t = Instant::now();
    for i in 0..n {
        out.clear();
        let f = samples[(i as usize) & 4095];
        tp.evaluate(Subject::Student, f, 0, &mut out);
        granted += out.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    report("政策引擎（内存，单线程）", n, secs);
    println!("（引擎共给出 {granted} 项资助，防止被优化掉）");
    Ok(0)
}

/// The per-person path: `explain` for up to 1,000 students spread over the registry, in one
/// process with the policy compiled once (as a web server answers one person after another).
/// Prints the mean and the 99th percentile per person.
async fn explain_latency(
    db: &zizhu_store::Db,
    policy: &zizhu_policy::Policy,
    tp: &zizhu_policy::TermPolicy,
    term: Term,
) -> anyhow::Result<()> {
    let step = usize::try_from(db.student_count(term).await? / 1000)?.max(1);
    let (mut ids, mut after, mut seen) = (Vec::with_capacity(1000), 0i64, 0usize);
    while ids.len() < 1000 {
        let page = db.student_page(term, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for s in &page {
            if seen % step == 0 && ids.len() < 1000 {
                ids.push(s.record.id.as_str().to_string());
            }
            seen += 1;
        }
    }
    let mut times = Vec::with_capacity(ids.len());
    let mut chars = 0usize;
    let t = Instant::now();
    for id in &ids {
        let one = Instant::now();
        chars += zizhu_app::explain::explain_compiled(db, policy, tp, id, false)
            .await?
            .len();
        times.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    report(
        "逐人计算说明（explain）",
        ids.len() as u64,
        t.elapsed().as_secs_f64(),
    );
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let p99 = times
        .get((times.len() * 99 / 100).min(times.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0);
    println!("（每人平均 {mean:.3} 毫秒，99% 在 {p99:.3} 毫秒内；共输出 {chars} 字节）");
    Ok(())
}
