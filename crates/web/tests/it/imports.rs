//! Importing a list from the web: upload, the validation report (row, column, value, reason),
//! confirm or cancel; all or nothing, as on the command line; the county's only.

use crate::support::{id, Client, County, Resp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

both!(
    upload_validate_then_confirm_or_cancel,
    uploads_are_the_countys_and_their_owners
);

/// A multipart form as a browser sends it.
async fn upload(
    b: &mut Client,
    csrf: &str,
    kind: &str,
    term: &str,
    name: &str,
    content: &str,
) -> Resp {
    let boundary = "zizhu-test-boundary";
    let mut body = String::new();
    for (k, v) in [("csrf", csrf), ("kind", kind), ("term", term)] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ));
    let cookies: Vec<String> = b.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let req = Request::post("/imports")
        .header(header::COOKIE, cookies.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    b.send(req).await
}

fn token_in(page: &str) -> String {
    let at = page.find("name=\"token\" value=\"").expect("a token");
    page[at + 20..at + 84].to_string()
}

async fn upload_validate_then_confirm_or_cancel(c: &County) {
    let mut county = c.signed_in("county").await;
    let page = county.get("/imports").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = Client::csrf_in(&page.body);
    let before = c.db.imports().await.unwrap().len();
    // Row 3 has an ID whose check character is wrong: the report names row, column, value,
    // reason, and nothing is written.
    let good = id("20120101", 41);
    let mut bad = id("20120102", 42);
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    let file = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n庚演七,{good},农村,2023-01-01,2023-12-31\n辛演八,{bad},农村,2023-01-01,2023-12-31\n"
    );
    let r = upload(&mut county, &csrf, "dibao", "", "低保-有错.csv", &file).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("未通过"), "{}", r.body);
    assert!(
        r.body.contains("<td class=\"num\">3</td><td>身份证号</td>"),
        "{}",
        r.body
    );
    assert!(r.body.contains(&bad) && r.body.contains("校验位"));
    assert!(!r.body.contains("确认导入"));
    assert_eq!(
        c.db.imports().await.unwrap().len(),
        before,
        "nothing written"
    );
    // The corrected file: accepted, not written until confirmed.
    let fixed = file.replace(&bad, &id("20120102", 42));
    let r = upload(&mut county, &csrf, "dibao", "", "低保.csv", &fixed).await;
    assert!(r.body.contains("校验通过：2 行"), "{}", r.body);
    assert_eq!(c.db.imports().await.unwrap().len(), before, "a dry run");
    let token = token_in(&r.body);
    let r = county
        .post("/imports/confirm", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert!(r.body.contains("已导入：2 行低保名单"), "{}", r.body);
    let batches = c.db.imports().await.unwrap();
    assert_eq!(batches.len(), before + 1);
    let last = batches.iter().max_by_key(|b| b.id).unwrap();
    assert_eq!(
        (last.file_name.as_str(), last.actor.as_str()),
        ("低保.csv", "county")
    );
    // A token is used once.
    let again = county
        .post("/imports/confirm", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // Cancel: nothing written, the token gone.
    let r = upload(&mut county, &csrf, "dibao", "", "低保2.csv", &fixed).await;
    let token = token_in(&r.body);
    let r = county
        .post("/imports/cancel", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.db.imports().await.unwrap().len(), before + 1);
    // Two confirmations of one token at once: exactly one imports.
    let r = upload(&mut county, &csrf, "dibao", "", "低保3.csv", &fixed).await;
    let token = token_in(&r.body);
    let mut twice = Vec::new();
    for _ in 0..2 {
        let mut b = county.clone_session();
        let (csrf, token) = (csrf.clone(), token.clone());
        twice.push(tokio::spawn(async move {
            b.post("/imports/confirm", &[("csrf", &csrf), ("token", &token)])
                .await
                .status
        }));
    }
    let mut codes = Vec::new();
    for t in twice {
        codes.push(t.await.unwrap());
    }
    codes.sort();
    assert_eq!(codes, vec![StatusCode::OK, StatusCode::NOT_FOUND]);
    assert_eq!(c.db.imports().await.unwrap().len(), before + 2);
    // A file checked before a newer import of the same list is not confirmed over it.
    let r = upload(&mut county, &csrf, "dibao", "", "低保-旧.csv", &fixed).await;
    let stale = token_in(&r.body);
    let r = upload(&mut county, &csrf, "dibao", "", "低保-新.csv", &fixed).await;
    let fresh = token_in(&r.body);
    county
        .post("/imports/confirm", &[("csrf", &csrf), ("token", &fresh)])
        .await;
    let r = county
        .post("/imports/confirm", &[("csrf", &csrf), ("token", &stale)])
        .await;
    assert!(r.body.contains("已有更新的导入"), "{}", r.body);
    assert_eq!(c.db.imports().await.unwrap().len(), before + 3);
    // A registry without its term is refused with the reason.
    let r = upload(&mut county, &csrf, "students", "", "学籍.csv", "姓名\n").await;
    assert!(
        r.body.contains("未导入") || r.body.contains("学期"),
        "{}",
        r.body
    );
}

async fn uploads_are_the_countys_and_their_owners(c: &County) {
    let file = format!(
        "姓名,身份证号,城乡类别,开始日期,结束日期\n庚演七,{},农村,2023-01-01,2023-12-31\n",
        id("20120101", 41)
    );
    let mut s = c.signed_in("school_a").await;
    assert_eq!(s.get("/imports").await.status, StatusCode::FORBIDDEN);
    let csrf = Client::csrf_in(&s.get("/").await.body);
    let r = upload(&mut s, &csrf, "dibao", "", "x.csv", &file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without the form token: refused before anything is read.
    let mut county = c.signed_in("county").await;
    let r = upload(&mut county, "nope", "dibao", "", "x.csv", &file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another county user cannot confirm this user's upload; nor can a made-up token.
    let csrf = Client::csrf_in(&county.get("/imports").await.body);
    let r = upload(&mut county, &csrf, "dibao", "", "x.csv", &file).await;
    let token = token_in(&r.body);
    let second =
        zizhu_domain::access::Access::new(zizhu_domain::access::Role::CountyAdmin, None, None)
            .unwrap();
    zizhu_app::accounts::add_user(
        &c.db,
        "county2",
        "县级二",
        &second,
        crate::support::PASSWORD,
        "test",
    )
    .await
    .unwrap();
    let mut other = c.signed_in("county2").await;
    let csrf2 = Client::csrf_in(&other.get("/imports").await.body);
    let r = other
        .post("/imports/confirm", &[("csrf", &csrf2), ("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for t in ["../../etc", &"0".repeat(64), ""] {
        let r = county
            .post("/imports/confirm", &[("csrf", &csrf), ("token", t)])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{t}");
    }
}
