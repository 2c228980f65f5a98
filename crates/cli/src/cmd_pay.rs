//! `zizhu pay …` (资金发放) and `zizhu audit coverage` (一个不落): batches of a locked roster,
//! the bank's file and return, re-issues, reversals, and the coverage audit.

use crate::ui::{self, Ctx};
use std::path::{Path, PathBuf};
use zizhu_app::payments;
use zizhu_domain::Term;
use zizhu_store::{BatchRow, PayActor};

fn who(ctx: &Ctx) -> PayActor<'_> {
    PayActor {
        name: &ctx.actor,
        origin: None,
    }
}

fn today() -> chrono::NaiveDate {
    crate::ui::today()
}

fn show(b: &BatchRow) {
    println!(
        "  批次 {:>4}  {}  {}  {}  {} 条  {} 元  {}  （{}）",
        b.id,
        b.term,
        b.state.zh(),
        b.fund_source,
        b.lines,
        ui::yuan(b.total_fen),
        b.paying_unit,
        payments::batch_kind(b)
    );
}

/// `zizhu pay batch --term T`: the term's batches from its locked roster.
pub async fn batch(ctx: &Ctx, term: Term) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let made = payments::make_batches(&db, &p.policy, term, who(ctx)).await?;
    if made.is_empty() {
        println!("没有新的发放明细：资助名单上发给监护人或学生的每一笔都已在批次中（或缺收款账户，见 zizhu audit coverage）。");
        return Ok(0);
    }
    println!("已生成 {} 个发放批次（草稿）：", made.len());
    for b in &made {
        show(b);
    }
    println!("下一步：zizhu pay file 批次号 生成银行代发文件，送银行后 zizhu pay submit 批次号。");
    Ok(0)
}

/// `zizhu pay list [--term T]`.
pub async fn list(ctx: &Ctx, term: Option<Term>) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let all = db.batches(term).await?;
    if all.is_empty() {
        println!("还没有发放批次。");
    }
    for b in &all {
        show(b);
    }
    Ok(0)
}

/// `zizhu pay file N [--format 名称] [--out DIR]`: the bank's disbursement file.
pub async fn file(ctx: &Ctx, id: i64, format: Option<&str>, out: &Path) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let (xlsx, csv, notice) =
        payments::write_bank_file(&db, &p.policy, id, format, out, who(ctx)).await?;
    if let Some(n) = notice {
        println!("注意：{n}");
    }
    println!("已生成银行代发文件（含完整账号，请按保密要求传送）：");
    println!("  {}", xlsx.display());
    println!("  {}", csv.display());
    Ok(0)
}

/// `zizhu pay submit N`: the file went to the bank.
pub async fn submit(ctx: &Ctx, id: i64) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let b = db.submit_batch(id, who(ctx)).await?;
    println!(
        "批次 {id} 已提交银行（{} 条，{} 元）。银行回盘后：zizhu pay return {id} 回盘文件",
        b.lines,
        ui::yuan(b.total_fen)
    );
    Ok(0)
}

/// `zizhu pay return N FILE`: the bank's result, recorded all or nothing.
pub async fn bank_return(ctx: &Ctx, id: i64, file: &Path, report_dir: &Path) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let o = payments::import_bank_return(&db, id, file, report_dir, today(), who(ctx)).await?;
    if !o.errors.is_empty() {
        println!("回盘文件有 {} 处错误，全部未登记：", o.errors.len());
        for e in o.errors.iter().take(20) {
            println!(
                "  第{}行 {}“{}”：{}",
                e.row,
                e.column,
                zizhu_domain::text::printable(&e.value),
                e.reason
            );
        }
        if o.errors.len() > 20 {
            println!("  ……其余 {} 处见错误报告", o.errors.len() - 20);
        }
        if let Some((x, c)) = &o.report {
            println!("错误报告：{} 和 {}", x.display(), c.display());
        }
        return Ok(1);
    }
    println!(
        "已登记银行回盘：成功 {} 笔，失败 {} 笔{}。",
        o.paid,
        o.failed,
        if o.pending > 0 {
            format!("；本批次尚有 {} 笔无结果（可分次导入回盘）", o.pending)
        } else {
            String::new()
        }
    );
    if let Some(b) = &o.batch {
        show(b);
        if o.failed > 0 {
            println!("失败的明细在更正收款账户（zizhu import payee_accounts 更正文件）后，用 zizhu pay reissue {id} 重新发放。");
        }
    }
    Ok(0)
}

/// `zizhu pay reissue N`: failed lines with a corrected account, in a new batch.
pub async fn reissue(ctx: &Ctx, id: i64) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let (made, waiting) = db.reissue(id, today(), who(ctx)).await?;
    match made {
        Some(n) => {
            let b = db.batch(n).await?;
            println!("已生成重新发放批次 {n}：");
            if let Some(b) = b {
                show(&b);
            }
        }
        None => println!("没有可以重新发放的明细。"),
    }
    if waiting > 0 {
        println!("还有 {waiting} 笔失败明细的收款账户未更正，暂不重新发放。");
    }
    Ok(0)
}

/// `zizhu pay reverse LINE --reason … [--amount 元]`: a payment made in error (清退), whole or
/// the part paid in error.
pub async fn reverse(
    ctx: &Ctx,
    line: i64,
    amount: Option<&str>,
    reason: &str,
) -> anyhow::Result<u8> {
    let fen = match amount {
        None => None,
        Some(a) => Some(
            zizhu_domain::Fen::parse_yuan(a)
                .filter(|f| f.0 > 0)
                .ok_or_else(|| anyhow::anyhow!("金额应为大于 0 的元，最多两位小数，如 312.50"))?
                .0,
        ),
    };
    let db = ctx.db().await?;
    db.reverse_payment(line, fen, reason, today(), who(ctx))
        .await?;
    println!(
        "已登记清退：发放明细 {line}，{}。追回后用 zizhu pay recover {line} --amount 金额 登记。",
        fen.map_or_else(
            || "整笔".to_string(),
            |f| format!("{} 元", zizhu_domain::Fen(f))
        )
    );
    Ok(0)
}

/// `zizhu pay recover LINE --amount 元 [--note …]`: money of a reversal recovered.
pub async fn recover(ctx: &Ctx, line: i64, amount: &str, note: &str) -> anyhow::Result<u8> {
    let fen = zizhu_domain::Fen::parse_yuan(amount)
        .filter(|f| f.0 > 0)
        .ok_or_else(|| anyhow::anyhow!("金额应为大于 0 的元，最多两位小数，如 312.50"))?;
    let db = ctx.db().await?;
    db.record_recovery(line, fen.0, today(), note, who(ctx))
        .await?;
    println!("已登记追回 {} 元：发放明细 {line}。", ui::yuan(fen.0));
    Ok(0)
}

/// `zizhu pay close N`.
pub async fn close(ctx: &Ctx, id: i64) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let b = db.close_batch(id, who(ctx)).await?;
    show(&b);
    Ok(0)
}

/// `zizhu audit coverage --term T [--out FILE]`: who is entitled and not paid, and why.
pub async fn coverage(ctx: &Ctx, term: Term, out: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let all = zizhu_store::ScopeFilter {
        township: None,
        school: None,
    };
    let c = payments::coverage(&db, term, all).await?;
    let county = &p.policy.file.policy.county_name;
    let title = format!("{county}{}资助资金发放覆盖核查", term.label_zh());
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{term}-发放覆盖核查.xlsx")));
    crate::export::make_parent(&out)?;
    payments::write_coverage(&out, &title, &c)?;
    db.audit(
        &ctx.actor,
        "coverage_audit",
        &term.to_string(),
        &format!(
            "发放覆盖核查：应发未发 {} 笔，应核查的发放 {} 笔",
            c.unpaid.len(),
            c.without_entitlement.len()
        ),
    )
    .await?;
    println!(
        "{title}{}",
        if c.locked {
            ""
        } else {
            "（名单尚未审批锁定）"
        }
    );
    println!(
        "  应发 {} 元（发给家庭和学生的，不含学校减免），已发 {} 元（其中多发应清退 {} 元），银行退回待重发 {} 元，清退 {} 元，已追回 {} 元",
        ui::yuan(c.planned_fen),
        ui::yuan(c.paid_fen),
        ui::yuan(c.overpaid_fen),
        ui::yuan(c.failed_fen),
        ui::yuan(c.reversed_fen),
        ui::yuan(c.recovered_fen)
    );
    println!("  应发未发 {} 笔：", c.unpaid.len());
    for (g, n, f) in &c.by_gap {
        println!("    {}：{n} 笔，{} 元", g.zh(), ui::yuan(*f));
    }
    if !c.without_entitlement.is_empty() {
        println!(
            "  应核查的发放（名单上没有，或多于调整后的应发）：{} 笔",
            c.without_entitlement.len()
        );
    }
    println!("核查表：{}", out.display());
    Ok(0)
}

/// `zizhu pay sample --term T`: the families to call back (回访).
pub async fn sample(ctx: &Ctx, term: Term, seed: u64) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let per_school = p
        .policy
        .file
        .payment
        .as_ref()
        .map_or(5, |x| x.verification_sample as usize);
    let db = ctx.db().await?;
    let counts = payments::draw_sample(&db, term, per_school, seed, who(ctx)).await?;
    let total: usize = counts.values().sum();
    println!("已为 {} 所学校抽取已发放学生 {total} 人回访（每校至多 {per_school} 人，随机种子 {seed}）。", counts.len());
    println!("列出：zizhu pay verifications --term {term}；登记：zizhu pay verify 编号 --result confirmed|denied --note …");
    Ok(0)
}

/// `zizhu pay verifications --term T`.
pub async fn verifications(ctx: &Ctx, term: Term) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    let all = db.verifications(term).await?;
    if all.is_empty() {
        println!("{}还没有回访抽样。", term.label_zh());
    }
    for v in &all {
        let id = zizhu_domain::IdNumber::parse(&v.id_number)
            .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked());
        let result = match (v.outcome.as_deref(), v.follow_up.as_deref()) {
            (None, _) => "待回访".to_string(),
            (Some("confirmed"), _) => "家庭确认收到".to_string(),
            (Some(_), Some("open")) => format!("否认收到，跟进中：{}", v.note),
            (Some(_), _) => format!("否认收到，已核查：{}", v.follow_up_note),
        };
        println!(
            "  回访 {:>5}  学校 {}  {id}  发放明细 {}  {result}",
            v.id, v.school_code, v.line_id
        );
    }
    Ok(0)
}

/// `zizhu pay verify ID --result confirmed|denied`.
pub async fn verify(ctx: &Ctx, id: i64, result: &str, note: &str) -> anyhow::Result<u8> {
    let confirmed = match result.trim() {
        "confirmed" | "确认" | "已收到" => true,
        "denied" | "否认" | "未收到" => false,
        other => {
            anyhow::bail!("--result 应为 confirmed（确认收到）或 denied（否认收到），实为“{other}”")
        }
    };
    let db = ctx.db().await?;
    db.record_verification(id, confirmed, note, who(ctx))
        .await?;
    if confirmed {
        println!("回访 {id}：家庭确认收到。");
    } else {
        println!("回访 {id}：家庭否认收到，已转跟进核查；核查后用 zizhu pay follow-up {id} --note 结果 结束。");
    }
    Ok(0)
}

/// `zizhu pay follow-up ID --note …`.
pub async fn follow_up(ctx: &Ctx, id: i64, note: &str) -> anyhow::Result<u8> {
    let db = ctx.db().await?;
    db.close_follow_up(id, note, who(ctx)).await?;
    println!("回访 {id} 的跟进核查已结束。");
    Ok(0)
}

/// `zizhu pay waivers --term T`: the schools' fee-compensation statement.
pub async fn waivers(ctx: &Ctx, term: Term, out: Option<PathBuf>) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{term}-学校减免补助结算表.xlsx")));
    let s = payments::write_fee_statement(&db, &p.policy, term, &out, who(ctx)).await?;
    println!(
        "学校减免补助结算表：{} 所学校，{} 人，合计 {} 元：{}",
        s.schools,
        s.students,
        ui::yuan(s.total_fen),
        out.display()
    );
    Ok(0)
}

/// `zizhu adjust --term T`: a locked term's differences, recorded as adjustments.
pub async fn adjust(ctx: &Ctx, term: Term, dry_run: bool) -> anyhow::Result<u8> {
    let p = ctx.policy()?;
    let db = ctx.db().await?;
    let s =
        zizhu_app::adjust::adjust_term(&db, &p.policy, &p.sha256, term, !dry_run, who(ctx)).await?;
    if s.rows.is_empty() {
        println!(
            "{}：与已锁定的名单（含以前的调整）没有差别，未记录调整。",
            term.label_zh()
        );
        return Ok(0);
    }
    println!(
        "{}：{}调整 {} 笔，补发 {} 元，追回或停发 {} 元（已锁定的名单不变）：",
        term.label_zh(),
        if dry_run {
            "将记录（--dry-run，未写入）"
        } else {
            "记录"
        },
        s.rows.len(),
        ui::yuan(s.back_fen),
        ui::yuan(s.recovery_fen)
    );
    // A recovery of money already paid is a reversal to register: say how much of what is
    // paid now goes beyond the new amount, and from which line (the largest paid one).
    let reversed: std::collections::HashMap<i64, i64> = db
        .ledger(term)
        .await?
        .into_iter()
        .filter(|e| e.kind == zizhu_domain::payment::LedgerKind::Reversed)
        .map(|e| (e.line_id, e.amount_fen))
        .collect();
    let mut paid: std::collections::HashMap<(String, String), (i64, i64, i64)> =
        std::collections::HashMap::new();
    for l in db.term_lines(term).await? {
        if !matches!(
            l.outcome,
            Some((zizhu_domain::payment::LedgerKind::Paid, _))
        ) {
            continue;
        }
        let left = l.amount_fen - reversed.get(&l.id).copied().unwrap_or(0);
        let p = paid.entry((l.id_number, l.program)).or_insert((0, 0, 0));
        p.0 += left;
        if left > p.2 {
            (p.1, p.2) = (l.id, left);
        }
    }
    for a in s.rows.iter().take(20) {
        let id = zizhu_domain::IdNumber::parse(&a.id_number)
            .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked());
        let over = paid
            .get(&(a.id_number.clone(), a.program.clone()))
            .map(|&(net, line, _)| (net - a.after_fen, line))
            .filter(|(o, _)| *o > 0);
        let change = if a.kind == "back_pay" {
            format!("补发 {} 元", ui::yuan(a.amount_fen))
        } else {
            format!("减少 {} 元", ui::yuan(a.amount_fen))
        };
        let then = match (a.kind, over) {
            ("back_pay", _) => "随下一批次发放".to_string(),
            (_, Some((_, line))) if a.after_fen == 0 => {
                format!("已发放，整笔追回：zizhu pay reverse {line} --reason …")
            }
            (_, Some((o, line))) => format!(
                "已多发 {} 元，应追回：zizhu pay reverse {line} --amount {} --reason …",
                zizhu_domain::Fen(o),
                zizhu_domain::Fen(o)
            ),
            (_, None) if a.after_fen > 0 => {
                "已发放的未超过新金额；未送银行的明细按新金额发放".to_string()
            }
            (_, None) => "停发（尚未发放）".to_string(),
        };
        println!(
            "  {} {id} {}：{change}（{then}） —— {}",
            a.name, a.program_name, a.reason
        );
    }
    if s.rows.len() > 20 {
        println!("  ……共 {} 笔", s.rows.len());
    }
    println!(
        "补发（含已发放明细的增加差额）随下一次 zizhu pay batch 发放；已发放的追回用 zizhu pay reverse 登记（部分追回加 --amount）。"
    );
    Ok(0)
}
