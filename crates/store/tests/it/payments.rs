//! Paying a locked roster (migration 0010): batches from the locked run only, a bank return with
//! a failure re-issued once the account is corrected, a payment reversed and recovered in part,
//! and the database refusing a second successful payment of the same line, also when two
//! returns race.

use crate::compute::{line, run, run_meta};
use crate::support::*;
use zizhu_domain::approval::SignoffStep::{Confirm, Review};
use zizhu_domain::payment::{
    AccountKind, AccountNo, BatchState, LedgerKind, LineOutcome, PayeeAccount,
};
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::{
    BatchGroup, Db, NewAdjustment, NewEntitlement, PayActor, ReturnLine, StoreError, NOT_SENT,
};

story!(
    a_term_paid_returned_reissued_and_reversed,
    racing_returns_pay_a_line_once,
    an_amount_changed_after_the_lock_is_paid_or_reversed_as_a_difference,
    adjustments_in_every_state_pay_exactly_what_is_owed,
    families_confirm_or_deny_and_a_denial_is_followed_up,
);

pub(crate) const WHO: PayActor<'static> = PayActor {
    name: "cw.1",
    origin: None,
};

/// A 19-digit card number with its Luhn check digit, distinct per `n`.
fn card(n: u32) -> AccountNo {
    let body = format!("62220200000000{n:04}");
    (0..10)
        .find_map(|d| AccountNo::parse(AccountKind::BankCard, &format!("{body}{d}")).ok())
        .unwrap_or_else(|| AccountNo::from_stored(body))
}

fn account(n: u32, payee: &str, card_no: u32) -> ListRecord {
    ListRecord::PayeeAccount(PayeeAccount {
        student_id: id(n),
        student_name: format!("测试学生{n}"),
        payee_name: payee.into(),
        relation: "母亲".into(),
        kind: AccountKind::BankCard,
        number: card(card_no),
        bank: "测试银行于都支行".into(),
    })
}

fn guardian_line(n: u32, amount_fen: i64) -> NewEntitlement {
    NewEntitlement {
        payee: "guardian".into(),
        ..line(n, "S1", "boarding_living_subsidy", amount_fen)
    }
}

/// The autumn 2023 roster of school S1, approved and locked: students 1 and 2 boarding junior
/// (二(一)2 第一款: 1,250 元 a year, 625 元 a term), 3 boarding primary (500 元 a term), 4 with no
/// account; and a fee waiver paid to the school, which no bank batch carries.
pub(crate) async fn locked_term(db: &Db) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    import(
        db,
        meta(ListKind::Schools, "schools.csv", None),
        vec![ListRecord::School(school("S1", "测试一中", "甲镇"))],
    )
    .await?;
    let waiver = NewEntitlement {
        payee: "school".into(),
        ..line(1, "S1", "hs_fee_waiver", 80_000)
    };
    let run_id = run(
        db,
        run_meta(autumn(2023), "v1"),
        &[],
        &[
            guardian_line(1, 62_500),
            guardian_line(2, 62_500),
            guardian_line(3, 50_000),
            guardian_line(4, 50_000),
            waiver,
        ],
        &[],
    )
    .await?;
    import(
        db,
        meta(ListKind::PayeeAccounts, "accounts.csv", None),
        vec![
            account(1, "家长一", 1),
            account(2, "家长二", 2),
            account(3, "家长三", 3),
        ],
    )
    .await?;
    Ok(run_id)
}

pub(crate) fn boarding() -> Vec<BatchGroup> {
    vec![BatchGroup {
        fund_source: "城乡义务教育经费保障机制资金".into(),
        paying_unit: "县学生资助管理中心".into(),
        programs: vec!["boarding_living_subsidy".into(), "hs_fee_waiver".into()],
        per_school: false,
    }]
}

pub(crate) async fn lock(db: &Db, run_id: i64) -> Result<(), StoreError> {
    let t = autumn(2023);
    db.signoff(t, "S1", Confirm, run_id, None, "s1", "-", "")
        .await?;
    db.signoff(
        t,
        "S1",
        Review,
        run_id,
        Some((Confirm, run_id)),
        "town",
        "-",
        "",
    )
    .await?;
    db.lock_term(t, run_id, "chief", "-", "同意").await
}

fn ret(line_id: i64, outcome: LineOutcome, reason: &str) -> ReturnLine {
    ReturnLine {
        line_id,
        outcome,
        reason: reason.into(),
        on: chrono::NaiveDate::from_ymd_opt(2023, 11, 20).unwrap_or_default(),
    }
}

async fn a_term_paid_returned_reissued_and_reversed(db: &Db) -> TestResult {
    let t = autumn(2023);
    let run_id = locked_term(db).await?;
    // Not before the roster is approved and locked.
    let early = db.create_batches(t, &boarding(), WHO).await;
    assert!(matches!(&early, Err(StoreError::Invalid(m)) if m.contains("尚未审批锁定")));
    lock(db, run_id).await?;
    // One batch: the three guardians with an account (625 + 625 + 500 = 1,750 元); student 4
    // waits for an account, the school's waiver is not a bank payment.
    let made = db.create_batches(t, &boarding(), WHO).await?;
    assert_eq!(made.len(), 1);
    let b = db.batch(made[0]).await?.ok_or("batch")?;
    assert_eq!(
        (b.lines, b.total_fen, b.state),
        (3, 175_000, BatchState::Draft)
    );
    // Made again: nothing new (a line is in one batch).
    assert!(db.create_batches(t, &boarding(), WHO).await?.is_empty());
    let lines = db.batch_lines(b.id).await?;
    assert_eq!(lines[0].account_no, card(1).as_str());
    // A return before the batch is submitted is refused.
    let r = db
        .record_return(b.id, &[ret(lines[0].id, LineOutcome::Paid, "")], WHO)
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))));
    // Not submitted before its bank file was written.
    let unsent = db.submit_batch(b.id, WHO).await;
    assert!(
        matches!(&unsent, Err(StoreError::Invalid(m)) if m.contains("还没有生成代发文件")),
        "{unsent:?}"
    );
    db.prepare_bank_file(b.id, WHO).await?;
    db.submit_batch(b.id, WHO).await?;
    // The return comes in two parts: first two lines (one failed), then the third.
    let part = db
        .record_return(
            b.id,
            &[
                ret(lines[0].id, LineOutcome::Paid, ""),
                ret(lines[1].id, LineOutcome::Failed, "户名不符"),
            ],
            WHO,
        )
        .await?;
    assert_eq!(part.state, BatchState::Submitted);
    // A line named again: refused, all or nothing (the third line is not recorded either).
    let again = db
        .record_return(
            b.id,
            &[
                ret(lines[2].id, LineOutcome::Paid, ""),
                ret(lines[0].id, LineOutcome::Paid, ""),
            ],
            WHO,
        )
        .await;
    assert!(
        matches!(&again, Err(StoreError::Invalid(m)) if m.contains("不能重复发放")),
        "{again:?}"
    );
    let done = db
        .record_return(b.id, &[ret(lines[2].id, LineOutcome::Paid, "")], WHO)
        .await?;
    assert_eq!(done.state, BatchState::PartlyFailed);
    // Not closed while a failed line waits to be paid again.
    let early = db.close_batch(b.id, WHO).await;
    assert!(
        matches!(&early, Err(StoreError::Invalid(m)) if m.contains("未重新发放")),
        "{early:?}"
    );
    // Re-issue waits for a corrected account; then pays the failed line once, on the new card.
    let (none, waiting) = db
        .reissue(b.id, ret(0, LineOutcome::Paid, "").on, WHO)
        .await?;
    assert_eq!((none, waiting), (None, 1));
    import(
        db,
        meta(ListKind::PayeeAccounts, "更正.csv", None),
        vec![account(2, "家长二", 22)],
    )
    .await?;
    // Meanwhile student 2 was found to be in primary school (二(一)2 第一款: 500 元 a term, not
    // 625): the re-issue pays what is owed now (hostile review: it paid the failed amount).
    adjust(db, run_id, 2, 62_500, 50_000).await?;
    let (re, waiting) = db
        .reissue(b.id, ret(0, LineOutcome::Paid, "").on, WHO)
        .await?;
    assert_eq!(waiting, 0);
    let re = re.ok_or("reissue batch")?;
    let re_lines = db.batch_lines(re).await?;
    assert_eq!(re_lines.len(), 1);
    assert_eq!(re_lines[0].amount_fen, 50_000);
    assert_eq!(re_lines[0].reissue_of, Some(lines[1].id));
    assert_eq!(re_lines[0].account_no, card(22).as_str());
    let (twice, _) = db
        .reissue(b.id, ret(0, LineOutcome::Paid, "").on, WHO)
        .await?;
    assert_eq!(twice, None, "a failed line is re-issued once");
    db.prepare_bank_file(re, WHO).await?;
    db.submit_batch(re, WHO).await?;
    let paid = db
        .record_return(re, &[ret(re_lines[0].id, LineOutcome::Paid, "")], WHO)
        .await?;
    assert_eq!(paid.state, BatchState::Paid);
    db.close_batch(b.id, WHO).await?;
    // A payment made in error (student 3 was found ineligible): reversed with its reason, then
    // recovered in two parts, never more than was paid (500 元).
    let no_reason = db
        .reverse_payment(
            lines[2].id,
            None,
            " ",
            ret(0, LineOutcome::Paid, "").on,
            WHO,
        )
        .await;
    assert!(matches!(no_reason, Err(StoreError::Invalid(_))));
    db.reverse_payment(
        lines[2].id,
        None,
        "经核查不符合寄宿生条件",
        ret(0, LineOutcome::Paid, "").on,
        WHO,
    )
    .await?;
    db.record_recovery(
        lines[2].id,
        30_000,
        ret(0, LineOutcome::Paid, "").on,
        "第一次退回",
        WHO,
    )
    .await?;
    let over = db
        .record_recovery(
            lines[2].id,
            30_000,
            ret(0, LineOutcome::Paid, "").on,
            "",
            WHO,
        )
        .await;
    assert!(
        matches!(&over, Err(StoreError::Invalid(m)) if m.contains("200.00")),
        "{over:?}"
    );
    db.record_recovery(
        lines[2].id,
        20_000,
        ret(0, LineOutcome::Paid, "").on,
        "退清",
        WHO,
    )
    .await?;
    // The ledger holds each event once, in order, never changed.
    let kinds: Vec<LedgerKind> = db.ledger(t).await?.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            LedgerKind::Paid,
            LedgerKind::Failed,
            LedgerKind::Paid,
            LedgerKind::Reissued,
            LedgerKind::Paid,
            LedgerKind::Reversed,
            LedgerKind::Recovered,
            LedgerKind::Recovered,
        ]
    );
    let log = db.audit_entries(30).await?;
    for action in [
        "payment_batch_create",
        "payment_batch_submit",
        "payment_return",
        "payment_reverse",
        "payment_recover",
        "payment_batch_close",
    ] {
        assert!(log.iter().any(|e| e.action == action), "{action}");
    }
    Ok(())
}

async fn racing_returns_pay_a_line_once(db: &Db) -> TestResult {
    let t = autumn(2023);
    let run_id = locked_term(db).await?;
    lock(db, run_id).await?;
    let b = db.create_batches(t, &boarding(), WHO).await?[0];
    db.prepare_bank_file(b, WHO).await?;
    db.submit_batch(b, WHO).await?;
    let first = db.batch_lines(b).await?[0].id;
    // Two returns naming the same line as paid, at the same moment: the unique indexes of the
    // ledger let one through, whichever it is.
    let one = [ret(first, LineOutcome::Paid, "")];
    let (a, c) = tokio::join!(
        db.record_return(b, &one, WHO),
        db.record_return(b, &one, WHO)
    );
    assert!(a.is_ok() != c.is_ok(), "{a:?} {c:?}");
    let refused = if a.is_err() { a } else { c };
    assert!(
        matches!(&refused, Err(StoreError::Invalid(m)) if m.contains("不能重复发放")),
        "{refused:?}"
    );
    let paid = db
        .ledger(t)
        .await?
        .iter()
        .filter(|e| e.kind == LedgerKind::Paid)
        .count();
    assert_eq!(paid, 1);
    // Two recoveries of one reversal at once (hostile review: on PostgreSQL both passed the check
    // and 1,400 元 was recovered of 625): one waits for the other and is then refused.
    let on = ret(0, LineOutcome::Paid, "").on;
    db.reverse_payment(first, None, "经核查不符合条件", on, WHO)
        .await?;
    let (a, c) = tokio::join!(
        db.record_recovery(first, 40_000, on, "", WHO),
        db.record_recovery(first, 40_000, on, "", WHO)
    );
    assert!(a.is_ok() != c.is_ok(), "{a:?} {c:?}");
    // The ledger and the lines refuse any change by SQL, whatever the code does.
    for sql in [
        "UPDATE payment_ledger SET amount_fen = 1",
        "DELETE FROM payment_ledger",
        "UPDATE payment_line SET account_no = '0'",
        "DELETE FROM payment_line",
    ] {
        assert!(raw(db, sql).await.is_err(), "{sql}");
    }
    if matches!(db, Db::Postgres(_)) {
        assert!(raw(db, "TRUNCATE payment_ledger").await.is_err());
        assert!(raw(db, "TRUNCATE payment_line CASCADE").await.is_err());
    }
    assert_eq!(db.ledger(t).await?.len(), 3, "paid, reversed, recovered");
    Ok(())
}

/// Runs `sql` as it is, on the database underneath.
async fn raw(db: &Db, sql: &'static str) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
}

async fn families_confirm_or_deny_and_a_denial_is_followed_up(db: &Db) -> TestResult {
    let t = autumn(2023);
    let run_id = locked_term(db).await?;
    lock(db, run_id).await?;
    let b = db.create_batches(t, &boarding(), WHO).await?[0];
    db.prepare_bank_file(b, WHO).await?;
    db.submit_batch(b, WHO).await?;
    let lines = db.batch_lines(b).await?;
    db.record_return(
        b,
        &[
            ret(lines[0].id, LineOutcome::Paid, ""),
            ret(lines[1].id, LineOutcome::Paid, ""),
            ret(lines[2].id, LineOutcome::Failed, "账户已销户"),
        ],
        WHO,
    )
    .await?;
    // Only paid lines can be drawn; a line is drawn once.
    let drawable = db.drawable(t).await?;
    assert_eq!(drawable.len(), 2);
    db.add_verifications(t, &drawable, "test", WHO).await?;
    assert!(db.drawable(t).await?.is_empty());
    let again = db.add_verifications(t, &drawable[..1], "test", WHO).await;
    assert!(matches!(again, Err(StoreError::Invalid(_))));
    let v = db.verifications(t).await?;
    assert_eq!(v.len(), 2);
    db.record_verification(v[0].id, true, "", WHO).await?;
    // A denial needs what the family said, opens a follow-up, and is recorded once.
    let bare = db.record_verification(v[1].id, false, " ", WHO).await;
    assert!(matches!(bare, Err(StoreError::Invalid(_))));
    db.record_verification(v[1].id, false, "家长称未收到", WHO)
        .await?;
    let twice = db.record_verification(v[1].id, true, "", WHO).await;
    assert!(matches!(twice, Err(StoreError::Invalid(_))));
    let now = db.verifications(t).await?;
    assert_eq!(now[1].follow_up.as_deref(), Some("open"));
    db.close_follow_up(v[1].id, "已到账，家长未查看", WHO)
        .await?;
    assert_eq!(
        db.verifications(t).await?[1].follow_up.as_deref(),
        Some("closed")
    );
    assert!(
        db.close_follow_up(v[0].id, "x", WHO).await.is_err(),
        "no follow-up to close"
    );
    Ok(())
}

/// An adjustment after the lock of student `n`'s boarding subsidy from `before` to `after` fen,
/// recorded as the adjustment run would.
async fn adjust(db: &Db, run_id: i64, n: u32, before: i64, after: i64) -> TestResult {
    let t = autumn(2023);
    let seen = db
        .adjustments(t)
        .await?
        .iter()
        .map(|a| a.id)
        .max()
        .unwrap_or(0);
    let a = NewAdjustment {
        id_number: ids(n),
        name: format!("测试学生{n}"),
        school_code: "S1".into(),
        program: "boarding_living_subsidy".into(),
        program_name: "boarding_living_subsidy-名称".into(),
        clause: "二(一)2 第一款".into(),
        payee: "guardian".into(),
        kind: if after > before {
            "back_pay"
        } else {
            "recovery"
        },
        amount_fen: (after - before).abs(),
        before_fen: before,
        after_fen: after,
        reason: "学籍年级更正".into(),
    };
    db.record_adjustments(t, run_id, &[a], seen, WHO).await?;
    Ok(())
}

/// Amounts changed after the lock (二(一)2 第一款: boarding 1,250 元 a year for junior, 1,000 元
/// for primary; 625 and 500 元 a term). Student 2, found to be in primary school while the batch
/// was still a draft: the 625 元 line is not sent and 500 元 is paid in the next batch. Student
/// 3, found to be in junior school after being paid 500 元: the 125 元 difference is paid once,
/// as a line of its own. Student 1, found to be in primary school after being paid 625 元: 125 元
/// is reversed (part of the line) and recovered.
async fn an_amount_changed_after_the_lock_is_paid_or_reversed_as_a_difference(
    db: &Db,
) -> TestResult {
    let t = autumn(2023);
    let on = ret(0, LineOutcome::Paid, "").on;
    let run_id = locked_term(db).await?;
    lock(db, run_id).await?;
    let b1 = db.create_batches(t, &boarding(), WHO).await?[0];
    let lines = db.batch_lines(b1).await?;
    let line_of = |n: u32| lines.iter().find(|l| l.id_number == ids(n)).map(|l| l.id);
    let (l1, l2, l3) = (
        line_of(1).ok_or("1")?,
        line_of(2).ok_or("2")?,
        line_of(3).ok_or("3")?,
    );
    // Student 2 lowered before the batch went to the bank: not sent, never re-issued.
    adjust(db, run_id, 2, 62_500, 50_000).await?;
    assert_eq!(
        db.stopped_lines(b1).await?.into_iter().collect::<Vec<_>>(),
        vec![l2]
    );
    db.prepare_bank_file(b1, WHO).await?;
    db.submit_batch(b1, WHO).await?;
    db.record_return(
        b1,
        &[
            ret(l1, LineOutcome::Paid, ""),
            ret(l3, LineOutcome::Paid, ""),
        ],
        WHO,
    )
    .await?;
    let after = db.batch_lines(b1).await?;
    let two = after.iter().find(|l| l.id == l2).ok_or("line 2")?;
    assert_eq!(
        two.outcome,
        Some((LedgerKind::Failed, NOT_SENT.to_string()))
    );
    assert_eq!(db.reissue(b1, on, WHO).await?, (None, 0));
    // Student 3 raised after being paid.
    adjust(db, run_id, 3, 50_000, 62_500).await?;
    let made = db.create_batches(t, &boarding(), WHO).await?;
    assert_eq!(made.len(), 1);
    let b2 = db.batch(made[0]).await?.ok_or("batch 2")?;
    assert_eq!((b2.lines, b2.total_fen, b2.adjusted_lines), (2, 62_500, 2));
    let mut new: Vec<(String, i64, bool)> = db
        .batch_lines(b2.id)
        .await?
        .into_iter()
        .map(|l| (l.id_number, l.amount_fen, l.part != 0))
        .collect();
    new.sort();
    // 2: the lowered 500 元 (its first line was not sent); 3: the 125 元 difference.
    assert_eq!(new, vec![(ids(2), 50_000, true), (ids(3), 12_500, true)]);
    // Nothing more to make: each difference is paid once.
    assert!(db.create_batches(t, &boarding(), WHO).await?.is_empty());
    db.prepare_bank_file(b2.id, WHO).await?;
    db.submit_batch(b2.id, WHO).await?;
    let b2_lines = db.batch_lines(b2.id).await?;
    let returns: Vec<ReturnLine> = b2_lines
        .iter()
        .map(|l| ret(l.id, LineOutcome::Paid, ""))
        .collect();
    assert_eq!(
        db.record_return(b2.id, &returns, WHO).await?.state,
        BatchState::Paid
    );
    // Student 3 now has two successful payments of the term: 500 + 125 = 625 元.
    let paid3: i64 = db
        .ledger(t)
        .await?
        .iter()
        .filter(|e| e.kind == LedgerKind::Paid && e.id_number == ids(3))
        .map(|e| e.amount_fen)
        .sum();
    assert_eq!(paid3, 62_500);
    // Student 1 lowered after being paid: 125 元 reversed of the 625 元 line, then recovered;
    // not more than the line, and not twice.
    adjust(db, run_id, 1, 62_500, 50_000).await?;
    assert!(db.create_batches(t, &boarding(), WHO).await?.is_empty());
    let too_much = db
        .reverse_payment(l1, Some(70_000), "学籍年级更正", on, WHO)
        .await;
    assert!(
        matches!(&too_much, Err(StoreError::Invalid(m)) if m.contains("625.00")),
        "{too_much:?}"
    );
    // Part of a line: only what was paid beyond the 500 元 owed now (hostile review: 150 of a
    // 125 overpayment was accepted, and the 25 paid back again).
    let beyond = db
        .reverse_payment(l1, Some(15_000), "学籍年级更正", on, WHO)
        .await;
    assert!(
        matches!(&beyond, Err(StoreError::Invalid(m)) if m.contains("多 125.00 元")),
        "{beyond:?}"
    );
    db.reverse_payment(l1, Some(12_500), "学籍年级更正，多发差额", on, WHO)
        .await?;
    // Nothing more was overpaid: a second partial reversal is refused.
    let twice = db.reverse_payment(l1, Some(100), "再次", on, WHO).await;
    assert!(
        matches!(&twice, Err(StoreError::Invalid(m)) if m.contains("多 0.00 元")),
        "{twice:?}"
    );
    let over = db.record_recovery(l1, 12_501, on, "", WHO).await;
    assert!(matches!(over, Err(StoreError::Invalid(_))));
    db.record_recovery(l1, 12_500, on, "家长退回差额", WHO)
        .await?;
    // Raised back to 625 元 after the reversal: the 125 元 is owed again and paid as a difference.
    adjust(db, run_id, 1, 50_000, 62_500).await?;
    let made = db.create_batches(t, &boarding(), WHO).await?;
    let again = db.batch_lines(made[0]).await?;
    assert_eq!(
        again
            .iter()
            .map(|l| (l.id_number.clone(), l.amount_fen))
            .collect::<Vec<_>>(),
        vec![(ids(1), 12_500)]
    );
    Ok(())
}

/// Hostile review, second round: sequences of adjustments after the lock against batches in every
/// state. Amounts are as the adjustment run records them (after = what the lists give now).
/// A failed line lowered, re-issued, stopped and re-added is paid exactly what is owed; a line
/// lowered twice is reversed twice; a draft batch whose difference line was already recorded not
/// sent does not get stuck when the amount changes again.
async fn adjustments_in_every_state_pay_exactly_what_is_owed(db: &Db) -> TestResult {
    let t = autumn(2023);
    let on = ret(0, LineOutcome::Paid, "").on;
    let run_id = locked_term(db).await?;
    lock(db, run_id).await?;
    let b1 = db.create_batches(t, &boarding(), WHO).await?[0];
    let lines = db.batch_lines(b1).await?;
    let line_of = |n: u32| lines.iter().find(|l| l.id_number == ids(n)).map(|l| l.id);
    let (l1, l2, l3) = (
        line_of(1).ok_or("1")?,
        line_of(2).ok_or("2")?,
        line_of(3).ok_or("3")?,
    );
    db.prepare_bank_file(b1, WHO).await?;
    db.submit_batch(b1, WHO).await?;
    db.record_return(
        b1,
        &[
            ret(l1, LineOutcome::Paid, ""),
            ret(l2, LineOutcome::Failed, "户名不符"),
            ret(l3, LineOutcome::Paid, ""),
        ],
        WHO,
    )
    .await?;
    // Student 2: lowered to 500 while failed; the corrected account re-issues 500.
    adjust(db, run_id, 2, 62_500, 50_000).await?;
    import(
        db,
        meta(ListKind::PayeeAccounts, "更正.csv", None),
        vec![account(2, "家长二", 22)],
    )
    .await?;
    let re = db.reissue(b1, on, WHO).await?.0.ok_or("reissue")?;
    assert_eq!(db.batch_lines(re).await?[0].amount_fen, 50_000);
    // Stopped before the re-issue went out: its file has nothing to send, the batch is done
    // and closes, and so does the first batch.
    adjust(db, run_id, 2, 50_000, 0).await?;
    let (done, send) = db.prepare_bank_file(re, WHO).await?;
    assert!(send.is_empty());
    assert_eq!(done.state, BatchState::PartlyFailed);
    db.close_batch(re, WHO).await?;
    db.close_batch(b1, WHO).await?;
    // Added back at 625: paid 625 once, as a difference (nothing of it was paid).
    adjust(db, run_id, 2, 0, 62_500).await?;
    let made = db.create_batches(t, &boarding(), WHO).await?;
    let two: Vec<(String, i64)> = db
        .batch_lines(made[0])
        .await?
        .into_iter()
        .map(|l| (l.id_number, l.amount_fen))
        .collect();
    assert_eq!(two, vec![(ids(2), 62_500)]);
    // Student 1 (paid 625) lowered twice: each time the overpaid part is reversed.
    adjust(db, run_id, 1, 62_500, 50_000).await?;
    db.reverse_payment(l1, Some(12_500), "更正一", on, WHO)
        .await?;
    adjust(db, run_id, 1, 50_000, 25_000).await?;
    let too_much = db
        .reverse_payment(l1, Some(25_001), "更正二", on, WHO)
        .await;
    assert!(
        matches!(too_much, Err(StoreError::Invalid(_))),
        "{too_much:?}"
    );
    db.reverse_payment(l1, Some(25_000), "更正二", on, WHO)
        .await?;
    db.record_recovery(l1, 37_500, on, "两次多发一并退回", WHO)
        .await?;
    // Student 3 (paid 500) raised to 625: the 125 difference goes into a batch with student 4's
    // 500 (account now on record). Lowered to 550 after the file: not submitted; written again,
    // the difference is not sent and student 4 still is; lowered again to 450, the batch is not
    // stuck (the not-sent line is not picked again) and goes out.
    import(
        db,
        meta(ListKind::PayeeAccounts, "四.csv", None),
        vec![account(4, "家长四", 4)],
    )
    .await?;
    adjust(db, run_id, 3, 50_000, 62_500).await?;
    let bx = db.create_batches(t, &boarding(), WHO).await?[0];
    assert_eq!(db.prepare_bank_file(bx, WHO).await?.1.len(), 2);
    adjust(db, run_id, 3, 62_500, 55_000).await?;
    assert!(db.submit_batch(bx, WHO).await.is_err());
    let (_, send) = db.prepare_bank_file(bx, WHO).await?;
    assert_eq!(
        send.iter().map(|l| l.id_number.clone()).collect::<Vec<_>>(),
        vec![ids(4)]
    );
    adjust(db, run_id, 3, 55_000, 45_000).await?;
    db.prepare_bank_file(bx, WHO).await?;
    assert_eq!(db.submit_batch(bx, WHO).await?.state, BatchState::Submitted);
    Ok(())
}
