//! Post-exit recheck monitoring (四(二)) on the web and in the API: the county runs it, each
//! scope sees its gaps (IDs masked), the school notes a measure, finance sees nothing of it.

use crate::api::{get, post, token};
use crate::support::County;
use axum::http::StatusCode;
use zizhu_domain::ListKind;

both!(the_county_rechecks_and_each_scope_follows_its_gaps);

/// 甲 (school A, compulsory age, boarding) is made a member of a registered-poor household: the
/// term is not locked, so 甲's boarding subsidy is unpaid — a gap of school A (四(二) 查遗补漏).
async fn the_county_rechecks_and_each_scope_follows_its_gaps(c: &County) {
    crate::support::import_list(
        c,
        ListKind::PoorHouseholds,
        "脱贫户.csv",
        &format!(
            "户编号,姓名,身份证号,与户主关系,贫困状态,脱贫年度\nH7,甲演一,{},之子,已脱贫,2019\n",
            c.a
        ),
    )
    .await;
    let county = token(c, "county").await;
    let school_a = token(c, "school_a").await;
    let body = r#"{"term": "2023-autumn"}"#;
    assert_eq!(
        post(c, "/api/recheck", &school_a, body).await.0,
        StatusCode::FORBIDDEN,
        "only the county runs it"
    );
    let (s, d) = post(c, "/api/recheck", &county, body).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, gaps) = get(c, "/api/recheck?term=2023-autumn", Some(&school_a)).await;
    assert_eq!(s, StatusCode::OK);
    let gaps = gaps.as_array().unwrap().clone();
    let jia = gaps
        .iter()
        .find(|g| g["name"] == "甲演一")
        .unwrap_or_else(|| panic!("{gaps:?}"));
    assert_eq!(jia["kind"], "应发未发");
    assert_eq!(jia["household_no"], "H7");
    assert!(
        !serde_json::to_string(&gaps).unwrap().contains(&c.a),
        "masked"
    );
    // School C sees none of school A's; finance reads no such list.
    let tc = token(c, "school_c").await;
    let (_, other) = get(c, "/api/recheck?term=2023-autumn", Some(&tc)).await;
    assert!(other
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["name"] != "甲演一"));
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
        get(c, "/api/recheck?term=2023-autumn", Some(&f)).await.0,
        StatusCode::FORBIDDEN
    );
    // The school notes its measure; another school cannot.
    let path = format!("/api/recheck/{}/note", jia["id"]);
    let note = r#"{"term": "2023-autumn", "note": "已补交收款账户"}"#;
    assert_eq!(post(c, &path, &tc, note).await.0, StatusCode::NOT_FOUND);
    let (s, d) = post(c, &path, &school_a, note).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let mut web = c.signed_in("school_a").await;
    let page = web.get("/recheck?term=2023-autumn").await;
    assert!(page.body.contains("已补交收款账户") && page.body.contains("未整改"));
    let log = c.db.audit_entries(30).await.unwrap();
    for action in ["household_recheck", "recheck_action", "view_recheck"] {
        assert!(log.iter().any(|e| e.action == action), "{action}");
    }
}
