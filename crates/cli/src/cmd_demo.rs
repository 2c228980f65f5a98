//! `zizhu demo`: README's first command. Generates the sample county (于都县, synthetic people),
//! imports every list — showing a faulty file rejected with its error report, then its corrected
//! version — computes both 2023 terms, runs the dropout scan (控辍保学) of the autumn term, writes
//! the reports and prints the summary.

use crate::cmd_data::{compute_with, print_compute, print_import};
use crate::cmd_dropout;
use crate::demo::{generate, DemoManifest, DemoSpec};
use crate::ui::{self, Ctx};
use anyhow::Context;
use chrono::NaiveDate;
use std::path::Path;
use std::time::Instant;
use zizhu_app::dropout::ScanOutcome;
use zizhu_app::import::{import_file, ImportRequest};
use zizhu_app::reports;
use zizhu_domain::dropout::{AttentionGroup, DropoutRules, UserLevel};
use zizhu_domain::{Season, Term};
use zizhu_store::{Actor, CaseFilter, Db};

/// The day of the demo's dropout scan, in the autumn 2023 term (after the 1 October reference
/// date and the schools' returns).
const SCAN_DAY: (i32, u32, u32) = (2023, 10, 15);

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
    let rules = p.policy.dropout_rules()?;
    println!("\n== 2. 导入各部门名单（每个文件要么全部导入，要么一行不改）");
    import_all(&db, &manifest, &ctx.actor, &reports_dir).await?;
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
    let autumn = Term::new(2023, Season::Autumn);
    println!(
        "\n== 3b. 资金发放（{}）：收款账户、审批锁定、批次、银行代发与回盘、覆盖核查",
        autumn.label_zh()
    );
    crate::cmd_demo_pay::pay_term(&db, &p.policy, autumn, &ctx.actor, &files_dir, &reports_dir)
        .await?;
    println!("\n== 3c. 师范“三定向”录取（三(二)）：降分后的录取分数线与达线考生");
    crate::cmd_demo_admission::admission(&db, &p.policy, &ctx.actor, &files_dir, &reports_dir)
        .await?;
    println!("\n== 4. 控辍保学：户籍适龄人口、学籍和各校在校学生名单比对（一生一案）");
    dropout(&db, &rules, &ctx.actor, &reports_dir).await?;
    println!("\n== 4b. 脱贫成果回查监测（四(二)）：建档立卡家庭的适龄子女在校、资助到位");
    let who = zizhu_store::PayActor {
        name: &ctx.actor,
        origin: None,
    };
    let r = zizhu_app::recheck::recheck(&db, &p.policy, autumn, who).await?;
    zizhu_app::recheck::write_gaps(
        &reports_dir.join(format!("{autumn}-回查监测问题清单.xlsx")),
        &format!(
            "{}{}脱贫成果回查监测：问题清单",
            manifest.county_name,
            autumn.label_zh()
        ),
        &r.gaps,
    )?;
    let mut by_kind: std::collections::BTreeMap<&str, usize> = Default::default();
    for g in &r.gaps {
        *by_kind.entry(g.gap.kind.zh()).or_default() += 1;
    }
    println!(
        "  建档立卡（含已脱贫）家庭 {} 户的义务教育适龄子女 {} 人；有问题的 {} 户：{}",
        r.households,
        r.children,
        r.households_with_gaps,
        by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n} 个"))
            .collect::<Vec<_>>()
            .join("，")
    );
    println!(
        "\n== 4c. 零收费（三(一)）：建档立卡义务教育学生免费教辅、校服、意外伤害保险的发放覆盖"
    );
    crate::cmd_demo_zero_fee::zero_fee(&db, &p.policy, &ctx.actor, &files_dir, &reports_dir)
        .await?;
    println!("\n== 4d. 城区教师到农村学校交流轮岗（三(三)）：2023学年，截至 2024-06-15");
    crate::cmd_demo_exchange::exchange(&db, &p.policy, &ctx.actor, &files_dir, &reports_dir)
        .await?;
    println!("\n== 4e. 群众反映问题（四(三)）：受理、交办、办结、超期");
    crate::cmd_demo_complaints::complaints(&db, &p.policy, &ctx.actor).await?;
    println!(
        "\n== 4f. 学校工作考评（二(二) 纳入对学校工作考评）：{}",
        autumn.label_zh()
    );
    if let Some((school, followed, back)) =
        crate::cmd_demo_follow::follow_cases(&db, &rules, &ctx.actor).await?
    {
        println!(
            "  学校 {school} 核查并确认辍学 {followed} 人，劝返复学 {back} 人（其余仍在劝返中）"
        );
    }
    let on = zizhu_app::evaluation::default_as_of(autumn, crate::cmd_dropout::today());
    let (r, _) = crate::cmd_evaluate::write(
        &db,
        &p.policy,
        &ctx.actor,
        autumn,
        on,
        &reports_dir.join(format!("{autumn}-学校工作考评.xlsx")),
    )
    .await?;
    crate::cmd_evaluate::print_summary(&r);
    println!(
        "  （演示的名单确认时间是今天，晚于 2023 年的确认截止日，所以“名单按时确认”都未达标）"
    );
    println!("\n== 5. 报表（{}）", reports_dir.display());
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
    // Name the binary as the user can run it from here (it is not on PATH after `cargo run`).
    let bin = match (std::env::current_exe().ok(), std::env::current_dir().ok()) {
        (Some(e), Some(c)) => e
            .strip_prefix(&c)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| "zizhu".into()),
        _ => "zizhu".into(),
    };
    if let Some((id, term)) = &sample {
        println!(
            "\n查看某个学生每一笔钱的依据，例如：\n  {bin} explain {id} --term {term}{db_hint}"
        );
    }
    println!("\n== 6. 网页（演示账号，密码随机生成，只显示这一次）");
    let school = match &sample {
        Some((id, term)) => db.schools_of(*term, id).await?.into_iter().next(),
        None => None,
    };
    for (user, name, access) in demo_accounts(school.as_ref())? {
        let pw = zizhu_app::accounts::generate_password()?;
        zizhu_app::accounts::add_user(&db, user, name, &access, &pw, &ctx.actor).await?;
        println!(
            "  {user:<14} 密码 {pw}  {}（{}）",
            access.role.zh(),
            match (&access.scope, &school) {
                (zizhu_domain::access::Scope::School(_), Some(s)) => s.name.clone(),
                _ => access.scope_zh(),
            }
        );
    }
    println!(
        "启动网页服务：\n  {bin} serve{db_hint}\n然后用浏览器打开 http://127.0.0.1:8080/ ，用上面的账号登录。"
    );
    println!(
        "\n演示完成，用时 {:.1} 秒。数据库：{url}",
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// The demo's web accounts: the county, the township and the school of the sample student,
/// and an auditor (without a sample school, the county and the auditor only).
fn demo_accounts(
    school: Option<&zizhu_domain::School>,
) -> anyhow::Result<Vec<(&'static str, &'static str, zizhu_domain::access::Access)>> {
    use zizhu_domain::access::{Access, Role};
    let mut out = vec![(
        "demo.county",
        "县资助中心（演示）",
        Access::new(Role::CountyAdmin, None, None)?,
    )];
    if let Some(s) = school {
        out.push((
            "demo.township",
            "乡镇专干（演示）",
            Access::new(Role::TownshipOfficer, Some(&s.township), None)?,
        ));
        out.push((
            "demo.school",
            "学校资助专干（演示）",
            Access::new(Role::SchoolOfficer, None, Some(&s.code))?,
        ));
    }
    out.push((
        "demo.auditor",
        "纪检监督（演示）",
        Access::new(Role::Auditor, None, None)?,
    ));
    out.push((
        "demo.finance",
        "资助中心会计（演示）",
        Access::new(Role::FinanceOfficer, None, None)?,
    ));
    Ok(out)
}

/// Imports the demo's files in order; errors when one is not accepted or rejected as planned.
pub(crate) async fn import_all(
    db: &Db,
    manifest: &DemoManifest,
    actor: &str,
    reports_dir: &Path,
) -> anyhow::Result<()> {
    for f in &manifest.files {
        println!("\n-- {}：{}", f.kind.zh(), f.note);
        let req = ImportRequest {
            origin: None,
            kind: f.kind,
            file: f.path.clone(),
            term: f.term,
            dry_run: false,
            actor: actor.to_string(),
            report_dir: reports_dir.to_path_buf(),
        };
        let pb = ui::counter(&format!("读取{}名单", f.kind.zh()));
        let progress = |n: u64| pb.set_position(n);
        let o = import_file(db, &req, &progress).await;
        pb.finish_and_clear();
        let o = o?;
        let code = print_import(&o, false);
        if (code != 0) != f.expect_rejected {
            anyhow::bail!("演示数据 {} 的导入结果与预期不符", f.path.display());
        }
    }
    Ok(())
}

/// The dropout scan of the autumn 2023 registry on [`SCAN_DAY`], as the county runs it: a case
/// per suspect, the summary on screen, the statistics by township and school and the county's
/// ledger (ID numbers masked) as XLSX in `reports_dir`.
pub(crate) async fn dropout(
    db: &Db,
    rules: &DropoutRules,
    actor: &str,
    reports_dir: &Path,
) -> anyhow::Result<ScanOutcome> {
    let (y, m, d) = SCAN_DAY;
    let on = NaiveDate::from_ymd_opt(y, m, d).context("扫描日期无效")?;
    let term = Term::new(2023, Season::Autumn);
    let who = Actor {
        name: actor.to_string(),
        level: UserLevel::County,
        origin: None,
    };
    let o = zizhu_app::dropout::scan(db, rules, on, term, &who).await?;
    cmd_dropout::print_scan(&o, on, &db.schools().await?);
    let cases = db.cases(&CaseFilter::default()).await?;
    let groups: Vec<String> = AttentionGroup::ALL
        .iter()
        .map(|&g| {
            (
                g,
                cases.iter().filter(|c| c.child.groups.contains(&g)).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .map(|(g, n)| format!("{} {n}", g.zh()))
        .collect();
    if !groups.is_empty() {
        println!("  重点关注群体（人）：{}", groups.join("，"));
    }
    cmd_dropout::print_ledger_counts(db).await?;
    let report = reports_dir.join(cmd_dropout::report_file(on));
    let (r, _) = cmd_dropout::write_report(db, rules, on, &report).await?;
    let all = CaseFilter::default();
    let ledger = reports_dir.join(cmd_dropout::ledger_file(&all, on));
    let n = cmd_dropout::write_ledger(db, actor, rules, &all, on, &ledger, false).await?;
    println!(
        "  统计表（按乡镇、学校）：{}，全县立案 {} 件，待核查 {} 件",
        file_name(&report),
        r.county.found,
        r.county.verifying
    );
    println!(
        "  一生一案台账：{}，{n} 件（身份证件号已遮盖）",
        file_name(&ledger)
    );
    Ok(o)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Imports one of the demo's term-less lists (payee accounts, admission, zero fees, teachers) as
/// the county would; a file the demo made that does not pass is a bug, reported with its first
/// bad row. Returns the import's outcome.
pub(crate) async fn import_list(
    db: &Db,
    kind: zizhu_domain::ListKind,
    file: &Path,
    actor: &str,
    reports_dir: &Path,
) -> anyhow::Result<zizhu_app::import::ImportOutcome> {
    let req = zizhu_app::import::ImportRequest {
        origin: None,
        kind,
        file: file.to_path_buf(),
        term: None,
        dry_run: false,
        actor: actor.to_string(),
        report_dir: reports_dir.to_path_buf(),
    };
    let o = zizhu_app::import::import_file(db, &req, &|_| {}).await?;
    anyhow::ensure!(
        o.accepted(),
        "演示数据的{}未能导入：{:?}",
        kind.zh(),
        o.errors.first()
    );
    Ok(o)
}
