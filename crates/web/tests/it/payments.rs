//! Paying on the web and through the API: every role sees its scope's coverage (who is entitled
//! and not yet paid, and why), only the finance officer makes and submits batches and downloads a
//! bank file, and nothing is paid before the county locks the roster.

use crate::api::{get, post, token};
use crate::support::{County, PASSWORD, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt as _;
use zizhu_domain::access::{Access, Role};
use zizhu_domain::approval::SignoffStep::{Confirm, Review};

both!(a_locked_roster_is_paid_by_finance_and_each_scope_sees_its_gaps);

/// A card number with its Luhn check digit.
fn card(n: u32) -> String {
    let body = format!("62220200000000{n:04}");
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|c| zizhu_domain::payment::luhn_ok(c))
        .unwrap_or(body)
}

async fn a_locked_roster_is_paid_by_finance_and_each_scope_sees_its_gaps(c: &County) {
    let county = token(c, "county").await;
    // Accounts for 甲 and 丙; 乙's guardian has handed in no card.
    let accounts = format!(
        "学生姓名,学生身份证件号,领款人姓名,与学生关系,卡号,开户银行\n甲演一,{},甲演父,父亲,{},演示银行\n丙演三,{},丙演母,母亲,{},演示银行\n",
        c.a,
        card(1),
        c.c,
        card(3)
    );
    let req = Request::post("/api/imports?kind=payee_accounts&file_name=accounts.csv")
        .header(header::AUTHORIZATION, format!("Bearer {county}"))
        .body(Body::from(accounts))
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let t = r["token"].as_str().unwrap_or_else(|| panic!("{r}"));
    let (s, _) = post(c, &format!("/api/imports/{t}/confirm"), &county, "").await;
    assert_eq!(s, StatusCode::OK);
    let finance = Access::new(Role::FinanceOfficer, None, None).unwrap();
    zizhu_app::accounts::add_user(&c.db, "finance", "finance", &finance, PASSWORD, "test")
        .await
        .unwrap();
    let f = token(c, "finance").await;
    let school_a = token(c, "school_a").await;

    // Before the lock: nothing is paid, and the school sees why.
    let (s, cov) = get(
        c,
        "/api/payments/coverage?term=2023-autumn",
        Some(&school_a),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(cov["locked"], false);
    assert_eq!(
        cov["unpaid"].as_array().unwrap().len(),
        1,
        "its own student only"
    );
    assert_eq!(cov["unpaid"][0]["why"], "名单未审批锁定");
    assert!(
        !serde_json::to_string(&cov).unwrap().contains(&c.a),
        "ID masked"
    );
    let (s, e) = post(c, "/api/payments/batches", &f, r#"{"term": "2023-autumn"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("尚未审批锁定"), "{e}");

    // The roster approved and locked (school, township, county).
    let term = crate::support::autumn();
    let run = c.db.latest_run(term).await.unwrap().unwrap().id;
    for s in [SCHOOL_A, SCHOOL_B, SCHOOL_C] {
        c.db.signoff(term, s, Confirm, run, None, "s", "-", "")
            .await
            .unwrap();
        c.db.signoff(term, s, Review, run, Some((Confirm, run)), "t", "-", "")
            .await
            .unwrap();
    }
    c.db.lock_term(term, run, "county", "-", "同意")
        .await
        .unwrap();

    // Only finance makes batches: the county (which approves) may not pay.
    let (s, _) = post(
        c,
        "/api/payments/batches",
        &county,
        r#"{"term": "2023-autumn"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, made) = post(c, "/api/payments/batches", &f, r#"{"term": "2023-autumn"}"#).await;
    assert_eq!(s, StatusCode::OK, "{made}");
    let made = made.as_array().unwrap();
    assert_eq!(made.len(), 1);
    // 二(一)2 第一款: 甲 and 丙 boarding junior, 625 元 each this term; 乙 has no account.
    assert_eq!(
        (&made[0]["lines"], &made[0]["total_fen"]),
        (&2.into(), &125_000.into())
    );
    let id = made[0]["id"].as_i64().unwrap();
    let (_, cov) = get(c, "/api/payments/coverage?term=2023-autumn", Some(&county)).await;
    let whys: Vec<&str> = cov["unpaid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["why"].as_str().unwrap())
        .collect();
    assert_eq!(
        whys.iter().filter(|w| **w == "无收款账户").count(),
        1,
        "{whys:?}"
    );
    assert_eq!(
        whys.iter().filter(|w| **w == "批次未提交银行").count(),
        2,
        "{whys:?}"
    );
    assert_eq!(cov["planned_fen"], 175_000);
    // The bank file: finance only, audited; then submitted.
    let mut web = c.signed_in("school_a").await;
    assert_eq!(
        web.get(&format!("/payments/batches/{id}/file"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut fin = c.signed_in("finance").await;
    let (s, bytes) = fin
        .get_raw(&format!("/payments/batches/{id}/file"))
        .await_bytes()
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes.starts_with(b"PK"));
    let (s, b) = post(c, &format!("/api/payments/batches/{id}/submit"), &f, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["state"], "submitted");
    let log = c.db.audit_entries(20).await.unwrap();
    for action in [
        "payment_batch_create",
        "payment_file_export",
        "payment_batch_submit",
    ] {
        assert!(
            log.iter()
                .any(|e| e.action == action && e.actor == "finance"),
            "{action}"
        );
    }
    // The pages: the school sees its student waiting for the bank, no batches; finance sees the
    // batch; the school cannot list batches through the API either.
    let page = web.get("/payments?term=2023-autumn").await;
    assert!(page.body.contains("已提交银行，待回盘") && page.body.contains("甲演一"));
    assert!(!page.body.contains("丙演三") && !page.body.contains("发放批次</h2>"));
    let page = fin.get("/payments?term=2023-autumn").await;
    assert!(page.body.contains("发放批次</h2>") && page.body.contains("已提交银行"));
    assert_eq!(
        get(c, "/api/payments/batches", Some(&school_a)).await.0,
        StatusCode::FORBIDDEN
    );
}
