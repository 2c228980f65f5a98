//! Scope (数据范围), POLICY.md's roles: a school officer sees one school, a township officer one
//! township, the county and the auditor everything. Another scope's student is a 404 by URL,
//! absent from searches and rosters — never data.

use crate::support::{County, SCHOOL_A};
use axum::http::StatusCode;

both!(
    school_officer_sees_only_their_school,
    township_officer_sees_their_township,
    county_and_auditor_see_everything,
    signed_out_visitors_go_to_the_login_page,
    full_id_is_for_county_and_auditor_and_is_audited,
    audit_log_is_for_county_and_auditor,
);

async fn school_officer_sees_only_their_school(c: &County) {
    let mut s = c.signed_in("school_a").await;
    // Own student: the page, with the masked ID and the grant's clause.
    let own = s.get(&format!("/students/{}", c.key_of(&c.a).await)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("甲演一"));
    assert!(own.body.contains("360731**********"), "masked ID");
    assert!(!own.body.contains(&c.a), "no full ID for a school officer");
    assert!(
        own.body.contains("二(一)2"),
        "the boarding subsidy's clause"
    );
    // Another school's student by URL: 404, and nothing of the student in the answer.
    for other in [&c.b, &c.c] {
        let key = c.key_of(other).await;
        let r = s.get(&format!("/students/{key}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(!r.body.contains("乙演二") && !r.body.contains("丙演三"));
    }
    // Searching the whole county by name or ID finds nothing outside the school.
    let found = s.get("/students?term=2023-autumn&q=%E6%BC%94").await; // "演"
    assert!(found.body.contains("甲演一"));
    assert!(!found.body.contains("乙演二") && !found.body.contains("丙演三"));
    let by_id = s.get(&format!("/students?q={}", c.c)).await;
    assert!(!by_id.body.contains("丙演三"));
    // The roster: own school's lines only.
    let roster = s.get("/roster?term=2023-autumn").await;
    assert_eq!(roster.status, StatusCode::OK);
    assert!(roster.body.contains("甲演一"));
    assert!(!roster.body.contains("乙演二") && !roster.body.contains("丙演三"));
    assert!(
        !roster.body.contains(&c.a),
        "IDs and ID-bearing 学籍号 masked"
    );
    // The dashboard counts the school's own roster: one student, one program.
    let home = s.get("/").await;
    assert!(home.body.contains(&format!("学校 {SCHOOL_A}")));
}

async fn township_officer_sees_their_township(c: &County) {
    let mut t = c.signed_in("town").await;
    let roster = t.get("/roster?term=2023-autumn").await;
    assert!(roster.body.contains("甲演一") && roster.body.contains("乙演二"));
    assert!(
        !roster.body.contains("丙演三"),
        "银坑镇 is another township"
    );
    let key = c.key_of(&c.c).await;
    assert_eq!(
        t.get(&format!("/students/{key}")).await.status,
        StatusCode::NOT_FOUND
    );
    let key = c.key_of(&c.b).await;
    assert_eq!(
        t.get(&format!("/students/{key}")).await.status,
        StatusCode::OK
    );
}

async fn county_and_auditor_see_everything(c: &County) {
    for user in ["county", "auditor"] {
        let mut u = c.signed_in(user).await;
        let roster = u.get("/roster?term=2023-autumn").await;
        for name in ["甲演一", "乙演二", "丙演三"] {
            assert!(roster.body.contains(name), "{user} sees {name}");
        }
    }
}

async fn signed_out_visitors_go_to_the_login_page(c: &County) {
    let mut anon = c.client();
    let key = c.key_of(&c.a).await;
    for path in [
        "/",
        "/roster",
        "/students",
        &format!("/students/{key}"),
        "/audit",
    ] {
        let r = anon.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers["location"], "/login");
        assert!(!r.body.contains("演"));
    }
}

async fn full_id_is_for_county_and_auditor_and_is_audited(c: &County) {
    let key = c.key_of(&c.a).await;
    let path = format!("/students/{key}/full-id");
    let mut s = c.signed_in("school_a").await;
    let page = s.get(&format!("/students/{key}")).await;
    let csrf = crate::support::Client::csrf_in(&page.body);
    let r = s.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains(&c.a));
    let mut a = c.signed_in("auditor").await;
    let page = a.get(&format!("/students/{key}")).await;
    assert!(!page.body.contains(&c.a), "masked until asked");
    let csrf = crate::support::Client::csrf_in(&page.body);
    let r = a.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&c.a));
    let log = c.db.audit_entries(20).await.unwrap();
    let seen = log
        .iter()
        .find(|e| e.action == "view_full_id")
        .expect("the view of the full ID is audited");
    assert_eq!(seen.actor, "auditor");
    assert!(seen.target.contains(&key.to_string()));
    assert!(
        !seen.target.contains(&c.a),
        "the log itself keeps the ID masked"
    );
    assert!(seen.origin.is_some());
}

async fn audit_log_is_for_county_and_auditor(c: &County) {
    let mut s = c.signed_in("school_a").await;
    assert_eq!(s.get("/audit").await.status, StatusCode::FORBIDDEN);
    let mut a = c.signed_in("auditor").await;
    a.get("/roster?term=2023-autumn").await;
    let log = a.get("/audit?action=view_roster").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("资助名单 2023-autumn"));
    assert!(!log.body.contains("login_failed"), "filtered by action");
    let by_user = a.get("/audit?actor=school_a").await;
    assert!(by_user.body.contains("login"));
    assert!(!by_user.body.contains(">auditor<"));
}
