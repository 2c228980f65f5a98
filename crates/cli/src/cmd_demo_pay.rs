//! The demo's payment of autumn 2023 (资金发放): the guardians' accounts (a few students have
//! none), each school's confirmation, its township's review and the county's approval and lock,
//! the batches and their bank files, a bank return with a few failures, one account corrected
//! and re-issued, and the coverage audit that shows what is still unpaid and why.

use crate::ui;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use zizhu_app::payments;
use zizhu_domain::approval::SignoffStep;
use zizhu_domain::payment::BatchState;
use zizhu_domain::{Fen, ListKind, Term};
use zizhu_policy::Policy;
use zizhu_store::{Db, PayActor};

/// Who pays in the demo (a finance officer, not the administrator who computed the roster).
const PAYER: PayActor<'static> = PayActor {
    name: "demo.finance",
    origin: None,
};

/// Students without an account: one in this many (their guardians have not handed in a card).
const NO_ACCOUNT_EVERY: usize = 97;

/// The bank's reasons for the failures it returns.
const FAILURES: [&str; 3] = ["户名与账号不符", "账户已销户", "账户冻结"];

/// A 19-digit card number with its Luhn check digit.
fn card(n: usize) -> String {
    let body = format!("621799{:012}", n);
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|c| zizhu_domain::payment::luhn_ok(c))
        .unwrap_or(body)
}

const RELATIONS: [(&str, &str); 4] = [
    ("父亲", "父"),
    ("母亲", "母"),
    ("祖父", "祖父"),
    ("祖母", "祖母"),
];

/// Writes the guardians' accounts of the term's roster lines paid to guardians or students.
async fn accounts_file(db: &Db, term: Term, path: &Path) -> anyhow::Result<(usize, usize)> {
    let mut people: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut after = 0;
    loop {
        let page = db.entitlements(term, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for e in page {
            if matches!(e.payee.as_str(), "guardian" | "student")
                && seen.insert(e.id_number.clone())
            {
                people.push((e.id_number, e.name));
            }
        }
    }
    let mut csv =
        String::from("学生姓名,学生身份证件号,领款人姓名,与学生关系,账户类型,卡号,开户银行\n");
    let mut without = 0;
    for (i, (id, name)) in people.iter().enumerate() {
        if i % NO_ACCOUNT_EVERY == NO_ACCOUNT_EVERY - 1 {
            without += 1;
            continue;
        }
        let surname: String = name.chars().take(1).collect();
        let (relation, short) = RELATIONS[i % RELATIONS.len()];
        let _ = writeln!(
            csv,
            "{name},{id},{surname}演{short},{relation},银行卡,{},于都农商银行",
            card(i + 1)
        );
    }
    std::fs::write(path, csv)?;
    Ok((people.len() - without, without))
}

async fn import(db: &Db, path: &Path, actor: &str, reports: &Path) -> anyhow::Result<()> {
    crate::cmd_demo::import_list(db, ListKind::PayeeAccounts, path, actor, reports).await?;
    Ok(())
}

/// Each school confirms, its township reviews, and the county's approver (who neither imported
/// nor computed) locks the term.
async fn approve(db: &Db, term: Term) -> anyhow::Result<()> {
    let run = db
        .latest_run(term)
        .await?
        .ok_or_else(|| anyhow::anyhow!("{}尚未计算", term.label_zh()))?;
    let schools: BTreeSet<String> = db
        .entitlement_totals(term)
        .await?
        .into_iter()
        .map(|t| t.school_code)
        .collect();
    for s in &schools {
        db.signoff(
            term,
            s,
            SignoffStep::Confirm,
            run.id,
            None,
            "demo.school",
            "-",
            "",
        )
        .await?;
        let confirmed = Some((SignoffStep::Confirm, run.id));
        db.signoff(
            term,
            s,
            SignoffStep::Review,
            run.id,
            confirmed,
            "demo.township",
            "-",
            "",
        )
        .await?;
    }
    db.lock_term(
        term,
        run.id,
        "demo.approver",
        "-",
        "演示：各校名单已审核，同意发放",
    )
    .await?;
    println!(
        "  {} 所学校确认、乡镇审核，县级审批锁定（第{}次计算）",
        schools.len(),
        run.id
    );
    Ok(())
}

/// A bank's return of a batch: every line paid but the first `fail` ones.
async fn return_file(db: &Db, batch: i64, fail: usize, path: &Path) -> anyhow::Result<usize> {
    let lines = db.batch_lines(batch).await?;
    let mut csv = String::from("明细编号,账号,户名,金额（元）,处理结果,失败原因,处理日期\n");
    for (i, l) in lines.iter().enumerate() {
        let (result, why) = if i < fail {
            ("失败", FAILURES[i % FAILURES.len()])
        } else {
            ("成功", "")
        };
        let _ = writeln!(
            csv,
            "{},{},{},{},{result},{why},2023-11-20",
            l.id,
            l.account_no,
            l.payee_name,
            Fen(l.amount_fen)
        );
    }
    std::fs::write(path, csv)?;
    Ok(lines.len())
}

/// Pays autumn 2023 as a county would, into `files` and `reports`.
pub async fn pay_term(
    db: &Db,
    policy: &Policy,
    term: Term,
    actor: &str,
    files: &Path,
    reports: &Path,
) -> anyhow::Result<()> {
    let accounts = files.join(format!("收款账户-{term}.csv"));
    let (with, without) = accounts_file(db, term, &accounts).await?;
    import(db, &accounts, actor, reports).await?;
    println!("  收款账户 {with} 人（另有 {without} 人未交卡号）");
    approve(db, term).await?;
    let batches = payments::make_batches(db, policy, term, PAYER).await?;
    // Bank files hold full card numbers: a folder of their own, never beside the 公示 files.
    let bank_dir = reports
        .parent()
        .map_or_else(|| reports.join("代发"), |d| d.join("代发"));
    let total: i64 = batches.iter().map(|b| b.total_fen).sum();
    println!(
        "  发放批次 {} 个，{} 笔，合计 {} 元（银行代发文件含完整账号，在 {}）",
        batches.len(),
        batches.iter().map(|b| b.lines).sum::<i64>(),
        ui::yuan(total),
        bank_dir.display()
    );
    let today = chrono::NaiveDate::from_ymd_opt(2023, 11, 20).unwrap_or_default();
    let mut failed_batch = None;
    for (i, b) in batches.iter().enumerate() {
        payments::write_bank_file(db, policy, b.id, None, &bank_dir, PAYER).await?;
        db.submit_batch(b.id, PAYER).await?;
        // The county's batch comes back with three failures; the others are paid.
        let fail = if i == 0 { FAILURES.len() } else { 0 };
        let path = files.join(format!("银行回盘-批次{}.csv", b.id));
        return_file(db, b.id, fail, &path).await?;
        let o = payments::import_bank_return(db, b.id, &path, reports, today, PAYER).await?;
        anyhow::ensure!(o.errors.is_empty(), "回盘未通过：{:?}", o.errors.first());
        if fail > 0 {
            failed_batch = Some(b.id);
        }
    }
    if let Some(b) = failed_batch {
        println!(
            "  银行回盘：批次 {b} 有 {} 笔失败（{}）",
            FAILURES.len(),
            FAILURES.join("、")
        );
        // One guardian brings a new card: that line goes into a re-issue batch (not yet sent).
        let first = db
            .batch_lines(b)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("批次 {b} 没有明细"))?;
        let fix = files.join(format!("收款账户更正-{term}.csv"));
        std::fs::write(
            &fix,
            format!(
                "学生姓名,学生身份证件号,领款人姓名,与学生关系,账户类型,卡号,开户银行\n{},{},{},{},银行卡,{},于都农商银行\n",
                first.student_name,
                first.id_number,
                first.payee_name,
                first.relation,
                card(9_000_000)
            ),
        )?;
        import(db, &fix, actor, reports).await?;
        let (re, waiting) = db.reissue(b, today, PAYER).await?;
        if let Some(re) = re {
            println!("  更正 1 人的账户后生成重新发放批次 {re}（草稿）；另 {waiting} 笔待更正账户");
        }
    }
    // A payment found made in error (the student had left before the reference day): reversed,
    // half of it back so far.
    if let Some(b) = batches.get(1) {
        if let Some(l) = db.batch_lines(b.id).await?.into_iter().next() {
            db.reverse_payment(
                l.id,
                None,
                "经核查该生在基准日前已转出，不应发放",
                today,
                PAYER,
            )
            .await?;
            db.record_recovery(l.id, l.amount_fen / 2, today, "监护人退回一半", PAYER)
                .await?;
            println!(
                "  清退 1 笔错发（{} 元），已追回 {} 元",
                Fen(l.amount_fen),
                Fen(l.amount_fen / 2)
            );
        }
    }
    let waivers = payments::write_fee_statement(
        db,
        policy,
        term,
        &reports.join(format!("{term}-学校减免补助结算表.xlsx")),
        PAYER,
    )
    .await?;
    println!(
        "  学校减免补助结算表：{} 所学校，{} 人，{} 元",
        waivers.schools,
        waivers.students,
        ui::yuan(waivers.total_fen)
    );
    let c = payments::coverage(
        db,
        term,
        zizhu_store::ScopeFilter {
            township: None,
            school: None,
        },
    )
    .await?;
    let county = &policy.file.policy.county_name;
    let title = format!("{county}{}资助资金发放覆盖核查", term.label_zh());
    payments::write_coverage(
        &reports.join(format!("{term}-发放覆盖核查.xlsx")),
        &title,
        &c,
    )?;
    println!(
        "  覆盖核查（一个不落）：应发 {} 元，已发 {} 元，退回待重发 {} 元；应发未发 {} 笔：",
        ui::yuan(c.planned_fen),
        ui::yuan(c.paid_fen),
        ui::yuan(c.failed_fen),
        c.unpaid.len()
    );
    for (g, n, f) in &c.by_gap {
        println!("    {}：{n} 笔，{} 元", g.zh(), ui::yuan(*f));
    }
    let open = db
        .batches(Some(term))
        .await?
        .iter()
        .filter(|b| b.state == BatchState::Draft)
        .count();
    if open > 0 {
        println!("  （草稿批次 {open} 个：zizhu pay list --term {term}）");
    }
    Ok(())
}
