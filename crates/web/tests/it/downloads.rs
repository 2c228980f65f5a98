//! Roster workbooks from the web: the user's scope only, full IDs only for roles that may see
//! them, every download audited.

use crate::support::County;
use axum::http::StatusCode;
use calamine::{Reader, Xlsx};

both!(roster_downloads_are_scoped_and_masked);

/// Every cell of every sheet, as text.
fn cells(bytes: &[u8]) -> Vec<String> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            out.extend(row.iter().map(|c| c.to_string()));
        }
    }
    out
}

async fn roster_downloads_are_scoped_and_masked(c: &County) {
    let mut s = c.signed_in("school_a").await;
    let r = s
        .get_raw("/roster/download?term=2023-autumn")
        .await_bytes()
        .await;
    assert_eq!(r.0, StatusCode::OK);
    let all = cells(&r.1);
    assert!(all.iter().any(|x| x == "甲演一"));
    assert!(
        !all.iter().any(|x| x == "乙演二" || x == "丙演三"),
        "other schools"
    );
    assert!(
        !all.iter().any(|x| x.contains(&c.a)),
        "no full ID for a school officer"
    );
    // Its notes give its own figures (甲: 625 元), not the county's.
    assert!(!all.iter().any(|x| x == "计算人数"));
    assert!(
        all.iter()
            .any(|x| x.contains("资助 1 人次，合计 625.00 元")),
        "{all:?}"
    );
    let r = s
        .get_raw("/roster/download?term=2023-autumn&version=public")
        .await_bytes()
        .await;
    assert!(!cells(&r.1).iter().any(|x| x.contains(&c.a)));
    // The county's full version has the full IDs of the whole county.
    let mut county = c.signed_in("county").await;
    let r = county
        .get_raw("/roster/download?term=2023-autumn")
        .await_bytes()
        .await;
    let all = cells(&r.1);
    for id in [&c.a, &c.b, &c.c] {
        assert!(all.iter().any(|x| x == id), "{id}");
    }
    let log = c.db.audit_entries(20).await.unwrap();
    let exports: Vec<_> = log.iter().filter(|e| e.action == "export_roster").collect();
    assert_eq!(exports.len(), 2);
    // The county's full version is a full-ID export, logged as one.
    assert!(log
        .iter()
        .any(|e| e.action == "export_roster_full_id" && e.actor == "county"));
    assert!(exports
        .iter()
        .any(|e| e.actor == "school_a" && e.detail.contains("公示版")));
}
