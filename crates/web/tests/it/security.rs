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
    malformed_requests_get_chinese_pages,
    a_password_reset_lifts_the_lock,
    simultaneous_guesses_are_throttled_too,
    what_a_client_types_is_logged_short_and_printable,
    user_names_ignore_case,
);

async fn simultaneous_guesses_are_throttled_too(c: &County) {
    // Twenty wrong guesses sent at once: at most five are checked, the rest refused as locked;
    // then the right password is refused too.
    let mut tries = Vec::new();
    for _ in 0..20 {
        let mut b = c.client();
        tries.push(tokio::spawn(async move {
            b.login("school_c", "not-the-password").await.status
        }));
    }
    let mut checked = 0;
    for t in tries {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert!(checked <= 5, "{checked} guesses checked");
    let r = c.client().login("school_c", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn what_a_client_types_is_logged_short_and_printable(c: &County) {
    let mut s = c.signed_in("school_a").await;
    let long = format!("{}%0A%1B%5B31m", "A".repeat(20_000));
    let r = s
        .get(&format!("/roster?term=2023-autumn&program={long}"))
        .await;
    assert!(r.body.contains("没有这个项目"));
    let r = s.get("/students?q=%00").await;
    assert!(
        r.body.contains("共 2 人"),
        "a NUL is dropped: the whole school (甲, 己)"
    );
    for term in [
        "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%93%E7%A7%8B",
        "%E7%A7%8B%E7%A7%8B",
    ] {
        let r = s.get(&format!("/roster?term={term}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{term}");
        assert!(r.body.contains("学期格式错误"));
    }
    for e in c.db.audit_entries(20).await.unwrap() {
        assert!(e.detail.chars().count() < 2_100, "{}", e.detail.len());
        assert!(!e.detail.contains('\n') && !e.detail.contains('\u{1b}'));
    }
}

async fn user_names_ignore_case(c: &County) {
    let town = zizhu_domain::access::Access::new(
        zizhu_domain::access::Role::TownshipOfficer,
        Some("银坑镇"),
        None,
    )
    .unwrap();
    zizhu_app::accounts::add_user(&c.db, "YK.Officer", "银坑镇专干", &town, PASSWORD, "county")
        .await
        .unwrap();
    let again =
        zizhu_app::accounts::add_user(&c.db, "yk.officer", "重复", &town, PASSWORD, "county").await;
    assert!(again.is_err());
    assert_eq!(
        c.client().login("YK.OFFICER", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        c.client().login(" yk.officer ", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn malformed_requests_get_chinese_pages(c: &County) {
    let mut s = c.signed_in("school_a").await;
    for path in [
        "/students/abc",
        "/students/99999999999999999999",
        "/roster?after=abc",
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.body.contains("请求格式不正确"), "{path}: {}", r.body);
        assert!(!r.body.contains("Cannot parse") && !r.body.contains("deserialize"));
    }
    let r = s.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("表单缺少必填内容"));
    assert_eq!(s.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
}

async fn a_password_reset_lifts_the_lock(c: &County) {
    let mut b = c.client();
    for _ in 0..5 {
        b.login("school_c", "not-the-password").await;
    }
    assert_eq!(
        b.login("school_c", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let hash = zizhu_app::accounts::hash_password("a-new-password-2026").unwrap();
    assert!(c
        .db
        .set_password("school_c", &hash, "county")
        .await
        .unwrap());
    assert_eq!(
        b.login("school_c", "a-new-password-2026").await.status,
        StatusCode::SEE_OTHER
    );
}

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
