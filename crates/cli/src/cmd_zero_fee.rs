//! `zizhu zero-fee` (零收费, 三(一)): the coverage of a school year's in-kind provisions for
//! registered-poor compulsory students, per school, with who lacks which item.

use crate::ui::Ctx;
use std::path::PathBuf;
use zizhu_app::zero_fee_report::{item_names, masked_id};

/// Students lacking an item printed on screen; the rest are in the workbook.
const SHOWN: usize = 20;

/// `zizhu zero-fee [--year Y] [--out FILE]`: sums per school and the missing list (IDs masked)
/// on screen and in a workbook, audited as the read of a full list.
pub async fn zero_fee(ctx: &Ctx, year: Option<i32>, out: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let year = match year {
        Some(y) => y,
        None => db.zero_fee_years().await?.first().copied().ok_or_else(|| {
            anyhow::anyhow!(
                "还没有零收费发放记录：zizhu import zero_fee_issues 文件，或指定 --year"
            )
        })?,
    };
    let r = zizhu_app::zero_fee::evaluate(&db, &p.policy, year).await?;
    let county = &p.policy.file.policy.county_name;
    let title = format!("{county}{year}学年义务教育建档立卡学生“零收费”发放情况");
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{year}学年-零收费发放情况.xlsx")));
    crate::export::make_parent(&out)?;
    zizhu_app::zero_fee_report::write_report(&out, &title, &r)?;
    let t = &r.total;
    db.audit(
        &ctx.actor,
        "zero_fee_report",
        &format!("零收费 {year}学年"),
        &format!(
            "零收费发放情况：应享受 {} 人，全部发放 {} 人，缺发 {} 人",
            t.eligible,
            t.complete,
            t.missing.len()
        ),
    )
    .await?;
    println!(
        "{title}（应享受对象按{}基准日 {} 的学籍与名单认定）",
        r.term.label_zh(),
        r.reference_date
    );
    for i in &r.items {
        println!("  {} {}：{}", i.clause, i.name, i.explanation);
    }
    let line = |c: &zizhu_domain::zero_fee::SchoolCoverage| {
        let items: Vec<String> = r
            .items
            .iter()
            .map(|i| {
                let n = c.items.get(&i.item).copied().unwrap_or_default();
                format!("{} {}/{}（{} 元）", i.item.zh(), n.issued, n.owed, n.value)
            })
            .collect();
        format!(
            "应享受 {} 人，全部发放 {} 人，缺发 {} 人；{}",
            c.eligible,
            c.complete,
            c.missing.len(),
            items.join("，")
        )
    };
    for s in &r.schools {
        println!(
            "  {} {}：{}",
            s.coverage.school_code,
            s.name,
            line(&s.coverage)
        );
        if !s.coverage.not_owed.is_empty() {
            println!(
                "    另有 {} 条发给非应享受对象的记录（不计入覆盖，见发放情况表）",
                s.coverage.not_owed.len()
            );
        }
    }
    println!("  合计：{}", line(t));
    if !t.missing.is_empty() {
        println!("缺发名单（身份证件号已隐藏）：");
        for m in t.missing.iter().take(SHOWN) {
            println!(
                "  {} {}：缺 {}",
                m.name,
                masked_id(&m.id_number),
                item_names(&m.items)
            );
        }
        if t.missing.len() > SHOWN {
            println!("  ……共 {} 人，详见发放情况表", t.missing.len());
        }
    }
    println!("发放情况表：{}", out.display());
    Ok(0)
}
