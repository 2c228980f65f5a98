//! Paying on the web and through the API: every role sees its scope's coverage (who is entitled
//! and not yet paid, and why), only the finance officer makes and submits batches and downloads a
//! bank file, and nothing is paid before the county locks the roster.

use crate::api::{get, post, token};
use crate::support::{Client, County, Resp, PASSWORD, SCHOOL_A, SCHOOL_B, SCHOOL_C};
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

    // The bank's return through the page: a wrong amount refuses the whole file, saying where;
    // then 甲 paid and 丙 returned by the bank; re-issue waits for a corrected account; the batch
    // cannot be closed while 丙 waits.
    let lines = c.db.batch_lines(id).await.unwrap();
    let row = |l: &zizhu_store::LineRow, amount: &str, result: &str, why: &str| {
        format!("{},{},{amount},{result},{why}\n", l.id, l.account_no)
    };
    let (jia, bing) = if lines[0].id_number == c.a {
        (&lines[0], &lines[1])
    } else {
        (&lines[1], &lines[0])
    };
    let head = "明细编号,账号,金额（元）,处理结果,失败原因\n";
    let wrong = format!(
        "{head}{}{}",
        row(jia, "625.00", "成功", ""),
        row(bing, "600.00", "失败", "账户已销户")
    );
    // Through the API first: the same check, nothing recorded, the problems listed.
    let req = Request::post(format!("/api/payments/batches/{id}/return?file_name=r.csv"))
        .header(header::AUTHORIZATION, format!("Bearer {f}"))
        .body(Body::from(wrong.clone()))
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["recorded"], false);
    assert!(v["problems"][0].as_str().unwrap().contains("625.00"), "{v}");
    let csrf = Client::csrf_in(&fin.get("/payments?term=2023-autumn").await.body);
    let r = return_upload(&mut fin, id, &csrf, &wrong).await;
    assert!(
        r.body.contains("全部未登记") && r.body.contains("与代发金额 625.00 元不一致"),
        "{}",
        r.body
    );
    assert!(c.db.ledger(term).await.unwrap().is_empty());
    let good = format!(
        "{head}{}{}",
        row(jia, "625.00", "成功", ""),
        row(bing, "625.00", "失败", "账户已销户")
    );
    let r = return_upload(&mut fin, id, &csrf, &good).await;
    assert!(r.body.contains("成功 1 笔，失败 1 笔"), "{}", r.body);
    let r = fin
        .post(
            &format!("/payments/batches/{id}/reissue"),
            &[("csrf", &csrf)],
        )
        .await;
    assert!(r.body.contains("没有可以重新发放的明细"), "{}", r.body);
    let r = fin
        .post(&format!("/payments/batches/{id}/close"), &[("csrf", &csrf)])
        .await;
    assert!(
        r.body.contains("未执行") && r.body.contains("未重新发放"),
        "{}",
        r.body
    );
    let (s, e) = post(c, &format!("/api/payments/batches/{id}/close"), &f, "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, v) = post(c, &format!("/api/payments/batches/{id}/reissue"), &f, "").await;
    assert_eq!((s, v), (StatusCode::OK, serde_json::Value::Null));
    // Verification: finance draws (甲 is the only paid line), school A records the family's
    // denial, which opens a follow-up only the township or county closes.
    let r = fin
        .post(
            "/payments/act/sample",
            &[("csrf", &csrf), ("term", "2023-autumn")],
        )
        .await;
    assert!(r.body.contains("抽取已发放学生 1 人"), "{}", r.body);
    // Drawn again: the school has its sample already (newcomer review: each draw added more).
    let r = fin
        .post(
            "/payments/act/sample",
            &[("csrf", &csrf), ("term", "2023-autumn")],
        )
        .await;
    assert!(r.body.contains("抽取已发放学生 0 人"), "{}", r.body);
    let (s, vs) = get(
        c,
        "/api/payments/verifications?term=2023-autumn",
        Some(&school_a),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let vid = vs[0]["id"].as_i64().unwrap();
    let path = format!("/api/payments/verifications/{vid}");
    let (s, e) = post(c, &path, &school_a, r#"{"result": "denied"}"#).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a denial needs what was said: {e}"
    );
    let (s, _) = post(
        c,
        &path,
        &school_a,
        r#"{"result": "denied", "note": "家长称未收到"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(
        c,
        &format!("{path}/close"),
        &school_a,
        r#"{"note": "已到账"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let t_town = token(c, "town").await;
    let (s, _) = post(
        c,
        &format!("{path}/close"),
        &t_town,
        r#"{"note": "已到账，家长未查看"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let t_c = token(c, "school_c").await;
    assert_eq!(
        post(c, &path, &t_c, r#"{"result": "confirmed"}"#).await.0,
        StatusCode::NOT_FOUND,
        "another school's verification"
    );
    // Reversal and recovery (finance only); an adjustment run (county only) finds nothing new.
    let line = format!("/api/payments/lines/{}", jia.id);
    assert_eq!(
        post(c, &format!("{line}/reverse"), &county, r#"{"reason": "x"}"#)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, _) = post(
        c,
        &format!("{line}/reverse"),
        &f,
        r#"{"reason": "经核查不符合条件"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = post(
        c,
        &format!("{line}/recover"),
        &f,
        r#"{"amount_fen": 70000}"#,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "more than reversed: {e}");
    let (s, _) = post(
        c,
        &format!("{line}/recover"),
        &f,
        r#"{"amount_fen": 62500}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        post(c, "/api/payments/adjust", &f, r#"{"term": "2023-autumn"}"#)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, d) = post(
        c,
        "/api/payments/adjust",
        &county,
        r#"{"term": "2023-autumn"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(d["message"].as_str().unwrap().contains("没有差别"), "{d}");
    // The fee statement: for finance (and the county, auditors), not a school.
    let (s, bytes) = fin
        .get_raw("/payments/waivers?term=2023-autumn")
        .await_bytes()
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes.starts_with(b"PK"));
    assert_eq!(
        web.get("/payments/waivers").await.status,
        StatusCode::FORBIDDEN
    );
    // The same statement in the API, in sums (no student in it); not for a school.
    let (s, w) = get(c, "/api/payments/waivers?term=2023-autumn", Some(&f)).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    let per: i64 = w["per_school"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(Some(per), w["total_fen"].as_i64());
    assert_eq!(w["locked"], true);
    assert_eq!(
        get(c, "/api/payments/waivers?term=2023-autumn", Some(&school_a))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // A mistyped field is refused, not read as a real run (hostile review: "dryRun" recorded).
    let (s, _) = post(
        c,
        "/api/payments/adjust",
        &county,
        r#"{"term": "2023-autumn", "dryRun": true}"#,
    )
    .await;
    assert_ne!(s, StatusCode::OK);
    // A dry run of an adjustment records nothing, from the API as from the page.
    let (s, d) = post(
        c,
        "/api/payments/adjust",
        &county,
        r#"{"term": "2023-autumn", "dry_run": true}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // The dashboard shows the scope's payments (一个不落), from the same audit as /payments.
    let (_, cov) = get(c, "/api/payments/coverage?term=2023-autumn", Some(&county)).await;
    // A scope's audit cut from the county's (as the pages and the dashboard do) has the same
    // figures as one computed for the scope alone.
    let term = crate::support::autumn();
    let all = zizhu_store::ScopeFilter {
        township: None,
        school: None,
    };
    let county_cov = zizhu_app::payments::coverage(&c.db, term, all)
        .await
        .unwrap();
    let towns: std::collections::HashMap<String, String> =
        c.db.schools()
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.code, s.township))
            .collect();
    for scope in [
        zizhu_store::ScopeFilter {
            township: None,
            school: Some(SCHOOL_A),
        },
        zizhu_store::ScopeFilter {
            township: Some("贡江镇"),
            school: None,
        },
    ] {
        let alone = zizhu_app::payments::coverage(&c.db, term, scope)
            .await
            .unwrap();
        let cut = county_cov.scoped(scope, &towns);
        let figures = |c: &zizhu_app::payments::Coverage| {
            (
                c.planned_fen,
                c.paid_fen,
                c.failed_fen,
                c.reversed_fen,
                c.recovered_fen,
                c.overpaid_fen,
                c.written_off_fen,
                c.by_gap.clone(),
                c.unpaid.clone(),
                c.schools.clone(),
            )
        };
        assert_eq!(figures(&cut), figures(&alone));
    }
    // After a whole reversal of a line still on the roster, the totals still reconcile.
    let n = |k: &str| cov[k].as_i64().unwrap();
    let unpaid: i64 = cov["unpaid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["amount_fen"].as_i64().unwrap())
        .sum();
    assert!(n("written_off_fen") > 0, "{cov}");
    assert_eq!(
        n("planned_fen"),
        n("paid_fen") + unpaid + n("written_off_fen") - n("overpaid_fen")
    );
    let mut chief = c.signed_in("county").await;
    let home = chief.get("/?term=2023-autumn").await.body;
    assert!(home.contains("资金发放（一个不落）"), "{home}");
    let paid = zizhu_domain::money::grouped_yuan(cov["paid_fen"].as_i64().unwrap());
    assert!(home.contains(&format!("已发放 {paid} 元")), "{paid}");
    // A line number that is not a number: said so, not a bare 422.
    let csrf_f = Client::csrf_in(&fin.get("/payments?term=2023-autumn").await.body);
    let r = fin
        .post(
            "/payments/act/reverse",
            &[
                ("csrf", csrf_f.as_str()),
                ("term", "2023-autumn"),
                ("line", "第三笔"),
                ("reason", "x"),
            ],
        )
        .await;
    assert!(r.body.contains("发放明细编号应为正整数"), "{}", r.body);
    // A school's officer cannot upload a return.
    let csrf_a = Client::csrf_in(&web.get("/payments").await.body);
    let r = return_upload(&mut web, id, &csrf_a, &good).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// A bank return uploaded on the payments page.
async fn return_upload(b: &mut Client, batch: i64, csrf: &str, content: &str) -> Resp {
    let boundary = "zizhu-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"回盘.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    let cookies: Vec<String> = b.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let req = Request::post(format!("/payments/batches/{batch}/return"))
        .header(header::COOKIE, cookies.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    b.send(req).await
}
