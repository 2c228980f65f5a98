//! Complaints (群众反映问题, 四(三)) on the web and in the API: each scope lodges and sees its own
//! students' tickets, the contact is masked for the auditor, who changes nothing, finance sees
//! none; a township hands on within its township only; moves follow the state machine; links must
//! be the student's; every view and change is audited, never the contact.

use crate::api::{get, post, token};
use crate::support::{today, County, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use axum::http::StatusCode;

both!(complaints_scoped_masked_and_moved);

fn days(n: u64) -> String {
    today()
        .checked_add_days(chrono::Days::new(n))
        .unwrap()
        .to_string()
}

async fn complaints_scoped_masked_and_moved(c: &County) {
    let (county, school_a, school_c, town, auditor) = (
        token(c, "county").await,
        token(c, "school_a").await,
        token(c, "school_c").await,
        token(c, "town").await,
        token(c, "auditor").await,
    );
    let lodge = |id: &str, category: &str, extra: &str| {
        format!(
            r#"{{"id_number": "{id}", "category": "{category}", "source": "family", "complainant": "演示家长", "contact": "13812345678", "summary": "秋季学期生活补助未到账"{extra}}}"#
        )
    };
    // School A lodges about its 甲: 未收到资助, due 15 calendar days after today (四(三),
    // policy/2023.toml), owned by school A.
    let (s, t) = post(
        c,
        "/api/complaints",
        &school_a,
        &lodge(&c.a, "aid_not_received", ""),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["due_on"], days(15));
    assert_eq!(t["state"], "received");
    assert_eq!(t["owner"], format!("学校 {SCHOOL_A}"));
    assert_eq!(t["clause"], "四(三)");
    assert_eq!(t["contact"], "13812345678", "the handler sees the contact");
    assert!(!t.to_string().contains(&c.a), "ID masked");
    let id = t["id"].as_i64().unwrap();
    let path = format!("/api/complaints/{id}");
    let move_path = format!("/api/complaints/{id}/transition");

    // School C may not lodge about 甲, nor see the ticket.
    let (s, e) = post(c, "/api/complaints", &school_c, &lodge(&c.a, "other", "")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("不在您的数据范围内"));
    assert_eq!(
        get(c, &path, Some(&school_c)).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list_c) = get(c, "/api/complaints", Some(&school_c)).await;
    assert_eq!(list_c.as_array().unwrap().len(), 0);
    // An unknown field is refused.
    let (s, _) = post(
        c,
        "/api/complaints",
        &school_a,
        &lodge(&c.a, "other", r#", "x": 1"#),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The auditor reads it with the contact masked and may change nothing.
    let (s, d) = get(c, &path, Some(&auditor)).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["ticket"]["contact"], "138****5678");
    assert_eq!(d["transitions"].as_array().unwrap().len(), 0);
    let start = r#"{"transition": "start"}"#;
    assert_eq!(
        post(c, &move_path, &auditor, start).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(c, "/api/complaints", &auditor, &lodge(&c.a, "other", ""))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // Finance sees no complaints.
    let finance =
        zizhu_domain::access::Access::new(zizhu_domain::access::Role::FinanceOfficer, None, None)
            .unwrap();
    zizhu_app::accounts::add_user(
        &c.db,
        "finance",
        "finance",
        &finance,
        crate::support::PASSWORD,
        "test",
    )
    .await
    .unwrap();
    let f = token(c, "finance").await;
    assert_eq!(
        get(c, "/api/complaints", Some(&f)).await.0,
        StatusCode::FORBIDDEN
    );

    // The school that owns it may start it, not close or hand it on.
    let (_, d) = get(c, &path, Some(&school_a)).await;
    assert_eq!(d["transitions"], serde_json::json!(["start"]));
    // The township hands it to school B (its own township), not to school C (银坑镇).
    let to_c = format!(r#"{{"transition": "assign", "owner": "{SCHOOL_C}"}}"#);
    let (s, e) = post(c, &move_path, &town, &to_c).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("乡镇只能把本乡镇的工单"),
        "{e}"
    );
    let to_b = format!(r#"{{"transition": "assign", "owner": "{SCHOOL_B}"}}"#);
    let (s, t) = post(c, &move_path, &town, &to_b).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(
        (t["state"].as_str(), t["owner"].clone()),
        (Some("assigned"), format!("学校 {SCHOOL_B}").into())
    );
    // School A no longer owns it: it sees it (its student) but may not start it.
    let (s, e) = post(c, &move_path, &school_a, start).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"].as_str().unwrap().contains("不由本单位承办"),
        "{e}"
    );
    // The county hands it back; school A starts and resolves (the result is required).
    let to_a = format!(r#"{{"transition": "assign", "owner": "{SCHOOL_A}"}}"#);
    assert_eq!(post(c, &move_path, &county, &to_a).await.0, StatusCode::OK);
    assert_eq!(
        post(c, &move_path, &school_a, start).await.0,
        StatusCode::OK
    );
    let (s, e) = post(c, &move_path, &school_a, r#"{"transition": "resolve"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("请填写办理结果"));
    let resolve = r#"{"transition": "resolve", "note": "已补发"}"#;
    let (s, t) = post(c, &move_path, &school_a, resolve).await;
    assert_eq!((s, t["state"].as_str()), (StatusCode::OK, Some("resolved")));
    assert_eq!(t["resolved_on"], today().to_string());

    // The county closes it on the page (form, CSRF); closed is final.
    let mut web = c.signed_in("county").await;
    let page = web.get(&format!("/complaints/{id}")).await;
    assert!(
        page.body.contains("结案") && page.body.contains("已补发"),
        "{}",
        page.body
    );
    let csrf = crate::support::Client::csrf_in(&page.body);
    let done = web
        .post(
            &format!("/complaints/{id}/transition"),
            &[("csrf", &csrf), ("transition", "close")],
        )
        .await;
    assert!(done.body.contains("已结案"), "{}", done.body);
    let (s, e) = post(
        c,
        &move_path,
        &county,
        r#"{"transition": "reopen", "note": "x"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"]
        .as_str()
        .unwrap()
        .contains("已结案的工单不能再变更"));

    // Links: 丁's case is not 甲's; 丁 (out of school, only in the ledger) can be complained
    // about with the case: 失学辍学 is due in 7 days, in 贡江镇.
    let case = format!(r#", "case_id": {}"#, c.case_a);
    let (s, e) = post(
        c,
        "/api/complaints",
        &county,
        &lodge(&c.a, "out_of_school", &case),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("不是该学生的"), "{e}");
    let ding = crate::support::id("20120601", 14);
    let (s, t) = post(
        c,
        "/api/complaints",
        &county,
        &lodge(&ding, "out_of_school", &case),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(
        (t["due_on"].clone(), t["township"].clone()),
        (days(7).into(), "贡江镇".into())
    );

    // The list page: school A has the lodging form, the auditor not.
    let mut sa = c.signed_in("school_a").await;
    let list = sa.get("/complaints").await;
    assert!(list.body.contains("受理登记") && list.body.contains("甲演一"));
    let mut au = c.signed_in("auditor").await;
    let list = au.get("/complaints").await;
    assert!(!list.body.contains("受理登记") && list.body.contains("甲演一"));
    assert!(!list.body.contains("13812345678"));

    // The dashboard counts the scope's open tickets: 甲's is closed, 丁's (school A's case,
    // received today) is open and not overdue; school C has none.
    for (user, open) in [("school_a", 1), ("town", 1), ("school_c", 0)] {
        let home = c.signed_in(user).await.get("/").await;
        let want = format!("未办结 {open} 件，其中超期 <a href=\"/complaints?overdue=1\">0 件</a>");
        assert!(home.body.contains(&want), "{user}: {}", home.body);
    }

    let log = c.db.audit_entries(200).await.unwrap();
    for action in [
        "view_complaints",
        "view_complaint",
        "complaint_lodge",
        "complaint_move",
    ] {
        assert!(log.iter().any(|e| e.action == action), "{action}");
    }
    assert!(log.iter().all(|e| !e.detail.contains("13812345678")));
}
