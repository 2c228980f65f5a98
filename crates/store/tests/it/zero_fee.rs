//! Zero-fee issues (零收费发放记录, 三(一), migration 0017): an import replaces the (school,
//! school year) pairs it names and keeps the others; one issue entered on the web is recorded
//! with its audit entry, and the same item of a student, school and year is refused twice.

use crate::support::*;
use chrono::NaiveDate;
use zizhu_domain::zero_fee::{Issue, ZeroFeeItem};
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::{Db, PayActor};

story!(an_import_replaces_its_school_years_and_web_entries_are_audited);

pub fn issue(n: u32, school: &str, year: i32, item: ZeroFeeItem) -> Issue {
    let insured = item == ZeroFeeItem::AccidentInsurance;
    Issue {
        school_year: year,
        school_code: school.into(),
        id_number: ids(n),
        name: format!("测试学生{n}"),
        item,
        issued_on: NaiveDate::from_ymd_opt(year, 9, 1).unwrap(),
        quantity: 1,
        insurer: insured.then(|| "测试保险公司".to_string()),
        policy_no: insured.then(|| format!("P{n}")),
    }
}

async fn import_issues(db: &Db, file: &str, issues: Vec<Issue>) -> TestResult {
    import(
        db,
        meta(ListKind::ZeroFeeIssues, file, None),
        issues.into_iter().map(ListRecord::ZeroFeeIssue).collect(),
    )
    .await?;
    Ok(())
}

async fn an_import_replaces_its_school_years_and_web_entries_are_audited(db: &Db) -> TestResult {
    use ZeroFeeItem::*;
    import_issues(
        db,
        "first.csv",
        vec![
            issue(1, "S1", 2023, TeachingMaterials),
            issue(1, "S1", 2023, AccidentInsurance),
            issue(2, "S2", 2023, SchoolUniform),
            issue(3, "S1", 2022, SchoolUniform),
        ],
    )
    .await?;
    let who = PayActor {
        name: "s1.officer",
        origin: Some("127.0.0.1"),
    };
    let web = issue(4, "S1", 2023, SchoolUniform);
    let id = db.record_zero_fee_issue(&web, who).await?;
    let again = db.record_zero_fee_issue(&web, who).await;
    assert!(
        matches!(&again, Err(zizhu_store::StoreError::Invalid(m)) if m.contains("不能重复登记")),
        "{again:?}"
    );
    let stored = db.zero_fee_issues(2023).await?;
    assert_eq!(stored.len(), 4);
    let entered = stored.iter().find(|s| s.id == id).unwrap();
    assert_eq!(entered.issue, web);
    assert_eq!(entered.source, None);
    assert_eq!(
        entered.entered.as_ref().map(|e| e.0.as_str()),
        Some("s1.officer")
    );
    let insured = stored
        .iter()
        .find(|s| s.issue.item == AccidentInsurance)
        .unwrap();
    assert_eq!(insured.issue.policy_no.as_deref(), Some("P1"));
    assert_eq!(insured.source.map(|s| s.1), Some(3), "row 3 of the file");
    let log = db.audit_entries(10).await?;
    let entry = log.iter().find(|e| e.action == "zero_fee_issue").unwrap();
    assert!(
        !entry.detail.contains(&ids(4)),
        "a full ID in the audit log"
    );
    assert_eq!(db.zero_fee_years().await?, vec![2023, 2022]);
    let counts = db.zero_fee_rows_by_school_year().await?;
    assert_eq!(counts.get(&("S1".to_string(), 2023)), Some(&3));

    // School S1's new 2023 list replaces its 2023 rows, the web entry included; S1's 2022 and
    // S2's 2023 stay.
    import_issues(
        db,
        "s1-again.csv",
        vec![issue(5, "S1", 2023, SchoolUniform)],
    )
    .await?;
    let now: Vec<(String, String)> = db
        .zero_fee_issues(2023)
        .await?
        .into_iter()
        .map(|s| (s.issue.school_code, s.issue.id_number))
        .collect();
    assert_eq!(
        now,
        vec![("S1".to_string(), ids(5)), ("S2".to_string(), ids(2))]
    );
    assert_eq!(db.zero_fee_issues(2022).await?.len(), 1);
    Ok(())
}
