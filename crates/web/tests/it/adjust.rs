//! Adjustments after the lock (issue 6, item 5): a 低保 list corrected after the county locked
//! autumn 2023 makes 己 eligible and 丙 no longer eligible. The locked roster stays as it was; an
//! adjustment run records a back-payment and a stop with their reason, once; the back-payment is
//! paid in the next batch and the stopped line is never paid.

use crate::support::{County, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use zizhu_domain::approval::SignoffStep::{Confirm, Review};
use zizhu_domain::ListKind;
use zizhu_store::PayActor;

both!(a_late_found_eligible_student_is_back_paid_and_a_stopped_line_never_paid);

const WHO: PayActor<'static> = PayActor {
    name: "finance",
    origin: None,
};

fn card(n: u32) -> String {
    let body = format!("62220200000000{n:04}");
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|c| zizhu_domain::payment::luhn_ok(c))
        .unwrap_or(body)
}

async fn import(c: &County, kind: ListKind, name: &str, content: &str) {
    crate::support::import_list(c, kind, name, content).await;
}

async fn a_late_found_eligible_student_is_back_paid_and_a_stopped_line_never_paid(c: &County) {
    let term = crate::support::autumn();
    let policy = zizhu_policy::Policy::parse(include_str!("../../../../policy/2023.toml")).unwrap();
    let run = c.db.latest_run(term).await.unwrap().unwrap().id;
    for s in [SCHOOL_A, SCHOOL_B, SCHOOL_C] {
        c.db.signoff(term, s, Confirm, run, None, "s", "-", "")
            .await
            .unwrap();
        c.db.signoff(term, s, Review, run, Some((Confirm, run)), "t", "-", "")
            .await
            .unwrap();
    }
    c.db.lock_term(term, run, "chief", "-", "同意")
        .await
        .unwrap();
    let locked = c.db.entitlements(term, 0, 100).await.unwrap();
    // Nothing changed yet: no adjustment.
    let none = zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO)
        .await
        .unwrap();
    assert!(none.rows.is_empty());
    // The corrected 低保 list: 己 added (rural, valid on the reference day), 丙 gone.
    let dibao = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n甲演一,{},农村,2023-01-01,2023-12-31\n\
         乙演二,{},农村,2023-01-01,2023-12-31\n己演六,{},农村,2023-01-01,2023-12-31\n",
        c.a, c.b, c.dual
    );
    import(c, ListKind::Dibao, "低保-更正.csv", &dibao).await;
    // A dry run shows the differences and records nothing.
    let dry = zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, false, WHO)
        .await
        .unwrap();
    assert_eq!(dry.rows.len(), 2);
    assert!(c.db.adjustments(term).await.unwrap().is_empty());
    let s = zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO)
        .await
        .unwrap();
    // 二(一)2 第二款: 己, 农村低保, 初中非寄宿: 1,250 元/年 × 50 % = 625 元/年 → 312.50 元 this term.
    // 丙 (boarding junior, 625 元 this term) is no longer eligible: stopped.
    assert_eq!(s.rows.len(), 2, "{:?}", s.rows);
    let back = s.rows.iter().find(|a| a.kind == "back_pay").unwrap();
    assert_eq!(
        (back.id_number.as_str(), back.amount_fen),
        (c.dual.as_str(), 31_250)
    );
    assert_eq!(back.program, "nonboarding_living_subsidy");
    assert!(
        back.reason.contains("锁定后导入：低保《低保-更正.csv》"),
        "{}",
        back.reason
    );
    let stop = s.rows.iter().find(|a| a.kind == "recovery").unwrap();
    assert_eq!(
        (stop.id_number.as_str(), stop.amount_fen, stop.after_fen),
        (c.c.as_str(), 62_500, 0)
    );
    // The locked roster is as it was; running again records nothing new.
    assert_eq!(c.db.entitlements(term, 0, 100).await.unwrap(), locked);
    let again = zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO)
        .await
        .unwrap();
    assert!(again.rows.is_empty(), "{:?}", again.rows);
    // Another policy file than the locked run's: refused (a policy change is no list correction).
    let other = zizhu_app::adjust::adjust_term(&c.db, &policy, "other", term, true, WHO).await;
    assert!(other.is_err());
    // 己 removed, then added again (hostile review: the two back-payments blocked every batch,
    // and a stopped back-payment was still paid): only the latest adjustment counts.
    let without = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n甲演一,{},农村,2023-01-01,2023-12-31\n\
         乙演二,{},农村,2023-01-01,2023-12-31\n",
        c.a, c.b
    );
    import(c, ListKind::Dibao, "低保-再更正.csv", &without).await;
    let s = zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO)
        .await
        .unwrap();
    assert_eq!(s.rows.len(), 1);
    assert_eq!((s.rows[0].kind, s.rows[0].after_fen), ("recovery", 0));
    assert!(
        s.rows[0]
            .reason
            .contains("上次调整后导入：低保《低保-再更正.csv》"),
        "{}",
        s.rows[0].reason
    );
    // Paying: 甲 (roster) and 己 have accounts, and so has 丙 — whose line is stopped.
    let accounts = format!(
        "学生姓名,学生身份证件号,领款人姓名,卡号,开户银行\n甲演一,{},甲演父,{},演示银行\n\
         己演六,{},己演母,{},演示银行\n丙演三,{},丙演父,{},演示银行\n",
        c.a,
        card(1),
        c.dual,
        card(2),
        c.c,
        card(3)
    );
    import(c, ListKind::PayeeAccounts, "accounts.csv", &accounts).await;
    let lines_of = |made: Vec<zizhu_store::BatchRow>| async move {
        let mut v: Vec<(String, i64)> = Vec::new();
        for b in &made {
            for l in c.db.batch_lines(b.id).await.unwrap() {
                v.push((l.id_number, l.amount_fen));
            }
        }
        v
    };
    let made = zizhu_app::payments::make_batches(&c.db, &policy, term, WHO)
        .await
        .unwrap();
    assert_eq!(
        lines_of(made).await,
        vec![(c.a.clone(), 62_500)],
        "己 stopped, 丙 stopped"
    );
    // 己 back again: paid once, in the next batch. Two adjustment runs at once record it once.
    import(c, ListKind::Dibao, "低保-三更.csv", &dibao).await;
    let before = c.db.adjustments(term).await.unwrap().len();
    let (x, y) = tokio::join!(
        zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO),
        zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO)
    );
    // Whichever ran second was refused, or found nothing left to record: one row either way.
    assert!(x.is_ok() || y.is_ok(), "{x:?} {y:?}");
    assert_eq!(c.db.adjustments(term).await.unwrap().len(), before + 1);
    let made = zizhu_app::payments::make_batches(&c.db, &policy, term, WHO)
        .await
        .unwrap();
    assert_eq!(lines_of(made).await, vec![(c.dual.clone(), 31_250)]);
    // 甲 found ineligible after its batch was made: stopped, so not sent — failed as not sent
    // when the batch is submitted, never re-issued, and the batch can close.
    let first =
        c.db.batches(Some(term))
            .await
            .unwrap()
            .into_iter()
            .min_by_key(|b| b.id)
            .unwrap();
    let only_yi = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n乙演二,{},农村,2023-01-01,2023-12-31\n\
         己演六,{},农村,2023-01-01,2023-12-31\n",
        c.b, c.dual
    );
    c.db.prepare_bank_file(first.id, WHO).await.unwrap();
    import(c, ListKind::Dibao, "低保-四更.csv", &only_yi).await;
    zizhu_app::adjust::adjust_term(&c.db, &policy, "sha", term, true, WHO)
        .await
        .unwrap();
    // The bank file was written before the adjustment: not to be submitted as it is.
    let stale = c.db.submit_batch(first.id, WHO).await;
    assert!(
        matches!(&stale, Err(zizhu_store::StoreError::Invalid(m)) if m.contains("请重新生成代发文件")),
        "{stale:?}"
    );
    // Written again: 甲's line is recorded not sent, and as nothing is left to send the batch is
    // done without the bank (nothing to submit).
    let (done, send) = c.db.prepare_bank_file(first.id, WHO).await.unwrap();
    assert!(send.is_empty());
    assert_eq!(done.state, zizhu_domain::payment::BatchState::PartlyFailed);
    let l = &c.db.batch_lines(first.id).await.unwrap()[0];
    assert!(
        matches!(&l.outcome, Some((zizhu_domain::payment::LedgerKind::Failed, why)) if why == zizhu_store::NOT_SENT),
        "{:?}",
        l.outcome
    );
    let (none, waiting) =
        c.db.reissue(first.id, crate::support::today(), WHO)
            .await
            .unwrap();
    assert_eq!((none, waiting), (None, 0));
    c.db.close_batch(first.id, WHO).await.unwrap();
    // The coverage counts the back-payment as planned, and not the stopped line.
    let all = zizhu_store::ScopeFilter {
        township: None,
        school: None,
    };
    let cov = zizhu_app::payments::coverage(&c.db, term, all)
        .await
        .unwrap();
    // 乙 500 + 己 312.50 (甲 and 丙 stopped).
    assert_eq!(cov.planned_fen, 50_000 + 31_250);
    let log = c.db.audit_entries(10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "roster_adjust"));
    // Each scope sees its adjustments: school A's (己 back-paid, stopped, back-paid again; 甲
    // stopped), not school C's (丙); IDs masked.
    let t = crate::api::token(c, "school_a").await;
    let (s, v) = crate::api::get(c, "/api/payments/adjustments?term=2023-autumn", Some(&t)).await;
    assert_eq!(s, axum::http::StatusCode::OK);
    let v = v.as_array().unwrap();
    assert_eq!(v.len(), 4, "{v:?}");
    assert_eq!(
        (&v[0]["kind"], &v[0]["amount_fen"]),
        (&"补发".into(), &31_250.into())
    );
    assert!(v.iter().all(|a| a["name"] != "丙演三"));
    assert!(!serde_json::to_string(&v).unwrap().contains(&c.dual));
    let mut county = c.signed_in("county").await;
    let page = county.get("/payments?term=2023-autumn").await;
    assert!(page.body.contains("锁定后的调整（5 笔）") && page.body.contains("追回/停发"));
    // 己's back-payment is paid; then found to be in primary school (二(一)2 第二款: 1,000 元 a
    // year × 50 % = 250 元 this term, not 312.50): 62.50 元 paid too much, listed to reverse;
    // reversed in part, the payment counts 250 元 and nothing is left to review.
    let line =
        c.db.term_lines(term)
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.id_number == c.dual)
            .unwrap();
    c.db.prepare_bank_file(line.batch_id, WHO).await.unwrap();
    c.db.submit_batch(line.batch_id, WHO).await.unwrap();
    let paid = zizhu_store::ReturnLine {
        line_id: line.id,
        outcome: zizhu_domain::payment::LineOutcome::Paid,
        reason: String::new(),
        on: crate::support::today(),
    };
    c.db.record_return(line.batch_id, &[paid], WHO)
        .await
        .unwrap();
    let seen = c.db.adjustments(term).await.unwrap().last().unwrap().id;
    let back =
        c.db.adjustments(term)
            .await
            .unwrap()
            .into_iter()
            .rfind(|a| a.new.id_number == c.dual)
            .unwrap()
            .new;
    let lower = zizhu_store::NewAdjustment {
        kind: "recovery",
        amount_fen: 6_250,
        before_fen: 31_250,
        after_fen: 25_000,
        reason: "学籍年级更正".into(),
        ..back
    };
    c.db.record_adjustments(term, run, &[lower], seen, WHO)
        .await
        .unwrap();
    let cov = zizhu_app::payments::coverage(&c.db, term, all)
        .await
        .unwrap();
    let over = cov
        .without_entitlement
        .iter()
        .find(|u| u.id_number == c.dual)
        .unwrap();
    assert_eq!((over.amount_fen, over.line_id), (6_250, Some(line.id)));
    assert!(over.why.contains("多发 62.50 元"), "{}", over.why);
    assert_eq!(cov.overpaid_fen, 6_250);
    // 应发 = 已发 + 应发未发 + 清退后不再发放 − 多发 (newcomer review: the totals did not add up).
    let unpaid: i64 = cov.unpaid.iter().map(|u| u.amount_fen).sum();
    assert_eq!(
        cov.planned_fen,
        cov.paid_fen + unpaid + cov.written_off_fen - cov.overpaid_fen
    );
    assert_eq!(cov.planned_fen, 50_000 + 25_000);
    // Nothing to pay for a lowered amount.
    assert!(zizhu_app::payments::make_batches(&c.db, &policy, term, WHO)
        .await
        .unwrap()
        .is_empty());
    c.db.reverse_payment(
        line.id,
        Some(6_250),
        "学籍年级更正，多发差额",
        crate::support::today(),
        WHO,
    )
    .await
    .unwrap();
    let cov = zizhu_app::payments::coverage(&c.db, term, all)
        .await
        .unwrap();
    assert!(cov
        .without_entitlement
        .iter()
        .all(|u| u.id_number != c.dual));
    assert!(
        cov.unpaid.iter().all(|u| u.id_number != c.dual),
        "{:?}",
        cov.unpaid
    );
    assert_eq!((cov.reversed_fen, cov.overpaid_fen), (6_250, 0));
    // 乙 has no account: 500 元 unpaid; 己 paid 250 元 net.
    assert_eq!(cov.paid_fen, 25_000);
    let unpaid: i64 = cov.unpaid.iter().map(|u| u.amount_fen).sum();
    assert_eq!(
        cov.planned_fen,
        cov.paid_fen + unpaid + cov.written_off_fen - cov.overpaid_fen
    );
}
