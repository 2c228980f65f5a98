//! `zizhu exchange` (城区教师到农村学校交流轮岗, 三(三)): a school year's exchange per school, with
//! who is due to return and whose assignment ended, printed in sums and written as a workbook.

use crate::ui::Ctx;
use chrono::NaiveDate;
use std::path::PathBuf;
use zizhu_app::exchange::ExchangeReport;

/// `zizhu exchange [--year Y] [--as-of D] [--out FILE]`: audited as the read of a full list.
pub async fn exchange(
    ctx: &Ctx,
    year: Option<i32>,
    as_of: Option<NaiveDate>,
    out: Option<PathBuf>,
) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let section = p.policy.file.teacher_exchange.as_ref().ok_or_else(|| {
        anyhow::anyhow!("政策文件没有 [teacher_exchange] 节（三(三) 交流轮岗的参数），无法统计")
    })?;
    let rules = section.rules().map_err(|e| anyhow::anyhow!(e))?;
    let db = ctx.db().await?;
    let as_of = as_of.unwrap_or_else(crate::ui::today);
    let year = year
        .unwrap_or_else(|| zizhu_domain::exchange::school_year_of(as_of, rules.year_start_month));
    let r = zizhu_app::exchange::evaluate(&db, &rules, year, as_of).await?;
    let county = &p.policy.file.policy.county_name;
    let title = format!("{county}{year}学年城区教师到农村学校交流轮岗");
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{year}-交流轮岗.xlsx")));
    crate::export::make_parent(&out)?;
    zizhu_app::exchange_report::write_report(&out, &title, &r)?;
    db.audit(
        &ctx.actor,
        "exchange_report",
        &format!("交流轮岗 {year}学年"),
        &summary(&r),
    )
    .await?;
    print(&title, &r);
    println!("统计表：{}", out.display());
    Ok(0)
}

/// One line for the audit log and the demo.
pub fn summary(r: &ExchangeReport) -> String {
    format!(
        "交流轮岗：{}学年交流教师 {} 人，{}交流 {}；截至 {} 即将期满 {} 人次，已期满 {} 人次；\
         不符合政策方向或学段 {} 人次，无法核查 {} 人次",
        r.year,
        r.share.whole,
        r.direction,
        r.share.display(),
        r.as_of,
        r.due(),
        r.ended(),
        r.off_policy(),
        r.unverifiable()
    )
}

/// The report in sums: the county, then each school with exchange that year.
pub fn print(title: &str, r: &ExchangeReport) {
    println!(
        "{title}（{}：{}学年 {} 至 {}，截至 {}）",
        r.clause, r.year, r.first_day, r.last_day, r.as_of
    );
    println!("  {}", summary(r));
    for s in &r.schools {
        println!(
            "  {}（{}，{}）：派出 {} 人，其中{} {}；接收 {} 人，其中{} {}；派出即将期满 {}，已期满 {}",
            if s.name.is_empty() {
                "（不在学校名单中）"
            } else {
                s.name.as_str()
            },
            s.code,
            s.area,
            s.sums.sent.whole,
            r.direction,
            s.sums.sent.display(),
            s.sums.received.whole,
            r.direction,
            s.sums.received.display(),
            s.sums.sent_due,
            s.sums.sent_ended
        );
    }
    for a in r
        .assignments
        .iter()
        .filter(|a| a.checked.standing == zizhu_domain::exchange::Standing::DueToReturn)
    {
        let x = &a.checked.assignment;
        println!(
            "  即将期满：{}（{}）{} 结束，返回 {}",
            x.name,
            zizhu_app::exchange_report::masked_id(&x.id_number),
            x.end,
            zizhu_app::exchange_report::school_label(&a.from_name, &x.from_school)
        );
    }
}
