//! Roster approval (issue 5 §5): school confirms, township reviews, county approves and locks;
//! a recompute voids earlier steps; a locked term is not recomputed; whoever computed or
//! imported the term cannot approve it (maker-checker).

use crate::support::{Client, County, PASSWORD, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use axum::http::StatusCode;
use zizhu_domain::access::{Access, Role};

both!(school_township_county_then_locked, maker_checker_and_scope);

async fn add(c: &County, name: &str, role: Role, town: Option<&str>, school: Option<&str>) {
    let a = Access::new(role, town, school).unwrap();
    zizhu_app::accounts::add_user(&c.db, name, name, &a, PASSWORD, "test")
        .await
        .unwrap();
}

async fn step(b: &mut Client, school: &str, step: &str, note: &str) -> crate::support::Resp {
    let page = b.get("/approval?term=2023-autumn").await;
    let csrf = Client::csrf_in(&page.body);
    b.post(
        "/approval/step",
        &[
            ("csrf", &csrf),
            ("term", "2023-autumn"),
            ("school", school),
            ("step", step),
            ("note", note),
        ],
    )
    .await
}

async fn lock(b: &mut Client) -> crate::support::Resp {
    let page = b.get("/approval?term=2023-autumn").await;
    let csrf = Client::csrf_in(&page.body);
    b.post(
        "/approval/lock",
        &[("csrf", &csrf), ("term", "2023-autumn"), ("note", "同意")],
    )
    .await
}

async fn school_township_county_then_locked(c: &County) {
    add(c, "school_b", Role::SchoolOfficer, None, Some(SCHOOL_B)).await;
    add(c, "town_yk", Role::TownshipOfficer, Some("银坑镇"), None).await;
    let (mut a, mut b, mut cc) = (
        c.signed_in("school_a").await,
        c.signed_in("school_b").await,
        c.signed_in("school_c").await,
    );
    let (mut gj, mut yk, mut county) = (
        c.signed_in("town").await,
        c.signed_in("town_yk").await,
        c.signed_in("county").await,
    );
    // Too early: the township cannot review an unconfirmed roster; the county cannot lock.
    let r = step(&mut gj, SCHOOL_A, "review", "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("待学校确认"));
    let r = lock(&mut county).await;
    assert!(
        r.body.contains("还有 3 所学校的名单未经乡镇审核"),
        "{}",
        r.body
    );
    // Each school confirms; a return needs its reason and sends the school back.
    for (who, school) in [(&mut a, SCHOOL_A), (&mut b, SCHOOL_B), (&mut cc, SCHOOL_C)] {
        assert_eq!(
            step(who, school, "confirm", "").await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        step(&mut gj, SCHOOL_B, "return", "").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        step(&mut gj, SCHOOL_B, "return", "人数待核").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(b.get("/approval").await.body.contains("已退回学校"));
    assert_eq!(
        step(&mut b, SCHOOL_B, "confirm", "").await.status,
        StatusCode::SEE_OTHER
    );
    for school in [SCHOOL_A, SCHOOL_B] {
        assert_eq!(
            step(&mut gj, school, "review", "").await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        step(&mut yk, SCHOOL_C, "review", "").await.status,
        StatusCode::SEE_OTHER
    );
    // A recompute voids the steps (the roster may have changed) …
    let page = county.get("/compute").await;
    let csrf = Client::csrf_in(&page.body);
    county
        .post("/compute", &[("csrf", &csrf), ("term", "2023-autumn")])
        .await;
    assert!(county.get("/approval").await.body.contains("待学校确认"));
    // … so the whole round again, then the lock.
    for (who, school) in [(&mut a, SCHOOL_A), (&mut b, SCHOOL_B), (&mut cc, SCHOOL_C)] {
        assert_eq!(
            step(who, school, "confirm", "").await.status,
            StatusCode::SEE_OTHER
        );
    }
    for school in [SCHOOL_A, SCHOOL_B] {
        assert_eq!(
            step(&mut gj, school, "review", "").await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        step(&mut yk, SCHOOL_C, "review", "").await.status,
        StatusCode::SEE_OTHER
    );
    // "county" computed the last run: it may not approve it; another county user may.
    let r = lock(&mut county).await;
    assert!(r.body.contains("不相容岗位"), "{}", r.body);
    add(c, "chief", Role::CountyAdmin, None, None).await;
    // A return taken while the approver looks at the page (hostile review: a lock racing a
    // return locked a sent-back roster): the store counts again under the term's lock.
    let run =
        c.db.latest_run(crate::support::autumn())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        step(&mut gj, SCHOOL_A, "return", "名单有误").await.status,
        StatusCode::SEE_OTHER
    );
    let raced =
        c.db.lock_term(crate::support::autumn(), run.id, "chief", "-", "")
            .await;
    assert!(
        matches!(&raced, Err(zizhu_store::StoreError::Invalid(m)) if m.contains("1 所学校")),
        "{raced:?}"
    );
    assert!(c
        .db
        .term_lock(crate::support::autumn())
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        step(&mut a, SCHOOL_A, "confirm", "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&mut gj, SCHOOL_A, "review", "").await.status,
        StatusCode::SEE_OTHER
    );
    let mut chief = c.signed_in("chief").await;
    assert_eq!(lock(&mut chief).await.status, StatusCode::SEE_OTHER);
    assert!(chief.get("/approval").await.body.contains("已由 chief"));
    // Locked: not recomputed, not signed again, not locked twice.
    let page = county.get("/compute").await;
    let csrf = Client::csrf_in(&page.body);
    let r = county
        .post("/compute", &[("csrf", &csrf), ("term", "2023-autumn")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("已由县级审批锁定"), "{}", r.body);
    assert_eq!(
        step(&mut gj, SCHOOL_A, "return", "晚了").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(lock(&mut chief).await.status, StatusCode::BAD_REQUEST);
    let log = c.db.audit_entries(100).await.unwrap();
    // Round one: 3 confirms, a return, a confirm again, 3 reviews; round two: 3 and 3, then
    // a return, a confirm and a review of school A again.
    assert_eq!(
        log.iter().filter(|e| e.action == "roster_signoff").count(),
        17
    );
    assert!(log
        .iter()
        .any(|e| e.action == "roster_lock" && e.actor == "chief"));
}

async fn maker_checker_and_scope(c: &County) {
    // The registry and the run were made by "test": a county user of that name cannot approve.
    add(c, "test", Role::CountyAdmin, None, None).await;
    let mut t = c.signed_in("test").await;
    let r = lock(&mut t).await;
    assert!(r.body.contains("不相容岗位") || r.body.contains("未经乡镇审核"));
    // A school confirms only its own roster; a township reviews only its schools.
    let mut a = c.signed_in("school_a").await;
    assert_eq!(
        step(&mut a, SCHOOL_C, "confirm", "").await.status,
        StatusCode::NOT_FOUND
    );
    let mut cc = c.signed_in("school_c").await;
    assert_eq!(
        step(&mut cc, SCHOOL_C, "confirm", "").await.status,
        StatusCode::SEE_OTHER
    );
    let mut gj = c.signed_in("town").await;
    assert_eq!(
        step(&mut gj, SCHOOL_C, "review", "").await.status,
        StatusCode::NOT_FOUND
    );
    // The auditor takes no step: 403, saying so.
    let mut au = c.signed_in("auditor").await;
    let r = step(&mut au, SCHOOL_C, "review", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("审计监督不能"), "{}", r.body);
    let page = a.get("/approval").await;
    assert!(page.body.contains(SCHOOL_A) && !page.body.contains(SCHOOL_C));
}
