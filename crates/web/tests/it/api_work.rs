//! The county's work through the JSON API: an import checked (a bad row reported by row, column,
//! value and reason), confirmed and used once; a compute; the schools' coverage; roster approval
//! with its refusals; the roster workbook; the audit log; and JSON errors for malformed requests.

use crate::api::{get, post, token};
use crate::support::{County, SCHOOL_A, SCHOOL_B, SCHOOL_C};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt as _;
use zizhu_domain::access::{Access, Role};

both!(
    an_import_is_checked_confirmed_and_computed_through_the_api,
    approval_downloads_and_the_audit_log_through_the_api,
    malformed_api_requests_get_json_errors,
    assignments_and_full_ids_through_the_api,
    imports_refuse_what_would_undo_a_newer_one,
);

async fn imports_refuse_what_would_undo_a_newer_one(c: &County) {
    let county = token(c, "county").await;
    let dibao = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n甲演一,{},农村,2023-01-01,2023-12-31\n",
        c.a
    );
    // A term on a list that has none, no term on a registry, an unknown kind: 400, saying why.
    let (s, e) = upload(
        c,
        "/api/imports?kind=dibao&term=2023-autumn&file_name=d.csv",
        &county,
        &dibao,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("不分学期"), "{e}");
    let (s, e) = upload(
        c,
        "/api/imports?kind=students&file_name=s.csv",
        &county,
        &dibao,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("按学期"), "{e}");
    assert!(!e["error"].as_str().unwrap().contains("--term"), "{e}");
    let (s, e) = upload(
        c,
        "/api/imports?kind=lists&file_name=d.csv",
        &county,
        &dibao,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"].as_str().unwrap().contains("dibao（低保）"),
        "{e}"
    );
    // A file that is no spreadsheet: refused, and the check is in the audit log.
    let (s, _) = upload(
        c,
        "/api/imports?kind=dibao&file_name=x.xlsx",
        &county,
        "not a zip",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let log = c.db.audit_entries(3).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "import_check" && e.detail.contains("接口上传校验：文件无法导入")));
    // Two checked files of one list confirmed at the same moment: one is imported, the other
    // refused as it would undo the first (hostile review: both were accepted).
    let path = "/api/imports?kind=dibao&file_name=d.csv";
    let (_, r1) = upload(c, path, &county, &dibao).await;
    let (_, r2) = upload(c, path, &county, &dibao).await;
    let (t1, t2) = (r1["token"].as_str().unwrap(), r2["token"].as_str().unwrap());
    let before = c.db.imports().await.unwrap().len();
    let c1 = format!("/api/imports/{t1}/confirm");
    let c2 = format!("/api/imports/{t2}/confirm");
    let ((s1, _), (s2, e2)) = tokio::join!(post(c, &c1, &county, ""), post(c, &c2, &county, ""));
    let mut statuses = [s1, s2];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST], "{e2}");
    assert_eq!(c.db.imports().await.unwrap().len(), before + 1);
    let log = c.db.audit_entries(5).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "import_rejected" && e.detail.contains("更新的导入")));
}

async fn assignments_and_full_ids_through_the_api(c: &County) {
    // The township names a teacher, and may hand the case to its own schools only; the audit
    // entry keeps before and after.
    let town = token(c, "town").await;
    let path = format!("/api/cases/{}/assignments", c.case_a);
    let (s, case) = post(c, &path, &town, r#"{"teacher": "演示教师甲"}"#).await;
    assert_eq!(s, StatusCode::OK, "{case}");
    assert_eq!(case["teacher"], "演示教师甲");
    let (s, e) = post(c, &path, &town, &format!(r#"{{"school": "{SCHOOL_C}"}}"#)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("本乡镇"), "{e}");
    let school = token(c, "school_a").await;
    let (s, e) = post(c, &path, &school, &format!(r#"{{"school": "{SCHOOL_B}"}}"#)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("学校用户不能"), "{e}");
    let log = c.db.audit_entries(5).await.unwrap();
    let e = log.iter().find(|e| e.action == "case_assign").unwrap();
    assert_eq!(e.before.as_deref(), Some("包保教师 （无）"));
    assert_eq!(e.after.as_deref(), Some("包保教师 演示教师甲"));
    assert_eq!(
        c.db.case(c.case_a)
            .await
            .unwrap()
            .unwrap()
            .child
            .school_code,
        SCHOOL_A
    );

    // A full ID: for the county and auditors, on request, audited; a school gets 403.
    let key = c.key_of(&c.a).await;
    let (s, st) = get(c, &format!("/api/students/{key}"), Some(&school)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(st["id_number"].is_null());
    let (s, _) = get(
        c,
        &format!("/api/students/{key}?full_id=true"),
        Some(&school),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let auditor = token(c, "auditor").await;
    let (s, st) = get(
        c,
        &format!("/api/students/{key}?full_id=true"),
        Some(&auditor),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(st["id_number"], c.a.as_str());
    let log = c.db.audit_entries(3).await.unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "view_full_id" && e.actor == "auditor"));
}

/// POSTs `body` as the raw file to `path`.
pub(crate) async fn upload(
    c: &County,
    path: &str,
    token: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
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

/// The autumn registry of the fixture again, with 己 now recognised by the schools as 一般困难
/// (and `bad_grade` as 己's grade at school A).
fn registry(c: &County, grade_at_a: &str) -> String {
    let (a, b, cc, d) = (&c.a, &c.b, &c.c, &c.dual);
    format!(
        "姓名,身份证件号,学籍号,学校标识码,年级,是否住校,户口性质,专业,是否涉农专业,学籍状态,家庭经济困难认定\n\
         甲演一,{a},G{a},{SCHOOL_A},八年级,是,农业,,,在读,不困难\n\
         乙演二,{b},G{b},{SCHOOL_B},三年级,是,农业,,,在读,不困难\n\
         丙演三,{cc},G{cc},{SCHOOL_C},七年级,是,农业,,,在读,不困难\n\
         己演六,{d},G{d},{SCHOOL_A},{grade_at_a},否,农业,,,在读,一般困难\n\
         己演六,{d},G{d},{SCHOOL_C},九年级,否,农业,,,在读,一般困难\n"
    )
}

async fn an_import_is_checked_confirmed_and_computed_through_the_api(c: &County) {
    let county = token(c, "county").await;
    let path = "/api/imports?kind=students&term=2023-autumn&file_name=%E5%AD%A6%E7%B1%8D.csv";
    // A school may not import: 403, in JSON.
    let school = token(c, "school_a").await;
    let (s, e) = upload(c, path, &school, &registry(c, "九年级")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(e["error"].as_str().unwrap().contains("无权"));

    // A bad row: reported with its row (the header is row 1), column, value and reason; no
    // token, nothing written.
    let (s, r) = upload(c, path, &county, &registry(c, "十三年级")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["accepted"], false);
    assert!(r["token"].is_null());
    assert_eq!(r["error_count"], 1);
    assert_eq!(r["errors"][0]["row"], 5);
    assert_eq!(r["errors"][0]["column"], "年级");
    assert_eq!(r["errors"][0]["value"], "十三年级");
    assert!(!r["errors"][0]["reason"].as_str().unwrap().is_empty());
    let before = c.db.imports().await.unwrap().len();

    // A good file: checked, confirmed once; the token is then spent (404), and a token is the
    // uploader's alone.
    let (s, r) = upload(c, path, &county, &registry(c, "九年级")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["accepted"], true);
    let t = r["token"].as_str().unwrap().to_string();
    assert_eq!(
        c.db.imports().await.unwrap().len(),
        before,
        "a check writes nothing"
    );
    let confirm = format!("/api/imports/{t}/confirm");
    let (s, _) = post(c, &confirm, &school, "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = post(c, &confirm, &county, "").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["rows"], 5);
    assert!(r["import_id"].as_i64().unwrap() > 0);
    assert_eq!(c.db.imports().await.unwrap().len(), before + 1);
    let (s, e) = post(c, &confirm, &county, "").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    // The roster is now older than the registry: the approval says so, to every role.
    let (_, v) = get(c, "/api/approval?term=2023-autumn", Some(&school)).await;
    let w = v["warnings"][0].as_str().unwrap_or_default();
    assert!(w.contains("可能已过期") && w.contains("学籍"), "{v}");
    let (s, batches) = get(c, "/api/imports", Some(&county)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(batches[0]["kind"], "students");
    assert_eq!(batches[0]["actor"], "county");

    // Compute: 二(一)2 第一款, half a year each term: 甲 and 丙 boarding junior 1250/2 = 625 元,
    // 乙 boarding primary 1000/2 = 500 元: 1,750 元 = 175,000 fen. 己 is recognised by the
    // schools only and not boarding: no 二(一)2 第二款 (that needs a listed group).
    let (s, e) = post(c, "/api/compute", &school, r#"{"term": "2023-autumn"}"#).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, r) = post(c, "/api/compute", &county, r#"{"term": "2023-autumn"}"#).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["total_fen"], 175_000);
    assert_eq!(r["entitlements"], 3);
    let boarding = r["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["program"] == "boarding_living_subsidy")
        .unwrap();
    assert_eq!(boarding["headcount"], 3);

    // Schools: 己 is a family-difficulty student with no aid at A and at C (一个不落 gap).
    let (s, schools) = get(c, "/api/schools?term=2023-autumn", Some(&school)).await;
    assert_eq!(s, StatusCode::OK);
    let schools = schools.as_array().unwrap();
    assert_eq!(schools.len(), 1, "a school sees itself only");
    let a = &schools[0];
    assert_eq!(a["code"], SCHOOL_A);
    assert_eq!(
        (
            &a["enrolled"],
            &a["hardship"],
            &a["hardship_unaided"],
            &a["aided"]
        ),
        (&2.into(), &2.into(), &1.into(), &1.into())
    );
    assert_eq!(a["amount_fen"], 62_500);
    assert_eq!(a["roster_status"], "pending");
    assert_eq!(a["open_cases"], 1);
    // The county: A 2 of whom 1 unaided, B 1 (乙), C 2 (丙, 己) of whom 1: 3 of 5 = 60.0%.
    let (_, d) = get(c, "/api/dashboard?term=2023-autumn", Some(&county)).await;
    assert_eq!(
        (&d["hardship"], &d["hardship_unaided"]),
        (&5.into(), &2.into())
    );
    assert_eq!(d["coverage"], "60.0%");
    assert_eq!(d["amount_fen"], 175_000);
    let suspected = d["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["state"] == "suspected")
        .unwrap();
    assert_eq!(suspected["count"], 2);
    // The student's page: 己 at school A, the category with its source, no lines, explained.
    let key = c.key_of(&c.dual).await;
    let (s, st) = get(c, &format!("/api/students/{key}"), Some(&school)).await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(st["entitlements"].as_array().unwrap().len(), 0);
    assert!(
        !serde_json::to_string(&st).unwrap().contains(&c.dual),
        "ID masked"
    );
    let key_c = c.key_of(&c.c).await;
    assert_eq!(
        get(c, &format!("/api/students/{key_c}"), Some(&school))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // A cancel forgets a checked file; a school's policy read works for every role.
    let (_, r) = upload(c, path, &county, &registry(c, "九年级")).await;
    let t = r["token"].as_str().unwrap();
    let (s, _) = post(c, &format!("/api/imports/{t}/cancel"), &county, "").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        post(c, &format!("/api/imports/{t}/confirm"), &county, "")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (s, p) = get(c, "/api/policy", Some(&school)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(p["programs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "boarding_living_subsidy" && p["clause"] == "二(一)2 第一款"));
}

async fn approval_downloads_and_the_audit_log_through_the_api(c: &County) {
    let (school_a, town) = (token(c, "school_a").await, token(c, "town").await);
    let step = |school: &str, step: &str, note: &str| {
        format!(
            r#"{{"term": "2023-autumn", "school": "{school}", "step": "{step}", "note": "{note}"}}"#
        )
    };
    // A school cannot review, and cannot confirm another school (404).
    let (s, e) = post(
        c,
        "/api/approval/steps",
        &school_a,
        &step(SCHOOL_A, "review", ""),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(e["error"].as_str().unwrap().contains("学校资助专干"), "{e}");
    let (s, _) = post(
        c,
        "/api/approval/steps",
        &school_a,
        &step(SCHOOL_C, "confirm", ""),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The school confirms, its township reviews; the township cannot touch 银坑镇's school.
    let (s, v) = post(
        c,
        "/api/approval/steps",
        &school_a,
        &step(SCHOOL_A, "confirm", ""),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["schools"][0]["status"], "confirmed");
    let (s, v) = get(c, "/api/approval?term=2023-autumn", Some(&town)).await;
    assert_eq!(s, StatusCode::OK);
    let a = v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == SCHOOL_A)
        .unwrap();
    assert_eq!(a["may"], serde_json::json!(["review", "return"]));
    assert!(v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["code"] != SCHOOL_C));
    let (s, _) = post(
        c,
        "/api/approval/steps",
        &town,
        &step(SCHOOL_A, "review", ""),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        post(
            c,
            "/api/approval/steps",
            &town,
            &step(SCHOOL_C, "review", "")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Notes are bounded and plain; an ID number typed into one is shown masked.
    let (s, e) = post(
        c,
        "/api/approval/steps",
        &town,
        &step(SCHOOL_A, "return", "a\\u0007b"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("控制字符"), "{e}");
    let long = "长".repeat(501);
    let (s, _) = post(
        c,
        "/api/approval/steps",
        &town,
        &step(SCHOOL_A, "return", &long),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The county cannot lock while B and C are unreviewed; the finance officer, who pays,
    // never approves (不相容岗位).
    let county = token(c, "county").await;
    let lock = r#"{"term": "2023-autumn", "note": "同意"}"#;
    let (s, e) = post(c, "/api/approval/lock", &county, lock).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("2 所学校"), "{e}");
    let finance = Access::new(Role::FinanceOfficer, None, None).unwrap();
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
    let (s, e) = post(c, "/api/approval/lock", &f, lock).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(e["error"].as_str().unwrap().contains("财务人员不能"), "{e}");
    // Paying needs no child's dropout record.
    assert_eq!(
        get(c, "/api/cases", Some(&f)).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, d) = get(c, "/api/dashboard?term=2023-autumn", Some(&f)).await;
    assert!(d["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["count"] == 0));
    assert!(c
        .db
        .term_lock(crate::support::autumn())
        .await
        .unwrap()
        .is_none());

    // The roster workbook: the school's own lines; 公示 version; audited as an export.
    let req = Request::get("/api/roster.xlsx?term=2023-autumn&version=public")
        .header(header::AUTHORIZATION, format!("Bearer {school_a}"))
        .body(Body::empty())
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(bytes.starts_with(b"PK"));
    let (s, e) = get(c, "/api/roster.xlsx?version=everything", Some(&school_a)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("public"));

    // The audit log: the auditor finds the export and the sign-offs; a school may not read it.
    let auditor = token(c, "auditor").await;
    let (s, log) = get(c, "/api/audit?action=export_roster", Some(&auditor)).await;
    assert_eq!(s, StatusCode::OK);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["actor"], "school_a");
    assert_eq!(log[0]["action_zh"], "导出资助名单");
    let (_, steps) = get(c, "/api/audit?action=roster_signoff", Some(&auditor)).await;
    assert_eq!(steps.as_array().unwrap().len(), 2, "{steps}");
    let (s, e) = get(c, "/api/audit", Some(&school_a)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(e["error"].is_string());
    let (s, _) = get(c, "/api/audit?from=2023-13-01", Some(&auditor)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // An ID number typed into a note is shown masked.
    let note = format!("核对 {} 的材料", c.a);
    let (s, _) = post(
        c,
        "/api/approval/steps",
        &town,
        &step(SCHOOL_A, "return", &note),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = get(c, "/api/approval?term=2023-autumn", Some(&school_a)).await;
    let shown = v["schools"][0]["last_note"].as_str().unwrap();
    assert!(
        shown.starts_with("核对 ") && !shown.contains(&c.a),
        "{shown}"
    );
}

async fn malformed_api_requests_get_json_errors(c: &County) {
    let t = token(c, "county").await;
    // A path parameter that is not a number, a query of the wrong type, an unknown operation,
    // a wrong method: JSON errors in Chinese, never the HTML page.
    for (path, status) in [
        ("/api/cases/abc", StatusCode::BAD_REQUEST),
        ("/api/roster?after=xyz", StatusCode::BAD_REQUEST),
        ("/api/students/99999999", StatusCode::NOT_FOUND),
        ("/api/nothing-here", StatusCode::NOT_FOUND),
        ("/api/roster?term=2023-winter", StatusCode::BAD_REQUEST),
    ] {
        let (s, e) = get(c, path, Some(&t)).await;
        assert_eq!(s, status, "{path}: {e}");
        assert!(
            e["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}: {e}"
        );
    }
    let (s, e) = post(c, "/api/students", &t, "{}").await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(e["error"].as_str().unwrap().contains("请求方式"));
    let (s, e) = post(c, "/api/compute", &t, r#"{"term": 2023}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("字段 term 的类型不对"),
        "{e}"
    );
    let (s, e) = post(
        c,
        "/api/approval/steps",
        &t,
        r#"{"term": "2023-autumn", "school": "1", "step": "bless"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("审核步骤"));
    let (s, e) = post(c, "/api/approval/lock", &t, "{}").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"].as_str().unwrap().contains("缺少字段 term"),
        "{e}"
    );
    let (s, e) = get(c, "/api/", Some(&t)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(e["error"].is_string());
    let (s, e) = get(c, "/api/roster?program=no_such", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("boarding_living_subsidy"),
        "{e}"
    );
    let (s, e) = post(
        c,
        &format!("/api/imports/{}/confirm", "a".repeat(64)),
        &t,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        e["error"].as_str().unwrap().contains("已经确认或取消"),
        "{e}"
    );
    // The scheme name is case-insensitive; times are Beijing time.
    let req = Request::get("/api/audit")
        .header(header::AUTHORIZATION, format!("bearer {t}"))
        .body(Body::empty())
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(log[0]["at"].as_str().unwrap().ends_with("+08:00"), "{log}");
    // Cases by state and school, and a case with its history.
    let (_, open) = get(c, "/api/cases?state=suspected&school=2136000002", Some(&t)).await;
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["id"], c.case_a);
    let (s, _) = get(c, "/api/cases?state=lost", Some(&t)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, case) = get(c, &format!("/api/cases/{}", c.case_a), Some(&t)).await;
    assert_eq!(case["state"], "suspected");
    assert_eq!(case["events"][0]["kind"], "open");
    assert!(!case["reasons"].as_array().unwrap().is_empty());
    // Pages keep their HTML error page.
    let mut web = c.signed_in("county").await;
    let r = web.get("/cases/abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("<html") || r.body.contains("<!DOCTYPE"),
        "{}",
        r.body
    );
}
