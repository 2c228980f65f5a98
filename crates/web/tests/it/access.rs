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
    another_schools_record_of_a_student_stays_hidden,
    schools_page_shows_the_scope_with_its_coverage,
);

async fn schools_page_shows_the_scope_with_its_coverage(c: &County) {
    // 甲, 乙 and 丙 are 农村低保 boarding students, each aided under 二(一)2 第一款; 己 has no
    // category. So every family-difficulty student is aided: 3 of 3, 100.0%.
    let mut county = c.signed_in("county").await;
    let page = county.get("/schools?term=2023-autumn").await;
    assert_eq!(page.status, StatusCode::OK);
    for name in [
        "于都县贡江镇演示小学",
        "于都县演示第二中学",
        "于都县银坑镇演示九年一贯制学校",
    ] {
        assert!(page.body.contains(name), "{name}");
    }
    assert!(page
        .body
        .contains("困难学生 3 人，未纳入资助 0 人，覆盖率 <strong>100.0%</strong>"));
    let home = county.get("/?term=2023-autumn").await;
    assert!(
        home.body.contains("覆盖率 <strong>100.0%</strong>"),
        "{}",
        home.body
    );
    assert!(home.body.contains("名单审核：0 / 3 所学校已经乡镇审核"));
    // A school sees its own line only; its open case is counted and filtered by school.
    let mut s = c.signed_in("school_a").await;
    let page = s.get("/schools").await;
    assert!(page.body.contains("于都县演示第二中学"));
    assert!(!page.body.contains("银坑镇演示九年一贯制学校"));
    assert!(page
        .body
        .contains(&format!("/cases?open=1&amp;school={SCHOOL_A}")));
    let cases = s.get(&format!("/cases?open=1&school={SCHOOL_A}")).await;
    assert!(cases.body.contains("丁演四"));
    let none = s.get("/cases?school=2136000007").await;
    assert!(!none.body.contains("丁演四") && !none.body.contains("戊演五"));
}

async fn another_schools_record_of_a_student_stays_hidden(c: &County) {
    // 己 is registered at A and at C: school A sees its own row, not C's (its name, its code,
    // the explanation that walks through both rows).
    let rows =
        c.db.search_students(
            zizhu_store::ScopeFilter {
                township: None,
                school: None,
            },
            crate::support::autumn(),
            &c.dual,
            10,
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let at_a = rows.iter().find(|r| r.school_code == SCHOOL_A).unwrap().key;
    let mut s = c.signed_in("school_a").await;
    let page = s.get(&format!("/students/{at_a}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("己演六"));
    assert!(!page.body.contains("银坑镇演示九年一贯制学校"), "C's name");
    assert!(!page.body.contains(crate::support::SCHOOL_C), "C's code");
    assert!(page.body.contains("数据范围以外的学校也有学籍记录"));
    // The county sees both rows in the explanation.
    let mut county = c.signed_in("county").await;
    let page = county.get(&format!("/students/{at_a}")).await;
    assert!(page.body.contains("银坑镇演示九年一贯制学校"));
}

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
    // Own students by the start of their ID or 学籍号; the log keeps a typed ID masked.
    let by_prefix = s.get(&format!("/students?q={}", &c.a[..10])).await;
    assert!(by_prefix.body.contains("甲演一"));
    let by_no = s.get(&format!("/students?q=G{}", &c.a[..8])).await;
    assert!(by_no.body.contains("甲演一"));
    s.get(&format!("/students?q={}", c.a)).await;
    let log = c.db.audit_entries(3).await.unwrap();
    let search = log.iter().find(|e| e.action == "view_students").unwrap();
    assert!(!search.detail.contains(&c.a), "{}", search.detail);
    // The roster: own school's lines only.
    let roster = s.get("/roster?term=2023-autumn").await;
    assert_eq!(roster.status, StatusCode::OK);
    assert!(roster.body.contains("甲演一"));
    assert!(!roster.body.contains("乙演二") && !roster.body.contains("丙演三"));
    assert!(
        !roster.body.contains(&c.a),
        "IDs and ID-bearing 学籍号 masked"
    );
    // The dashboard counts the school's own roster only. 二(一)2 第一款: a boarding junior
    // student of a 低保 family, 1250 元 a year, half in the autumn term = 625.00 元.
    let home = s.get("/").await;
    assert!(home
        .body
        .contains(&format!("于都县演示第二中学（{SCHOOL_A}）")));
    assert!(
        home.body.contains("<th>1</th><th>625.00</th>"),
        "{}",
        home.body
    );
}

async fn township_officer_sees_their_township(c: &County) {
    let mut t = c.signed_in("town").await;
    // 二(一)2 第一款, autumn halves: 甲 (初中, 1250/2 = 625.00) + 乙 (小学, 1000/2 = 500.00);
    // 丙 of 银坑镇 is not counted.
    let home = t.get("/").await;
    assert!(
        home.body.contains("<th>2</th><th>1,125.00</th>"),
        "{}",
        home.body
    );
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
    assert!(
        log.body.contains("<td>查看资助名单</td>"),
        "actions in Chinese"
    );
    assert!(!log.body.contains("<td>登录</td>"), "filtered by action");
    let by_user = a.get("/audit?actor=school").await;
    assert!(
        by_user.body.contains("<td>school_a</td>"),
        "part of a user name"
    );
    assert!(!by_user.body.contains("<td>auditor</td>"));
    // Reading the log is logged; dates out of order are refused.
    let log = c.db.audit_entries(5).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "view_audit" && e.actor == "auditor"));
    let bad = a.get("/audit?from=2026-12-01&to=2026-11-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("起始日期晚于截止日期"));
}
