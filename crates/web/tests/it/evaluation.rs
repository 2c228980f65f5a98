//! School evaluation (学校工作考评, 二(二)) on the web and in the API, worked by hand on the test
//! county: 甲 (school A, 初中, boarder, 低保), 乙 (school B, 小学) and 丙 (school C, 九年一贯制,
//! 七年级) are each owed half a year's boarding subsidy this term (二(一)2: 1250 ÷ 2 = 625.00,
//! 1000 ÷ 2 = 500.00, 1250 ÷ 2 = 625.00 元); nothing is paid yet; no school confirmed its roster
//! by 2023-10-21 (reference 10-01 + 20 days); the dropout suspects of A and C, found on
//! 2026-11-01, were not verified within 7 days (二(二)).

use crate::api::{get, token};
use crate::support::{County, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use axum::http::StatusCode;
use serde_json::Value;

both!(each_school_is_evaluated_against_the_policy_targets_in_its_scope);

fn school<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["school_code"] == code)
        .unwrap_or_else(|| panic!("{code} in {v}"))
}

fn indicator<'a>(s: &'a Value, key: &str) -> &'a Value {
    s["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {s}"))
}

async fn each_school_is_evaluated_against_the_policy_targets_in_its_scope(c: &County) {
    let today = crate::support::today().format("%Y-%m-%d").to_string();
    let county = token(c, "county").await;
    let path = format!("/api/evaluation?term=2023-autumn&as_of={today}");
    let (s, v) = get(c, &path, Some(&county)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["confirm_deadline"], "2023-10-21");
    assert_eq!(v["schools"].as_array().unwrap().len(), 3);
    let a = school(&v, SCHOOL_A);
    let roster = indicator(a, "roster_on_time");
    assert_eq!(roster["value"], "未确认");
    assert_eq!(roster["target"], "截止 2023-10-21");
    assert_eq!(roster["outcome"], "not_met");
    let aid = indicator(a, "aid_coverage");
    assert_eq!(aid["value"], "0.0%（已发 0.00 元 / 应发 625.00 元）");
    assert_eq!(
        (aid["numerator"].as_i64(), aid["denominator"].as_i64()),
        (Some(0), Some(62_500))
    );
    assert_eq!(aid["outcome"], "not_met");
    let overdue = indicator(a, "overdue_cases");
    assert_eq!(overdue["value"], "1 件");
    assert_eq!(overdue["outcome"], "not_met");
    assert_eq!(indicator(a, "return_rate")["outcome"], "not_applicable");
    assert_eq!(
        (a["met"].as_u64(), a["applicable"].as_u64()),
        (Some(0), Some(3))
    );
    // School B: 500.00 owed; no case, and a primary school is held to none: met.
    let b = school(&v, SCHOOL_B);
    assert_eq!(
        indicator(b, "aid_coverage")["value"],
        "0.0%（已发 0.00 元 / 应发 500.00 元）"
    );
    assert_eq!(indicator(b, "overdue_cases")["outcome"], "met");
    assert_eq!(
        (b["met"].as_u64(), b["applicable"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        indicator(school(&v, SCHOOL_C), "overdue_cases")["value"],
        "1 件"
    );
    // As of the term's last day (the default, 2024-01-31) neither suspect had been found.
    let (_, at_end) = get(c, "/api/evaluation?term=2023-autumn", Some(&county)).await;
    assert_eq!(at_end["as_of"], "2024-01-31");
    assert_eq!(
        indicator(school(&at_end, SCHOOL_A), "overdue_cases")["value"],
        "0 件"
    );

    // School A confirms now, years after the deadline: late, with its day shown.
    let run =
        c.db.latest_run(crate::support::autumn())
            .await
            .unwrap()
            .unwrap()
            .id;
    c.db.signoff(
        crate::support::autumn(),
        SCHOOL_A,
        zizhu_domain::approval::SignoffStep::Confirm,
        run,
        None,
        "school_a",
        "-",
        "",
    )
    .await
    .unwrap();
    let (_, v) = get(c, &path, Some(&county)).await;
    let roster = indicator(school(&v, SCHOOL_A), "roster_on_time");
    assert_eq!(roster["value"], format!("{today} 确认"));
    assert_eq!(roster["outcome"], "not_met");

    // 三(一): 甲 is made a member of a registered-poor household, so school year 2023 owes 甲
    // the three zero-fee provisions: none issued is 0 of 1; all three issued is 1 of 1.
    assert_eq!(
        indicator(school(&v, SCHOOL_A), "zero_fee")["outcome"],
        "not_applicable"
    );
    crate::support::import_list(
        c,
        zizhu_domain::ListKind::PoorHouseholds,
        "脱贫户.csv",
        &format!(
            "户编号,姓名,身份证号,与户主关系,贫困状态,脱贫年度\nH7,甲演一,{},之子,已脱贫,2019\n",
            c.a
        ),
    )
    .await;
    let (_, v) = get(c, &path, Some(&county)).await;
    let z = indicator(school(&v, SCHOOL_A), "zero_fee");
    assert_eq!(z["value"], "0.0%（全部发放 0 人 / 应发 1 人）");
    assert_eq!(z["outcome"], "not_met");
    for (item, extra) in [
        ("teaching_materials", ""),
        ("school_uniform", ""),
        (
            "accident_insurance",
            r#", "insurer": "演示保险公司", "policy_no": "P-001""#,
        ),
    ] {
        let body = format!(
            r#"{{"school_year": 2023, "school_code": "{SCHOOL_A}", "id_number": "{}", "name": "甲演一", "item": "{item}", "issued_on": "2023-09-05", "quantity": 1{extra}}}"#,
            c.a
        );
        let (s, d) = crate::api::post(c, "/api/zero-fee", &county, &body).await;
        assert_eq!(s, StatusCode::OK, "{item}: {d}");
    }
    let (_, v) = get(c, &path, Some(&county)).await;
    let z = indicator(school(&v, SCHOOL_A), "zero_fee");
    assert_eq!(z["value"], "100.0%（全部发放 1 人 / 应发 1 人）");
    assert_eq!(z["outcome"], "met");

    // Scopes: the township sees its two schools, a school only itself, finance nothing.
    let town = token(c, "town").await;
    let (_, v) = get(c, &path, Some(&town)).await;
    let codes: Vec<&str> = v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["school_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [SCHOOL_B, SCHOOL_A], "贡江镇, by school code");
    let tc = token(c, "school_c").await;
    let (_, v) = get(c, &path, Some(&tc)).await;
    assert_eq!(v["schools"].as_array().unwrap().len(), 1);
    assert_eq!(v["schools"][0]["school_code"], SCHOOL_C);
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
    assert_eq!(get(c, &path, Some(&f)).await.0, StatusCode::FORBIDDEN);
    // A day after today is refused; a bad day names itself.
    let (s, e) = get(
        c,
        "/api/evaluation?term=2023-autumn&as_of=2099-01-01",
        Some(&county),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("晚于今天"), "{e}");
    // An unknown parameter is refused, not ignored (a mistyped `school` would show every school).
    let (s, _) = get(
        c,
        "/api/evaluation?term=2023-autumn&school=2136000001",
        Some(&county),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A day before the term began, or a term not begun, is refused (its figures would be another
    // term's).
    let (s, e) = get(
        c,
        "/api/evaluation?term=2023-autumn&as_of=2023-08-31",
        Some(&county),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("早于"), "{e}");
    let (s, e) = get(c, "/api/evaluation?term=2099-autumn", Some(&county)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    // A day that does not exist, or a year out of range, says so.
    for (day, says) in [("2023-02-30", "不存在"), ("0000-01-01", "2000 至 2100")] {
        let path = format!("/api/evaluation?term=2023-autumn&as_of={day}");
        let (s, e) = get(c, &path, Some(&county)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(e["error"].as_str().unwrap().contains(says), "{e}");
    }
    let (s, e) = get(
        c,
        "/api/evaluation?term=2023-autumn&as_of=昨天",
        Some(&county),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("昨天"), "{e}");

    // The page and the workbook; each read is audited.
    let mut web = c.signed_in("town").await;
    let page = web.get("/evaluation?term=2023-autumn").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("学校工作考评"), "{}", page.body);
    assert!(page.body.contains("应发 500.00 元"));
    assert!(
        !page.body.contains(SCHOOL_C),
        "银坑镇's school is not 贡江镇's"
    );
    let (status, bytes) = web
        .get_raw("/evaluation/download?term=2023-autumn")
        .await_bytes()
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
    let audit = c.db.audit_entries(100).await.unwrap();
    assert!(
        audit
            .iter()
            .filter(|e| e.action == "view_evaluation")
            .count()
            >= 5
    );
}
