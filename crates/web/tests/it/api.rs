//! The JSON API: bearer tokens, the same scope and audit as the pages, and an OpenAPI document
//! that parses as OpenAPI and names every route.

use crate::support::{County, SCHOOL_A};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt as _;

both!(tokens_scope_and_the_openapi_document);

/// A token for `user`, as `zizhu user token` makes one.
pub(crate) async fn token(c: &County, user: &str) -> String {
    let t = zizhu_app::accounts::random_token().unwrap();
    let sha = zizhu_app::accounts::token_sha256(&t);
    assert!(c
        .db
        .add_api_token(user, &sha, "测试系统", "test")
        .await
        .unwrap());
    t
}

pub(crate) async fn get(
    c: &County,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = c
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn tokens_scope_and_the_openapi_document(c: &County) {
    // No token, a wrong one: 401 with a Chinese reason, never data.
    let (s, body) = get(c, "/api/roster?term=2023-autumn", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("令牌"));
    assert_eq!(
        get(c, "/api/roster", Some(&"0".repeat(64))).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A school's token sees its school only, IDs masked; amounts in fen with the clause.
    let t = token(c, "school_a").await;
    let (s, lines) = get(c, "/api/roster?term=2023-autumn", Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 1);
    // 二(一)2 第一款: 甲, boarding junior, 1250 元 a year, half in autumn = 62,500 fen.
    assert_eq!(lines[0]["name"], "甲演一");
    assert_eq!(lines[0]["amount_fen"], 62_500);
    assert_eq!(lines[0]["school_code"], SCHOOL_A);
    assert!(lines[0]["clause"].as_str().unwrap().starts_with("二(一)2"));
    let text = serde_json::to_string(&lines).unwrap();
    assert!(!text.contains(&c.a), "no full ID");
    let (_, students) = get(c, "/api/students?term=2023-autumn", Some(&t)).await;
    let names: Vec<&str> = students
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"甲演一") && !names.contains(&"丙演三"));
    assert_eq!(
        get(c, &format!("/api/cases/{}", c.case_c), Some(&t))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (s, case) = get(c, &format!("/api/cases/{}", c.case_a), Some(&t)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(case["state"], "suspected");
    // Audited like the pages.
    let log = c.db.audit_entries(10).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "view_roster" && e.actor == "school_a" && e.detail.contains("接口")));
    // A disabled user's token stops working, and does not come back with the account; a
    // password reset revokes tokens too.
    assert!(c.db.set_active("school_a", false, "county").await.unwrap());
    assert_eq!(
        get(c, "/api/roster", Some(&t)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(c.db.set_active("school_a", true, "county").await.unwrap());
    assert_eq!(
        get(c, "/api/roster", Some(&t)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let t2 = token(c, "school_c").await;
    assert_eq!(get(c, "/api/roster", Some(&t2)).await.0, StatusCode::OK);
    assert!(c.db.set_password("school_c", "x", "county").await.unwrap());
    assert_eq!(
        get(c, "/api/roster", Some(&t2)).await.0,
        StatusCode::UNAUTHORIZED
    );

    // The OpenAPI document: OpenAPI 3.1, every API route, the bearer scheme; it reads back as
    // an OpenAPI document.
    let (s, doc) = get(c, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/students",
        "/api/students/{key}",
        "/api/roster",
        "/api/roster.xlsx",
        "/api/schools",
        "/api/dashboard",
        "/api/policy",
        "/api/cases",
        "/api/cases/{id}",
        "/api/imports",
        "/api/approval",
        "/api/audit",
    ] {
        assert!(
            doc["paths"][path]["get"]["responses"]["200"].is_object(),
            "{path}"
        );
    }
    for path in [
        "/api/cases/{id}/moves",
        "/api/cases/{id}/actions",
        "/api/imports",
        "/api/imports/{token}/confirm",
        "/api/compute",
        "/api/approval/steps",
        "/api/approval/lock",
    ] {
        assert!(
            doc["paths"][path]["post"]["responses"]["200"].is_object(),
            "{path}"
        );
    }
    assert!(doc["paths"]["/api/imports/{token}/cancel"]["post"]["responses"]["204"].is_object());
    // A query parameter is declared in the query, a path parameter in the path.
    let params = |path: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert!(params("/api/roster").iter().all(|p| p["in"] == "query"));
    assert_eq!(params("/api/students/{key}")[0]["in"], "path");
    // For an outside validator (CI runs openapi-spec-validator on it).
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi.json");
    std::fs::write(&out, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
    let parsed: Result<utoipa::openapi::OpenApi, _> = serde_json::from_value(doc);
    assert!(parsed.is_ok(), "{:?}", parsed.err());
}

both!(cases_change_through_the_api_with_the_same_checks);

pub(crate) async fn post(
    c: &County,
    path: &str,
    token: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

async fn cases_change_through_the_api_with_the_same_checks(c: &County) {
    let t = token(c, "school_a").await;
    let path = format!("/api/cases/{}/moves", c.case_a);
    let (s, case) = post(c, &path, &t, r#"{"action": "verify"}"#).await;
    assert_eq!(s, StatusCode::OK, "{case}");
    assert_eq!(case["state"], "verifying");
    // The domain's refusals, in Chinese; county-only moves; malformed bodies.
    let (s, e) = post(c, &path, &t, r#"{"action": "close", "note": "学校想销号"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("县级"));
    let (s, e) = post(c, &path, &t, r#"{"action": "return"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("school"), "{e}");
    let (s, e) = post(c, &path, &t, "{not json").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("JSON"));
    let acts = format!("/api/cases/{}/actions", c.case_a);
    let (s, _) = post(
        c,
        &acts,
        &t,
        r#"{"kind": "home_visit", "note": "接口登记家访"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let events = c.db.case_events(c.case_a).await.unwrap();
    assert_eq!(events.len(), 3, "opened, verify, home visit");
    assert!(events[1..].iter().all(|e| e.actor == "school_a"));
    // Outside the scope: 404; the auditor changes nothing: 403.
    let other = format!("/api/cases/{}/moves", c.case_c);
    assert_eq!(
        post(c, &other, &t, r#"{"action": "verify"}"#).await.0,
        StatusCode::NOT_FOUND
    );
    let a = token(c, "auditor").await;
    assert_eq!(
        post(c, &other, &a, r#"{"action": "verify"}"#).await.0,
        StatusCode::FORBIDDEN
    );
    let untouched = c.db.case(c.case_c).await.unwrap().unwrap();
    assert_eq!(untouched.state, zizhu_domain::dropout::CaseState::Suspected);
}
