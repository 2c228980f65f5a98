//! Computing a term from the web: the county only; the same result as the command line.

use crate::support::{Client, County};
use axum::http::StatusCode;

both!(the_county_computes_a_term_and_others_cannot);

async fn the_county_computes_a_term_and_others_cannot(c: &County) {
    let mut s = c.signed_in("school_a").await;
    assert_eq!(s.get("/compute").await.status, StatusCode::FORBIDDEN);
    let page = s.get("/").await;
    let csrf = Client::csrf_in(&page.body);
    let r = s
        .post("/compute", &[("csrf", &csrf), ("term", "2023-autumn")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let runs_before =
        c.db.latest_run(crate::support::autumn())
            .await
            .unwrap()
            .unwrap()
            .id;

    let mut county = c.signed_in("county").await;
    let page = county.get("/compute").await;
    assert!(page.body.contains("最近一次"));
    let csrf = Client::csrf_in(&page.body);
    let r = county
        .post("/compute", &[("csrf", &csrf), ("term", "2023-autumn")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // 二(一)2 第一款, autumn halves of the yearly standard, three boarding 低保 students:
    // 甲 初中 625.00 + 乙 小学 500.00 + 丙 初中 (九年一贯制 七年级) 625.00 = 1,750.00 元.
    assert!(
        r.body.contains("资助 3 人次，合计 1,750.00 元"),
        "{}",
        r.body
    );
    let run =
        c.db.latest_run(crate::support::autumn())
            .await
            .unwrap()
            .unwrap();
    assert!(run.id > runs_before);
    assert_eq!((run.actor.as_str(), run.total_fen), ("county", 175_000));
    let bad = county
        .post("/compute", &[("csrf", &csrf), ("term", "冬季")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

both!(every_role_reads_the_policy_in_force);

async fn every_role_reads_the_policy_in_force(c: &County) {
    for user in ["school_a", "town", "county", "auditor"] {
        let mut u = c.signed_in(user).await;
        let p = u.get("/policy").await;
        assert_eq!(p.status, StatusCode::OK, "{user}");
        // 二(一)2 第一款: the boarding subsidy and its yearly standards (1000 / 1250 元).
        assert!(p.body.contains("义务教育家庭经济困难寄宿生生活补助"));
        assert!(p.body.contains("二(一)2 第一款"));
        assert!(p.body.contains("初中寄宿生生活补助标准"));
        assert!(p.body.contains("2023-01-01 起：1250"), "{}", p.body);
    }
}
