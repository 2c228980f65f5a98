//! Adjustments of a locked roster (资助名单调整, issue 6): the lists and the policy are evaluated
//! again without touching the locked roster; each difference from the locked roster plus the
//! adjustments made before becomes a back-payment (补发) or a recovery (追回/停发) with its reason.
//! Running it again records only what changed since.

use crate::AppError;
use std::collections::BTreeMap;
use zizhu_domain::{Fen, ListKind, Term};
use zizhu_policy::Policy;
use zizhu_store::{Db, NewAdjustment, PayActor};

/// What an adjustment run recorded.
#[derive(Debug, Clone, Default)]
pub struct AdjustSummary {
    pub rows: Vec<NewAdjustment>,
    pub back_fen: i64,
    pub recovery_fen: i64,
}

/// One line's amount and what describes it.
#[derive(Clone)]
struct Line {
    amount: i64,
    name: String,
    school_code: String,
    program_name: String,
    clause: String,
    payee: String,
}

/// Compares what the lists give `term` now with its locked roster (and earlier adjustments) and
/// records the differences.
///
/// Errors: the term is not locked (compute it instead), or the store's.
/// `policy_sha256` must be the locked run's (a policy changed after the lock is a decision the
/// county takes explicitly, not a side effect). With `record` false nothing is written: the
/// differences are only returned (`zizhu adjust --dry-run`).
pub async fn adjust_term(
    db: &Db,
    policy: &Policy,
    policy_sha256: &str,
    term: Term,
    record: bool,
    who: PayActor<'_>,
) -> Result<AdjustSummary, AppError> {
    let lock = db.term_lock(term).await?.ok_or_else(|| {
        AppError::Other(format!(
            "{}的资助名单尚未审批锁定：直接重新计算（zizhu compute --term {term}）即可",
            term.label_zh()
        ))
    })?;
    let run = db
        .latest_run(term)
        .await?
        .ok_or_else(|| AppError::Other(format!("{}尚未计算", term.label_zh())))?;
    if run.policy_sha256 != policy_sha256 {
        return Err(AppError::Other(format!(
            "调整须使用锁定时的政策文件（版本 {}，SHA-256 {}…）；现用的政策文件不同。锁定后修改政策的调整尚不支持",
            run.policy_version,
            run.policy_sha256.get(..12).unwrap_or_default()
        )));
    }
    let now = crate::compute::evaluate_term(db, policy, term).await?;
    let mut base: BTreeMap<(String, String), Line> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = db.entitlements(term, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for e in page {
            base.insert(
                (e.id_number, e.program),
                Line {
                    amount: e.amount_fen,
                    name: e.name,
                    school_code: e.school_code,
                    program_name: e.program_name,
                    clause: e.clause,
                    payee: e.payee,
                },
            );
        }
    }
    let earlier = db.adjustments(term).await?;
    let seen = earlier.iter().map(|a| a.id).max().unwrap_or(0);
    let since_at = earlier
        .iter()
        .map(|a| a.made_at)
        .max()
        .unwrap_or(lock.at)
        .max(lock.at);
    for a in earlier {
        let n = a.new;
        let l = base.entry((n.id_number, n.program)).or_insert(Line {
            amount: 0,
            name: n.name,
            school_code: n.school_code,
            program_name: n.program_name,
            clause: n.clause,
            payee: n.payee,
        });
        l.amount = n.after_fen;
    }
    let mut current: BTreeMap<(String, String), Line> = BTreeMap::new();
    for e in now {
        current.insert(
            (e.id_number, e.program),
            Line {
                amount: e.amount_fen,
                name: e.name,
                school_code: e.school_code,
                program_name: e.program_name,
                clause: e.clause,
                payee: e.payee,
            },
        );
    }
    // Why: the lists imported after the lock (dropout-only and payee lists change no aid).
    let since: Vec<String> = db
        .imports()
        .await?
        .into_iter()
        .filter(|b| b.imported_at > since_at)
        .filter(|b| {
            !matches!(
                b.kind,
                ListKind::Residents
                    | ListKind::Attendance
                    | ListKind::PayeeAccounts
                    | ListKind::AdmissionLines
                    | ListKind::AdmissionApplicants
                    | ListKind::ZeroFeeIssues
                    | ListKind::Teachers
                    | ListKind::TeacherExchanges
            )
        })
        .map(|b| format!("{}《{}》（第{}批）", b.kind.zh(), b.file_name, b.id))
        .collect();
    let cause = if since.is_empty() {
        "锁定后名单未重新导入（政策文件或计算规则有变化）".to_string()
    } else {
        format!(
            "{}导入：{}",
            if since_at > lock.at {
                "上次调整后"
            } else {
                "锁定后"
            },
            since.join("、")
        )
    };
    let mut out = AdjustSummary::default();
    let keys: std::collections::BTreeSet<(String, String)> =
        base.keys().chain(current.keys()).cloned().collect();
    for key in keys {
        let before = base.get(&key).map_or(0, |l| l.amount);
        let after_fen = current.get(&key).map_or(0, |l| l.amount);
        if before == after_fen {
            continue;
        }
        let Some(l) = current.get(&key).or_else(|| base.get(&key)).cloned() else {
            continue;
        };
        let (kind, amount, what) = if after_fen > before {
            let what = if before == 0 {
                "锁定后新符合条件，补发"
            } else {
                "金额增加，补发差额"
            };
            ("back_pay", after_fen - before, what)
        } else {
            let what = if after_fen == 0 {
                "锁定后不再符合条件：未发放的停发，已发放的追回"
            } else {
                "金额减少：追回差额"
            };
            ("recovery", before - after_fen, what)
        };
        if kind == "back_pay" {
            out.back_fen += amount;
        } else {
            out.recovery_fen += amount;
        }
        out.rows.push(NewAdjustment {
            id_number: key.0,
            name: l.name,
            school_code: l.school_code,
            program: key.1,
            program_name: l.program_name,
            clause: l.clause,
            payee: l.payee,
            kind,
            amount_fen: amount,
            before_fen: before,
            after_fen,
            reason: format!(
                "{what}（{} 元 → {} 元）；{cause}",
                Fen(before),
                Fen(after_fen)
            ),
        });
    }
    if record && !out.rows.is_empty() {
        db.record_adjustments(term, lock.run_id, &out.rows, seen, who)
            .await?;
    }
    Ok(out)
}
