//! Normal-school targeted admission (三(二)) on the web and in the API: the county and auditors
//! see each category's lowered line and each applicant's result with masked IDs; a school does
//! not; each view is audited.

use crate::support::County;
use axum::http::StatusCode;
use zizhu_domain::ListKind;

both!(the_county_sees_who_qualifies_only_because_of_the_lowered_line);

async fn import(c: &County, kind: ListKind, name: &str, content: &str) {
    crate::support::import_list(c, kind, name, content).await;
}

/// 三(二): control line 530 lowered by 20 → 510 (floor 480 not binding). 甲 (建档立卡, 应届, 本县)
/// with 510 qualifies only because of it; 乙 (not 建档立卡) with 515 does not qualify.
async fn the_county_sees_who_qualifies_only_because_of_the_lowered_line(c: &County) {
    import(
        c,
        ListKind::PoorHouseholds,
        "脱贫户.csv",
        &format!(
            "户编号,姓名,身份证号,与户主关系,贫困状态,脱贫年度\nH9,甲演一,{},之子,已脱贫,2019\n",
            c.a
        ),
    )
    .await;
    import(
        c,
        ListKind::AdmissionLines,
        "控制线.csv",
        "年份,专业类别,最低控制分数线,省定最低分\n2023,小学全科教师,530,480\n",
    )
    .await;
    import(
        c,
        ListKind::AdmissionApplicants,
        "考生.csv",
        &format!(
            "年份,姓名,身份证件号,报考类别,中考成绩,是否应届,户籍在本县\n\
             2023,甲演一,{},小学全科教师,510,是,是\n2023,乙演二,{},小学全科教师,515,是,是\n",
            c.a, c.b
        ),
    )
    .await;
    let mut county = c.signed_in("county").await;
    let page = county.get("/admission").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("因降分达线") && page.body.contains("510"));
    assert!(page.body.contains("不适用降分：非建档立卡贫困家庭学生"));
    assert!(!page.body.contains(&c.a), "full ID on the page");
    let mut school = c.signed_in("school_a").await;
    assert_eq!(school.get("/admission").await.status, StatusCode::FORBIDDEN);
    let t = crate::api::token(c, "county").await;
    let (s, v) = crate::api::get(c, "/api/admission?year=2023", Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["categories"][0]["lowered_line"], "510");
    assert_eq!(v["categories"][0]["only_by_lowering"], 1);
    let only: Vec<&str> = v["applicants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["only_by_lowering"] == true)
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(only, vec!["甲演一"]);
    let ts = crate::api::token(c, "school_a").await;
    assert_eq!(
        crate::api::get(c, "/api/admission", Some(&ts)).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _) = crate::api::get(c, "/api/admission?year=2031", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let log = c.db.audit_entries(20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "view_admission"));
}
