//! The demo's teacher exchange (三(三)): the demo county's teachers and a school year of exchange
//! assignments, imported like any list, and the 2023 school year summed up as of 2024-06-15.

use std::path::Path;
use zizhu_domain::ListKind;
use zizhu_policy::Policy;
use zizhu_store::Db;

/// The day the demo's exchange is looked at.
pub const AS_OF: (i32, u32, u32) = (2024, 6, 15);

pub async fn exchange(
    db: &Db,
    policy: &Policy,
    actor: &str,
    files_dir: &Path,
    reports_dir: &Path,
) -> anyhow::Result<()> {
    let Some(section) = policy.file.teacher_exchange.as_ref() else {
        println!("  政策文件没有 [teacher_exchange] 节，跳过");
        return Ok(());
    };
    let rules = section.rules().map_err(|e| anyhow::anyhow!(e))?;
    let schools = db.schools().await?;
    let files = crate::demo::teachers::teacher_files(&schools, 2023)?;
    let teachers_file = files_dir.join("教师名单.csv");
    let exchanges_file = files_dir.join("交流轮岗.csv");
    std::fs::write(&teachers_file, &files.teachers)?;
    std::fs::write(&exchanges_file, &files.exchanges)?;
    for (kind, file) in [
        (ListKind::Teachers, teachers_file),
        (ListKind::TeacherExchanges, exchanges_file),
    ] {
        crate::cmd_demo::import_list(db, kind, &file, actor, reports_dir).await?;
    }
    let (y, m, d) = AS_OF;
    let as_of = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let r = zizhu_app::exchange::evaluate(db, &rules, 2023, as_of).await?;
    let title = format!(
        "{}2023学年城区教师到农村学校交流轮岗",
        policy.file.policy.county_name
    );
    zizhu_app::exchange_report::write_report(&reports_dir.join("2023-交流轮岗.xlsx"), &title, &r)?;
    println!("  交流记录 {} 条（教师为虚构）", files.assignments);
    println!("  {}", crate::cmd_exchange::summary(&r));
    Ok(())
}
