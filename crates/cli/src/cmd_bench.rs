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
            origin: None,
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
    dropout_scan(&db, ctx, &p.policy, term, dir).await?;
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

/// Dropout control at scale: a population list of every registry student plus one in a
/// thousand children in no registry, and attendance returns of every enrolled student but one
/// in a thousand; both imported, then the scan (控辍保学比对) timed.
async fn dropout_scan(
    db: &zizhu_store::Db,
    ctx: &Ctx,
    policy: &zizhu_policy::Policy,
    term: Term,
    dir: &Path,
) -> anyhow::Result<()> {
    use std::io::Write as _;
    let rules = policy.dropout_rules()?;
    let files = dir.join("files");
    let t = Instant::now();
    let res_path = files.join("residents.csv");
    let att_path = files.join(format!("attendance-{term}.csv"));
    let mut res = std::io::BufWriter::new(std::fs::File::create(&res_path)?);
    let mut att = std::io::BufWriter::new(std::fs::File::create(&att_path)?);
    writeln!(res, "姓名,身份证号,乡镇,村,户号,是否留守儿童")?;
    writeln!(att, "学校标识码,姓名,身份证件号")?;
    let mut seen = std::collections::HashSet::new();
    let (mut after, mut n) = (0i64, 0u64);
    loop {
        let page = db.student_page(term, after, 50_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for s in &page {
            let r = &s.record;
            if !seen.insert(r.id.as_str().to_string()) {
                continue;
            }
            n += 1;
            let left = if n % 7 == 0 { "是" } else { "否" };
            writeln!(
                res,
                "{},{},演示镇,演示村,H{n},{left}",
                r.name,
                r.id.as_str()
            )?;
            if r.status == zizhu_domain::Status::Enrolled && n % 1000 != 0 {
                writeln!(att, "{},{},{}", r.school_code, r.name, r.id.as_str())?;
            }
        }
    }
    // Children in no registry: born 2012, county 360731, sequence numbers not taken.
    let extra = n / 1000;
    let (mut made, mut seq) = (0u64, 0u64);
    while made < extra && seq < 365 * 1000 {
        let day = chrono::NaiveDate::from_ymd_opt(2012, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(seq % 365)))
            .unwrap_or_default();
        let first17 = format!("360731{}{:03}", day.format("%Y%m%d"), 500 + seq / 365);
        seq += 1;
        let Some(c) = zizhu_domain::ids::check_char(&first17) else {
            continue;
        };
        let id = format!("{first17}{c}");
        if seen.insert(id.clone()) {
            made += 1;
            writeln!(res, "比对演童,{id},演示镇,演示村,X{made},否")?;
        }
    }
    res.flush()?;
    att.flush()?;
    drop((res, att));
    report("生成户籍与在校名单", n + made, t.elapsed().as_secs_f64());
    for (kind, path, t_) in [
        (zizhu_domain::ListKind::Residents, res_path, None),
        (zizhu_domain::ListKind::Attendance, att_path, Some(term)),
    ] {
        let req = ImportRequest {
            origin: None,
            kind,
            file: path,
            term: t_,
            dry_run: false,
            actor: ctx.actor.clone(),
            report_dir: dir.to_path_buf(),
        };
        let t = Instant::now();
        let o = import_one(db, ctx, &req).await?;
        if !o.accepted() {
            anyhow::bail!("基准数据导入失败：{}", o.file_name);
        }
        report(
            &format!("导入 {}", kind.zh()),
            o.rows as u64,
            t.elapsed().as_secs_f64(),
        );
    }
    let actor = zizhu_store::Actor {
        name: ctx.actor.clone(),
        level: zizhu_domain::dropout::UserLevel::County,
        origin: None,
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(2023, 10, 15).unwrap_or_default();
    let t = Instant::now();
    let o = zizhu_app::dropout::scan(db, &rules, as_of, term, &actor).await?;
    report(
        "控辍保学比对（户籍×学籍×在校）",
        n + made,
        t.elapsed().as_secs_f64(),
    );
    println!(
        "（适龄 {} 人，疑似 {} 人，新立案 {} 件）",
        o.summary.population, o.summary.suspects, o.summary.opened
    );
    Ok(())
}
