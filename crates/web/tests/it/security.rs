//! Sessions, CSRF and login throttling (issue 5 §2): a form without its session's token is
//! refused; a session id planted before login is never adopted; after five failures a user name
//! is locked even for the right password; passwords and tokens are stored only hashed.

use crate::support::{Client, County, PASSWORD};
use axum::http::StatusCode;
use zizhu_web::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};

both!(
    forms_without_the_session_token_are_refused,
    login_needs_its_own_form_token,
    a_planted_session_id_is_never_adopted,
    five_failures_lock_the_name,
    logout_ends_the_session,
    cookies_and_headers_are_locked_down,
);

async fn forms_without_the_session_token_are_refused(c: &County) {
    let mut s = c.signed_in("auditor").await;
    let key = c.key_of(&c.a).await;
    let path = format!("/students/{key}/full-id");
    for token in ["", "0", &"f".repeat(64)] {
        let r = s.post(&path, &[("csrf", token)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "token {token:?}");
        assert!(!r.body.contains(&c.a));
    }
    // Another session's token does not do either.
    let other = c.signed_in("county").await;
    let mut o = other;
    let page = o.get("/").await;
    let foreign = Client::csrf_in(&page.body);
    let r = s.post(&path, &[("csrf", &foreign)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = s.post("/logout", &[("csrf", &foreign)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get("/").await.status, StatusCode::OK, "still signed in");
}

async fn login_needs_its_own_form_token(c: &County) {
    // A login posted from elsewhere: no form cookie, or a token that is not the cookie's.
    let mut b = c.client();
    let r = b
        .post(
            "/login",
            &[
                ("username", "county"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    b.get("/login").await;
    assert!(b.jar.contains_key(LOGIN_CSRF_COOKIE));
    let r = b
        .post(
            "/login",
            &[
                ("username", "county"),
                ("password", PASSWORD),
                ("csrf", &"a".repeat(64)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!b.jar.contains_key(SESSION_COOKIE));
}

async fn a_planted_session_id_is_never_adopted(c: &County) {
    let mut b = c.client();
    let planted = "ab".repeat(32);
    b.jar.insert(SESSION_COOKIE.into(), planted.clone());
    assert_eq!(
        b.get("/").await.status,
        StatusCode::SEE_OTHER,
        "unknown token"
    );
    let r = b.login("county", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = b.jar.get(SESSION_COOKIE).cloned().unwrap();
    assert_ne!(after, planted);
    assert_eq!(after.len(), 64);
    // The database keeps no token in clear.
    let mut other = c.client();
    other.jar.insert(
        SESSION_COOKIE.into(),
        zizhu_app::accounts::token_sha256(&after),
    );
    assert_eq!(other.get("/").await.status, StatusCode::SEE_OTHER);
    // A second login from the same browser replaces the first session.
    b.login("county", PASSWORD).await;
    let mut old = c.client();
    old.jar.insert(SESSION_COOKIE.into(), after);
    assert_eq!(
        old.get("/").await.status,
        StatusCode::SEE_OTHER,
        "old session ended"
    );
}

async fn five_failures_lock_the_name(c: &County) {
    let mut b = c.client();
    for i in 0..5 {
        let r = b.login("school_c", "not-the-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "failure {i}");
        assert!(r.body.contains("用户名或密码错误"));
    }
    let r = b.login("school_c", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("暂时锁定"));
    assert!(!b.jar.contains_key(SESSION_COOKIE));
    // Other names are not locked; an unknown name answers like a wrong password.
    assert_eq!(
        c.signed_in("school_a").await.get("/").await.status,
        StatusCode::OK
    );
    let r = b.login("nobody", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let log = c.db.audit_entries(50).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "login_failed" && e.actor == "school_c")
            .count(),
        5
    );
    assert!(log
        .iter()
        .any(|e| e.action == "login_locked" && e.actor == "school_c"));
    assert!(log.iter().all(|e| !e.detail.contains("not-the-password")));
}

async fn logout_ends_the_session(c: &County) {
    let mut s = c.signed_in("school_a").await;
    let token = s.jar.get(SESSION_COOKIE).cloned().unwrap();
    let page = s.get("/").await;
    let csrf = Client::csrf_in(&page.body);
    let r = s.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!s.jar.contains_key(SESSION_COOKIE));
    let mut replay = c.client();
    replay.jar.insert(SESSION_COOKIE.into(), token);
    assert_eq!(replay.get("/").await.status, StatusCode::SEE_OTHER);
}

async fn cookies_and_headers_are_locked_down(c: &County) {
    let mut b = c.client();
    let r = b.login("county", PASSWORD).await;
    let set: Vec<&str> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = set.iter().find(|v| v.starts_with(SESSION_COOKIE)).unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(attr), "{attr} in {session}");
    }
    let page = b.get("/").await;
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
}
