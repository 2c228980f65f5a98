//! Teacher exchange (三(三)) on the web and in the API: each role sees its scope (a school what it
//! sent and received, a township its schools', the county and auditors all), full teacher IDs only
//! for the county and auditors, the finance officer nothing; each view audited.

use crate::support::{id, County, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use axum::http::StatusCode;
use zizhu_domain::ListKind;

both!(each_role_sees_the_exchange_of_its_scope);

const SCHOOL_D: &str = "2136000008";

/// The test county's schools with their 城乡类型: A (初中) and B (小学) urban in 贡江镇, C
/// (九年一贯制) and D (小学) rural in 银坑镇.
fn schools() -> String {
    format!(
        "学校标识码,学校名称,办学类型,办学性质,所在乡镇,城乡类型\n\
         {SCHOOL_B},于都县贡江镇演示小学,小学,公办,贡江镇,城区\n\
         {SCHOOL_A},于都县演示第二中学,初中,公办,贡江镇,城区\n\
         {SCHOOL_C},于都县银坑镇演示九年一贯制学校,九年一贯制学校,公办,银坑镇,乡村\n\
         {SCHOOL_D},于都县银坑镇演示村小,小学,公办,银坑镇,乡村\n"
    )
}

/// 三(三), 2023 学年 as of 2024-06-15 (notice 30 days):
/// 一 A→C to 2024-07-15 (fits, due: exactly 30 days), 二 B→D to 2025-08-31 (fits), 三 C→A to
/// 2024-01-31 (the wrong way, ended), 五 B→C 2024-02-01 – 2024-06-14 (fits, ended the day before;
/// not in the teacher list), 六 C→D (from a rural school). County: 5 teachers, 3 fit → 3/5（60.0%）;
/// C received 一 五: 2/2（100.0%）; D received 二 六: 1/2（50.0%）. 贡江镇 (A, B) sees 一 二 三 五:
/// 3/4（75.0%）; school C sees 一 三 五 六: 2/4（50.0%）.
async fn each_role_sees_the_exchange_of_its_scope(c: &County) {
    crate::support::import_list(c, ListKind::Schools, "学校.csv", &schools()).await;
    let t: Vec<String> = (51..57).map(|s| id("19800101", s)).collect();
    crate::support::import_list(
        c,
        ListKind::Teachers,
        "教师.csv",
        &format!(
            "身份证件号,姓名,任职学校标识码\n{},一演师,{SCHOOL_A}\n{},二演师,{SCHOOL_B}\n\
             {},三演师,{SCHOOL_C}\n{},六演师,{SCHOOL_C}\n",
            t[1], t[2], t[3], t[5]
        ),
    )
    .await;
    crate::support::import_list(
        c,
        ListKind::TeacherExchanges,
        "交流.csv",
        &format!(
            "身份证件号,姓名,派出学校标识码,接收学校标识码,开始日期,结束日期\n\
             {},一演师,{SCHOOL_A},{SCHOOL_C},2023-09-01,2024-07-15\n\
             {},二演师,{SCHOOL_B},{SCHOOL_D},2023-09-01,2025-08-31\n\
             {},三演师,{SCHOOL_C},{SCHOOL_A},2023-09-01,2024-01-31\n\
             {},五演师,{SCHOOL_B},{SCHOOL_C},2024-02-01,2024-06-14\n\
             {},六演师,{SCHOOL_C},{SCHOOL_D},2023-09-01,2024-08-31\n",
            t[1], t[2], t[3], t[4], t[5]
        ),
    )
    .await;
    let q = "/exchange?year=2023&as_of=2024-06-15";
    let mut county = c.signed_in("county").await;
    let page = county.get(q).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("3/5（60.0%）"), "{}", page.body);
    assert!(page.body.contains(&t[1]), "the county sees full IDs");
    assert!(page.body.contains("即将期满"));
    assert!(page.body.contains("派出学校为农村学校，不是城区学校"));
    let mut school = c.signed_in("school_c").await;
    let page = school.get(q).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2/4（50.0%）"), "{}", page.body);
    assert!(page.body.contains("一演师") && !page.body.contains("二演师"));
    assert!(!page.body.contains(&t[1]), "a school sees masked IDs");
    let mut town = c.signed_in("town").await;
    let page = town.get(q).await;
    assert!(page.body.contains("3/4（75.0%）"), "{}", page.body);
    assert!(!page.body.contains("六演师"));
    assert_eq!(
        county.get("/exchange?as_of=tomorrow").await.status,
        StatusCode::BAD_REQUEST
    );

    let tc = crate::api::token(c, "county").await;
    let api = "/api/exchange?year=2023&as_of=2024-06-15";
    let (s, v) = crate::api::get(c, api, Some(&tc)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["share"], "3/5（60.0%）");
    assert_eq!(
        (v["due_to_return"].as_u64(), v["ended"].as_u64()),
        (Some(1), Some(2))
    );
    let school_row = |v: &serde_json::Value, code: &str| {
        v["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(school_row(&v, SCHOOL_C)["received_share"], "2/2（100.0%）");
    assert_eq!(school_row(&v, SCHOOL_D)["received_share"], "1/2（50.0%）");
    assert_eq!(school_row(&v, SCHOOL_A)["sent_due"], 1);
    let five = v["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "五演师")
        .cloned()
        .unwrap();
    assert_eq!(
        (five["ended"].as_bool(), five["in_teacher_list"].as_bool()),
        (Some(true), Some(false))
    );
    let ts = crate::api::token(c, "school_c").await;
    let (s, v) = crate::api::get(c, api, Some(&ts)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["assignments"].as_array().unwrap().len(), 4);
    assert_eq!(v["schools"].as_array().unwrap().len(), 1);
    assert!(!v.to_string().contains(&t[1]), "masked in the API too");
    let (s, e) = crate::api::get(c, "/api/exchange?as_of=2024-13-01", Some(&tc)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("不存在"), "{e}");
    // A year out of range or not a number says what a year is (review: -9999 was accepted).
    for y in ["-9999", "abc"] {
        let (s, e) = crate::api::get(c, &format!("/api/exchange?year={y}"), Some(&tc)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(e["error"].as_str().unwrap().contains("2000 至 2100"), "{e}");
    }
    let (s, _) = crate::api::get(c, "/api/exchange?yaer=2023", Some(&tc)).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "an unknown parameter is refused"
    );
    let (_, doc) = crate::api::get(c, "/openapi.json", None).await;
    assert!(doc["paths"]["/api/exchange"]["get"]["responses"]["200"].is_object());
    let log = c.db.audit_entries(30).await.unwrap();
    assert!(log.iter().filter(|e| e.action == "view_exchange").count() >= 5);
}
