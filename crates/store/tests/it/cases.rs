//! The dropout ledger (一生一案台账): a scan opens cases and the unique index keeps one open
//! case per child; moves are checked and recorded with their events and audit entries; a move
//! checked against a state another user has just left is refused; actions and assignments.

use crate::support::*;
use chrono::NaiveDate;
use zizhu_domain::dropout::{
    ActionKind, AttentionGroup, CaseState, DropoutRules, Move, NotDropoutReason, SuspectReason,
    UserLevel,
};
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::{Actor, CaseFilter, Db, NewCase, ScanSummary, StoreError};

story!(
    ledger_moves_and_events,
    one_open_case_per_child,
    dates_and_schools_checked
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn rules() -> DropoutRules {
    DropoutRules {
        entry_age: 6,
        cutoff: (8, 31),
        years: 9,
        verify_days: 7,
        action_days: 30,
        home_teaching_days: 30,
        monitor_days: 120,
        close_days: 7,
        suspension_terms: 2,
    }
}

fn county() -> Actor {
    Actor {
        name: "县资助中心".into(),
        level: UserLevel::County,
        origin: None,
    }
}

fn school_user() -> Actor {
    Actor {
        name: "学校专干".into(),
        level: UserLevel::School,
        origin: None,
    }
}

pub(crate) fn child(n: u32) -> NewCase {
    NewCase {
        id_number: ids(n),
        name: format!("测试儿童{}", ["甲", "乙", "丙", "丁"][n as usize % 4]),
        sex: None,
        birth_date: Some(d(2012, 3, 1)),
        township: "甲镇".into(),
        village: "一村".into(),
        household_no: format!("H{n}"),
        guardian: "测试监护人".into(),
        guardian_phone: "13800000000".into(),
        school_code: "3607310001".into(),
        reasons: vec![SuspectReason::NeverEnrolled],
        groups: vec![AttentionGroup::PoorFamily, AttentionGroup::LeftBehind],
    }
}

/// Opens cases for `children` in one scan; returns their ids.
pub(crate) async fn open(
    db: &Db,
    children: &[NewCase],
) -> Result<Vec<i64>, zizhu_store::StoreError> {
    let mut tx = db
        .begin_scan(d(2023, 10, 15), autumn(2023), &county())
        .await?;
    let mut out = Vec::new();
    for c in children {
        out.push(tx.open_case(c).await?);
    }
    tx.commit(ScanSummary::default()).await?;
    Ok(out)
}

async fn ledger_moves_and_events(db: &Db) -> TestResult {
    let ids_ = open(db, &[child(1), child(2)]).await?;
    let (a, b) = (ids_[0], ids_[1]);
    let case = db.case(a).await?.ok_or("case")?;
    assert_eq!(case.state, CaseState::Suspected);
    assert_eq!(
        case.child,
        child(1),
        "what the scan gave is stored as given"
    );
    assert_eq!(case.opened_on, d(2023, 10, 15));

    // Suspected → verifying → confirmed → persuading → returned (school users).
    let r = rules();
    let u = school_user();
    db.move_case(a, &Move::Verify, &u, d(2023, 10, 16), &r, "电话联系监护人")
        .await?;
    db.move_case(a, &Move::Confirm, &u, d(2023, 10, 18), &r, "")
        .await?;
    db.move_case(a, &Move::Persuade, &u, d(2023, 10, 18), &r, "")
        .await?;
    db.record_action(
        a,
        ActionKind::HomeVisit,
        d(2023, 10, 20),
        d(2023, 10, 21),
        &u,
        "第一次家访",
    )
    .await?;
    let back = Move::Return {
        school: "3607310001".into(),
        on: d(2023, 11, 1),
    };
    let now = db.move_case(a, &back, &u, d(2023, 11, 2), &r, "").await?;
    assert_eq!(now.state, CaseState::Returned);
    assert_eq!(now.returned_on, Some(d(2023, 11, 1)));
    assert_eq!(now.last_action_on, Some(d(2023, 10, 20)));

    // A school may not close; the county may only after 120 days of monitoring.
    let close = Move::Close {
        reason: "复学后稳定在校".into(),
    };
    let refused = db.move_case(a, &close, &u, d(2024, 3, 1), &r, "").await;
    assert!(
        matches!(&refused, Err(zizhu_store::StoreError::Invalid(m)) if m == "销号只能由县级用户操作"),
        "{refused:?}"
    );
    // 1 Nov 2023 + 120 days = 29 Feb 2024 (a leap year).
    let early = db
        .move_case(a, &close, &county(), d(2024, 2, 1), &r, "")
        .await;
    assert!(
        matches!(&early, Err(zizhu_store::StoreError::Invalid(m)) if m.contains("2024-02-29")),
        "{early:?}"
    );
    let closed = db
        .move_case(a, &close, &county(), d(2024, 3, 1), &r, "")
        .await?;
    assert_eq!(closed.state, CaseState::Closed);
    assert_eq!(closed.close_reason, "复学后稳定在校");

    // Every step is an event, in order, with who and which level.
    let events = db.case_events(a).await?;
    let steps: Vec<(String, Option<CaseState>, Option<ActionKind>)> = events
        .iter()
        .map(|e| (e.kind.clone(), e.to_state, e.action))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("open".into(), Some(CaseState::Suspected), None),
            ("move".into(), Some(CaseState::Verifying), None),
            ("move".into(), Some(CaseState::Confirmed), None),
            ("move".into(), Some(CaseState::Persuading), None),
            ("action".into(), None, Some(ActionKind::HomeVisit)),
            ("move".into(), Some(CaseState::Returned), None),
            ("move".into(), Some(CaseState::Closed), None),
        ]
    );
    assert_eq!(events[1].note, "开始核查：电话联系监护人");
    assert_eq!(events[6].actor_level, UserLevel::County);

    // Closed: no more actions; reopened by the county with a reason.
    let late = db
        .record_action(
            a,
            ActionKind::PhoneCall,
            d(2024, 3, 2),
            d(2024, 3, 2),
            &u,
            "回访",
        )
        .await;
    assert!(matches!(late, Err(zizhu_store::StoreError::Invalid(_))));
    let reopen = Move::Reopen {
        reason: "回访发现再次未到校".into(),
    };
    let again = db
        .move_case(a, &reopen, &county(), d(2024, 4, 1), &r, "")
        .await?;
    assert_eq!(
        (again.state, again.opened_on),
        (CaseState::Verifying, d(2024, 4, 1))
    );
    // A new cycle: the last one's return and closing stay in the events only.
    assert_eq!((again.returned_on, again.close_reason.as_str()), (None, ""));
    // History runs forward: no move dated before the present state began.
    let backwards = db
        .move_case(a, &Move::Confirm, &u, d(2024, 3, 31), &r, "")
        .await;
    assert!(
        matches!(&backwards, Err(zizhu_store::StoreError::Invalid(m)) if m.contains("早于")),
        "{backwards:?}"
    );

    // Not a dropout: studying elsewhere needs the school's name.
    db.move_case(b, &Move::Verify, &u, d(2023, 10, 16), &r, "")
        .await?;
    let elsewhere = |school: Option<&str>| Move::NotDropout {
        reason: NotDropoutReason::StudyingElsewhere,
        evidence: "在读证明".into(),
        school: school.map(Into::into),
    };
    assert!(db
        .move_case(b, &elsewhere(None), &u, d(2023, 10, 17), &r, "")
        .await
        .is_err());
    let nd = db
        .move_case(
            b,
            &elsewhere(Some("外县某中学")),
            &u,
            d(2023, 10, 17),
            &r,
            "",
        )
        .await?;
    assert_eq!(
        nd.not_dropout_reason,
        Some(NotDropoutReason::StudyingElsewhere)
    );
    assert_eq!(nd.elsewhere_school, "外县某中学");

    // A move checked against a state the case has left (another user moved it) changes nothing.
    let refused = db
        .move_case(b, &Move::Confirm, &u, d(2023, 10, 18), &r, "")
        .await;
    assert!(matches!(refused, Err(zizhu_store::StoreError::Invalid(_))));
    assert_eq!(
        db.case(b).await?.map(|c| c.state),
        Some(CaseState::NotDropout)
    );

    // Responsible people.
    let assigned = db
        .assign_case(
            b,
            None,
            Some("班主任甲"),
            Some("甲镇干部乙"),
            d(2023, 10, 17),
            &u,
        )
        .await?;
    assert_eq!(
        (assigned.teacher.as_str(), assigned.official.as_str()),
        ("班主任甲", "甲镇干部乙")
    );
    assert!(db
        .assign_case(b, None, Some(" "), None, d(2023, 10, 17), &u)
        .await
        .is_err());
    assert!(db
        .assign_case(b, Some("'; DROP TABLE x"), None, None, d(2023, 10, 17), &u)
        .await
        .is_err());
    assert!(db
        .move_case(999, &Move::Verify, &u, d(2023, 10, 17), &r, "")
        .await
        .is_err());

    // Filters, and the audit log has every change.
    let open_only = db
        .cases(&CaseFilter {
            open_only: true,
            ..CaseFilter::default()
        })
        .await?;
    assert_eq!(open_only.len(), 2);
    let nd_only = db
        .cases(&CaseFilter {
            state: Some(CaseState::NotDropout),
            school_code: Some("3607310001".into()),
            ..CaseFilter::default()
        })
        .await?;
    assert_eq!(nd_only.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b]);
    let audit = db.audit_entries(100).await?;
    let moves = audit.iter().filter(|e| e.action == "case_move").count();
    assert_eq!(moves, 8);
    assert!(audit.iter().any(|e| e.action == "case_assign"));
    assert!(audit.iter().any(|e| e.action == "dropout_scan"));
    Ok(())
}

/// At most one open case per child, by a unique index: a second open case for the same child
/// is refused; after closing, a new case may be opened.
async fn one_open_case_per_child(db: &Db) -> TestResult {
    let first = open(db, &[child(3)]).await?;
    let dup = open(db, &[child(3)]).await;
    assert!(dup.err().is_some_and(|e| e.is_unique_violation()));
    let r = rules();
    let c = county();
    let a = first[0];
    db.move_case(a, &Move::Verify, &c, d(2023, 10, 16), &r, "")
        .await?;
    let moved = Move::NotDropout {
        reason: NotDropoutReason::MovedAway,
        evidence: "户籍迁出证明".into(),
        school: None,
    };
    db.move_case(a, &moved, &c, d(2023, 10, 17), &r, "").await?;
    db.move_case(
        a,
        &Move::Close {
            reason: "已迁出".into(),
        },
        &c,
        d(2023, 10, 18),
        &r,
        "",
    )
    .await?;
    let second = open(db, &[child(3)]).await?;
    assert_ne!(second, first);
    assert_eq!(db.cases_of(&ids(3)).await?.len(), 2);
    // The closed case cannot be reopened while the child has an open one; nor assigned.
    let reopen = Move::Reopen {
        reason: "复查".into(),
    };
    let refused = db.move_case(a, &reopen, &c, d(2023, 10, 19), &r, "").await;
    assert!(
        matches!(&refused, Err(zizhu_store::StoreError::Invalid(m)) if m.contains(&second[0].to_string())),
        "{refused:?}"
    );
    assert!(db
        .assign_case(a, None, Some("班主任"), None, d(2023, 10, 19), &c)
        .await
        .is_err());
    Ok(())
}

/// An action is not dated before the case was opened, nor a 送教上门 session before its plan
/// began; a return names a school of the school list by its code (a name gets the code).
async fn dates_and_schools_checked(db: &Db) -> TestResult {
    let c = county();
    let r = rules();
    let ids = open(db, &[child(5), child(6)]).await?;
    let (a, b) = (ids[0], ids[1]);
    let refused = |res: Result<zizhu_store::CaseRow, StoreError>, want: &str| match res {
        Err(StoreError::Invalid(m)) => assert!(m.contains(want), "{m}"),
        other => panic!("expected a refusal with {want}, got {other:?}"),
    };
    let today = d(2024, 6, 1);
    let visit = ActionKind::HomeVisit;
    refused(
        db.record_action(a, visit, d(2023, 10, 1), today, &c, "立案前")
            .await,
        "早于立案（或重新核查）的日期 2023-10-15",
    );
    db.record_action(a, visit, d(2023, 10, 15), today, &c, "立案当天")
        .await?;
    refused(
        db.record_action(a, visit, d(2023, 10, 15), today, &c, "家访\u{1b}[31m")
            .await,
        "控制字符（U+001B）",
    );
    for mv in [Move::Verify, Move::Confirm] {
        db.move_case(b, &mv, &c, d(2023, 10, 16), &r, "").await?;
    }
    let plan = Move::HomeTeaching {
        teacher: "送教教师".into(),
        frequency: "每月两次".into(),
        content: "康复训练".into(),
    };
    db.move_case(b, &plan, &c, d(2023, 10, 20), &r, "").await?;
    let session = ActionKind::HomeTeachingSession;
    refused(
        db.record_action(b, session, d(2023, 10, 18), today, &c, "方案前")
            .await,
        "早于送教上门方案开始的日期 2023-10-20",
    );

    // Taught at home, back at school, then out again: persuading once more, neither returned
    // nor taught at home any longer, and the new return not dated before the relapse.
    let back_b = Move::Return {
        school: "3607310001".into(),
        on: d(2023, 10, 25),
    };
    db.move_case(b, &back_b, &c, d(2023, 10, 25), &r, "")
        .await?;
    let again = db
        .move_case(b, &Move::Persuade, &c, d(2023, 11, 1), &r, "")
        .await?;
    assert_eq!(again.state, CaseState::Persuading);
    assert_eq!((again.returned_on, again.plan_teacher.as_str()), (None, ""));
    let early = Move::Return {
        school: "3607310001".into(),
        on: d(2023, 10, 30),
    };
    refused(
        db.move_case(b, &early, &c, d(2023, 11, 5), &r, "").await,
        "复学日期 2023-10-30 早于案件进入“劝返中”的日期 2023-11-01",
    );

    // With a school list, a return names one of its schools by code.
    import(
        db,
        meta(ListKind::Schools, "s.csv", None),
        vec![ListRecord::School(school("3607310001", "演示小学", "甲镇"))],
    )
    .await?;
    for mv in [Move::Verify, Move::Confirm] {
        db.move_case(a, &mv, &c, d(2023, 10, 16), &r, "").await?;
    }
    let back = |school: &str| Move::Return {
        school: school.into(),
        on: d(2023, 11, 1),
    };
    refused(
        db.move_case(a, &back("9999999999"), &c, d(2023, 11, 1), &r, "")
            .await,
        "9999999999 不在学校名单中",
    );
    refused(
        db.move_case(a, &back("演示小学"), &c, d(2023, 11, 1), &r, "")
            .await,
        "的标识码是 3607310001",
    );
    refused(
        db.assign_case(a, Some("36073100"), None, None, d(2023, 11, 1), &c)
            .await,
        "应为10位学校标识码",
    );
    let now = db
        .move_case(a, &back("3607310001"), &c, d(2023, 11, 1), &r, "")
        .await?;
    assert_eq!(now.state, CaseState::Returned);
    Ok(())
}
