//! The dropout ledger on the web (一生一案, 二(二)): scope as everywhere, moves and actions through
//! the same checks as the command line, each recorded with the user and the client's address;
//! the auditor reads and changes nothing.

use crate::support::{Client, County};
use axum::http::StatusCode;
use zizhu_domain::dropout::CaseState;

both!(
    cases_are_scoped_like_students,
    a_school_verifies_and_confirms_its_case,
    refused_moves_change_nothing_and_say_why,
    auditor_reads_cases_and_changes_nothing,
);

async fn cases_are_scoped_like_students(c: &County) {
    let mut s = c.signed_in("school_a").await;
    let list = s.get("/cases").await;
    assert!(list.body.contains("丁演四") && !list.body.contains("戊演五"));
    assert_eq!(
        s.get(&format!("/cases/{}", c.case_a)).await.status,
        StatusCode::OK
    );
    let other = s.get(&format!("/cases/{}", c.case_c)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.body.contains("戊演五"));
    // Changing another school's case by a forged form: 404, and the case is untouched.
    let csrf = Client::csrf_in(&list.body);
    let r = s
        .post(
            &format!("/cases/{}/move", c.case_c),
            &[("csrf", &csrf), ("action", "verify")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s
        .post(
            &format!("/cases/{}/act", c.case_c),
            &[("csrf", &csrf), ("kind", "home_visit"), ("note", "伪造")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let untouched = c.db.case(c.case_c).await.unwrap().unwrap();
    assert_eq!(untouched.state, CaseState::Suspected);
    assert_eq!(
        c.db.case_events(c.case_c).await.unwrap().len(),
        1,
        "only its opening"
    );
    // The township officer of 贡江镇 sees 丁 (resident there), not 戊 (银坑镇).
    let mut t = c.signed_in("town").await;
    let list = t.get("/cases").await;
    assert!(list.body.contains("丁演四") && !list.body.contains("戊演五"));
    // A township also sees the cases its schools are responsible for, wherever the child lives:
    // the county makes school A responsible for 戊.
    let county = zizhu_store::Actor {
        name: "county".into(),
        level: zizhu_domain::dropout::UserLevel::County,
        origin: None,
    };
    let day = crate::support::today();
    c.db.assign_case(
        c.case_c,
        Some(crate::support::SCHOOL_A),
        None,
        None,
        day,
        &county,
    )
    .await
    .unwrap();
    // The audit entry says what the responsibility was and became.
    let log = c.db.audit_entries(5).await.unwrap();
    let e = log.iter().find(|e| e.action == "case_assign").unwrap();
    assert_eq!(
        e.before.as_deref(),
        Some(format!("责任学校 {}", crate::support::SCHOOL_C).as_str())
    );
    assert_eq!(
        e.after.as_deref(),
        Some(format!("责任学校 {}", crate::support::SCHOOL_A).as_str())
    );
    let list = t.get("/cases").await;
    assert!(list.body.contains("戊演五"), "its school is in 贡江镇");
    assert_eq!(
        t.get(&format!("/cases/{}", c.case_c)).await.status,
        StatusCode::OK
    );
}

async fn a_school_verifies_and_confirms_its_case(c: &County) {
    let mut s = c.signed_in("school_a").await;
    let page = s.get(&format!("/cases/{}", c.case_a)).await;
    assert!(page.body.contains("开始核查"), "the move the state allows");
    assert!(
        !page.body.contains("value=\"close\""),
        "closing is the county's"
    );
    let csrf = Client::csrf_in(&page.body);
    let path = format!("/cases/{}/move", c.case_a);
    let r = s
        .post(&path, &[("csrf", &csrf), ("action", "verify"), ("on", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = s
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("action", "confirm"),
                ("note", "家访核实已外出务工"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = s
        .post(
            &format!("/cases/{}/act", c.case_a),
            &[
                ("csrf", &csrf),
                ("kind", "home_visit"),
                ("note", "班主任第一次家访"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = c.db.case(c.case_a).await.unwrap().unwrap();
    assert_eq!(now.state, CaseState::Confirmed);
    let events = c.db.case_events(c.case_a).await.unwrap();
    assert_eq!(events.len(), 4, "opened, verify, confirm, home visit");
    assert!(events[1..].iter().all(|e| e.actor == "school_a"));
    let page = s.get(&format!("/cases/{}", c.case_a)).await;
    assert!(page.body.contains("班主任第一次家访") && page.body.contains("确认辍学"));
    // Each change is audited with the web user and where they were.
    let log = c.db.audit_entries(30).await.unwrap();
    let moves: Vec<_> = log.iter().filter(|e| e.action == "case_move").collect();
    assert_eq!(moves.len(), 2);
    assert!(moves
        .iter()
        .all(|e| e.actor == "school_a" && e.origin.is_some()));
    // With the state before and after (newest first: verifying → confirmed, then the first).
    assert_eq!(moves[0].before.as_deref(), Some("状态：核查中"));
    assert_eq!(moves[0].after.as_deref(), Some("状态：确认辍学"));
    assert_eq!(moves[1].before.as_deref(), Some("状态：疑似辍学"));
}

async fn refused_moves_change_nothing_and_say_why(c: &County) {
    let mut s = c.signed_in("school_a").await;
    let page = s.get(&format!("/cases/{}", c.case_a)).await;
    let csrf = Client::csrf_in(&page.body);
    let path = format!("/cases/{}/move", c.case_a);
    for (fields, says) in [
        (
            vec![("action", "close"), ("note", "学校想销号")],
            "只能由县级",
        ),
        (vec![("action", "confirm")], "疑似辍学"),
        (vec![("action", "verify"), ("on", "2099-01-01")], "晚于今天"),
        (vec![("action", "verify"), ("on", "昨天")], "YYYY-MM-DD"),
        (vec![("action", "verify"), ("on", "2026-10-01")], "早于案件"),
        (vec![("action", "drop_table")], "未知的操作"),
    ] {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend(fields);
        let r = s.post(&path, &f).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{f:?}");
        assert!(r.body.contains(says), "{f:?}: expected {says}");
    }
    // Notes are bounded; a date before the case was opened is refused for an assignment too;
    // a township gives a case only to its own schools.
    let long = "说".repeat(2_001);
    let r = s
        .post(
            &format!("/cases/{}/act", c.case_a),
            &[("csrf", &csrf), ("kind", "note"), ("note", &long)],
        )
        .await;
    assert!(r.body.contains("太长"), "{}", r.status);
    let r = s
        .post(
            &format!("/cases/{}/act", c.case_a),
            &[("csrf", &csrf), ("kind", "note"), ("note", "\u{200b}")],
        )
        .await;
    assert!(r.body.contains("请填写措施的情况说明"));
    let r = s
        .post(
            &format!("/cases/{}/assign", c.case_a),
            &[
                ("csrf", &csrf),
                ("teacher", "演示教师"),
                ("on", "2001-01-01"),
            ],
        )
        .await;
    assert!(r.body.contains("早于案件立案日期"), "{}", r.status);
    let mut t = c.signed_in("town").await;
    let tcsrf = Client::csrf_in(&t.get("/cases").await.body);
    let r = t
        .post(
            &format!("/cases/{}/assign", c.case_a),
            &[("csrf", &tcsrf), ("school", crate::support::SCHOOL_C)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("只能改为本乡镇"));
    // Without the form token, nothing is even checked.
    let r = s.post(&path, &[("action", "verify")]).await;
    assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::UNPROCESSABLE_ENTITY);
    let r = s.post(&path, &[("csrf", "x"), ("action", "verify")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let still = c.db.case(c.case_a).await.unwrap().unwrap();
    assert_eq!(still.state, CaseState::Suspected);
    assert_eq!(c.db.case_events(c.case_a).await.unwrap().len(), 1);
}

async fn auditor_reads_cases_and_changes_nothing(c: &County) {
    let mut a = c.signed_in("auditor").await;
    let page = a.get(&format!("/cases/{}", c.case_c)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/move\""), "no forms for the auditor");
    let csrf = Client::csrf_in(&page.body);
    let r = a
        .post(
            &format!("/cases/{}/act", c.case_c),
            &[("csrf", &csrf), ("kind", "note"), ("note", "审计不应能写")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(c.db.case_events(c.case_c).await.unwrap().len(), 1);
}
