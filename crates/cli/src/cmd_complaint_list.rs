//! `zizhu complaint list` and `zizhu complaint show` (群众反映问题, 四(三)): the tickets as they
//! stood on a day (the overdue ones), one ticket with its history. Every read is audited.

use crate::cmd_complaint::{future, masked, today, ALL};
use crate::ui::Ctx;
use chrono::NaiveDate;
use zizhu_domain::dropout::UserLevel;
use zizhu_store::{ComplaintFilter, ScopeFilter};

pub async fn list(
    ctx: &Ctx,
    scope: ScopeFilter<'_>,
    filter: &ComplaintFilter,
    overdue: bool,
    as_of: Option<NaiveDate>,
) -> anyhow::Result<u8> {
    let on = as_of.unwrap_or_else(today);
    if let Some(refused) = future(on) {
        return Ok(refused);
    }
    let p = ctx.policy()?;
    let clause = p.policy.complaint_clause().to_string();
    let db = ctx.db().await?;
    let rows = zizhu_app::complaints::tickets_on(&db, scope, filter, on).await?;
    let late = zizhu_app::complaints::overdue_tickets(&rows, on);
    db.audit(
        &ctx.actor,
        "complaint_list",
        "complaint",
        &format!("查看工单清单 {} 件", rows.len()),
    )
    .await?;
    if overdue {
        if late.is_empty() {
            println!("截至 {on}，没有超期未办结的工单。");
            return Ok(0);
        }
        println!("截至 {on}，超期未办结工单 {} 件（{clause}）：", late.len());
        for (t, o) in &late {
            println!(
                "  工单 {}  {}  {}  {}：应于 {} 前办结，已超 {} 天；承办：{}",
                t.id,
                t.student_name,
                t.township,
                t.category.zh(),
                o.due,
                o.days_late,
                t.owner.zh()
            );
        }
        return Ok(0);
    }
    if rows.is_empty() {
        println!("没有符合条件的工单。");
        return Ok(0);
    }
    println!("工单\t受理日期\t学生\t身份证件号\t学校\t类别\t状态\t承办\t办理期限");
    for t in &rows {
        let late = zizhu_domain::complaint::overdue(&t.clock(), on)
            .map(|o| format!("（超期 {} 天）", o.days_late))
            .unwrap_or_default();
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}{late}",
            t.id,
            t.lodged_on,
            t.student_name,
            masked(&t.id_number),
            t.school_code,
            t.category.zh(),
            t.state.zh(),
            t.owner.zh(),
            t.due_on
        );
    }
    let s = zizhu_app::complaints::summary(&rows, on);
    println!(
        "截至 {on}：{}",
        zizhu_app::complaints::summary_zh(&s, &clause)
    );
    Ok(0)
}

pub async fn show(ctx: &Ctx, id: i64, full_id: bool) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let Some(t) = db.complaint_in_scope(ALL, id).await? else {
        eprintln!("没有编号为 {id} 的工单。");
        return Ok(1);
    };
    let what = if full_id {
        "查看工单（完整身份证件号）"
    } else {
        "查看工单"
    };
    db.audit(
        &ctx.actor,
        "complaint_view",
        &format!("complaint:{id}"),
        what,
    )
    .await?;
    let shown = if full_id {
        t.id_number.clone()
    } else {
        masked(&t.id_number)
    };
    println!(
        "工单 {}：{}（{shown}），学校 {}，{}",
        t.id, t.student_name, t.school_code, t.township
    );
    println!(
        "  类别：{}；反映人：{}（{}），联系方式 {}",
        t.category.zh(),
        t.complainant,
        t.source.zh(),
        t.contact
    );
    println!("  反映内容：{}", t.summary);
    if let Some(l) = t.payment_line_id {
        println!("  涉及发放明细：{l}");
    }
    if let Some(c) = t.case_id {
        println!("  涉及控辍保学案件：{c}");
    }
    println!(
        "  状态：{}（{} 起）；承办：{}；受理 {}，办理期限 {}",
        t.state.zh(),
        t.state_since,
        t.owner.zh(),
        t.lodged_on,
        t.due_on
    );
    if !t.resolution.is_empty() {
        println!("  办理结果：{}", t.resolution);
    }
    println!("记录：");
    for e in db.complaint_events(id).await? {
        let from = e
            .from_state
            .map(|s| format!("{} → ", s.zh()))
            .unwrap_or_default();
        let level = UserLevel::from_key(&e.actor_level).map_or("", UserLevel::zh);
        println!(
            "  {}  {}（{level}）  {}：{from}{}  {}",
            e.on_date,
            e.actor,
            zizhu_domain::complaint::entry_zh(&e.kind),
            e.to_state.zh(),
            e.note
        );
    }
    Ok(0)
}
