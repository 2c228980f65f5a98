//! `zizhu admission` (师范“三定向”录取优惠, 三(二)): each applicant of a year against their
//! category's line, lowered for registered-poor fresh graduates of the county.

use crate::ui::Ctx;
use std::path::PathBuf;

/// `zizhu admission [--year Y] [--out FILE]`: the year's categories and applicants, printed in
/// sums and written as a workbook (IDs masked), audited as the read of a full list.
pub async fn admission(ctx: &Ctx, year: Option<i32>, out: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let section = p.policy.file.admission.as_ref().ok_or_else(|| {
        anyhow::anyhow!("政策文件没有 [admission] 节（三(二) 师范定向降分的分数），无法计算")
    })?;
    let db = ctx.db().await?;
    let year = match year {
        Some(y) => y,
        None => db.admission_years().await?.first().copied().ok_or_else(|| {
            anyhow::anyhow!(
                "还没有导入师范定向名单：zizhu import admission_lines 文件；zizhu import admission_applicants 文件"
            )
        })?,
    };
    let r = zizhu_app::admission::evaluate(&db, section, year).await?;
    let county = &p.policy.file.policy.county_name;
    let title = format!("{county}{year}年师范“三定向”录取分析");
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{year}-师范定向录取分析.xlsx")));
    crate::export::make_parent(&out)?;
    zizhu_app::admission::write_report(&out, &title, &r)?;
    let qualify: usize = r.categories.iter().map(|c| c.qualify).sum();
    let only: usize = r.categories.iter().map(|c| c.only_by_lowering).sum();
    db.audit(
        &ctx.actor,
        "admission_report",
        &format!("师范定向 {year}"),
        &format!(
            "师范定向录取分析：考生 {} 人，达线 {qualify} 人，其中因降分达线 {only} 人",
            r.rows.len()
        ),
    )
    .await?;
    println!(
        "{title}（{}：最低控制分数线下降 {} 分，不低于省定最低分）",
        r.clause, r.lowering_points
    );
    for c in &r.categories {
        println!(
            "  {}：控制线 {}，降分后 {}{}；考生 {} 人，适用降分 {} 人，达线 {} 人，其中因降分达线 {} 人",
            c.line.category,
            c.line.control_line,
            c.lowered,
            if c.floor_binding {
                "（按省定最低分）"
            } else {
                ""
            },
            c.applicants,
            c.eligible,
            c.qualify,
            c.only_by_lowering
        );
    }
    if r.without_line > 0 {
        println!(
            "  另有 {} 名考生的报考类别没有控制线（见分析表）",
            r.without_line
        );
    }
    println!("分析表：{}", out.display());
    Ok(0)
}
