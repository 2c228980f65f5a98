//! Complaint tickets (群众反映问题, 四(三), migration 0019): lodged about a student found in the
//! registry or the dropout ledger, owned by the student's school, due by the category's days;
//! moved with a history and audit entries (never the complainant's contact); scoped; two moves
//! from one state cannot both succeed; links to a payment line or a case must be the student's.

use crate::support::*;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use zizhu_domain::complaint::{
    ComplaintCategory, ComplaintRules, ComplaintSource, ComplaintState, DayCount, Handler, Owner,
    Transition,
};
use zizhu_domain::dropout::UserLevel;
use zizhu_domain::{ListKind, ListRecord};
use zizhu_store::{ComplaintActor, Db, NewComplaint, ScopeFilter, StoreError};

story!(
    complaint_lodged_moved_and_recorded,
    complaint_two_moves_from_one_state_one_wins,
    complaint_links_are_the_students
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// policy/2023.toml [complaints]: 15, 15, 7, 15, 30 calendar days.
fn rules() -> ComplaintRules {
    ComplaintRules {
        days: [15, 15, 7, 15, 30],
        count: DayCount::Calendar,
        holidays: BTreeSet::new(),
        workdays: BTreeSet::new(),
    }
}

const ALL: ScopeFilter<'static> = ScopeFilter {
    township: None,
    school: None,
};

fn who(level: UserLevel, unit: &str) -> ComplaintActor {
    ComplaintActor {
        name: format!("{}-{unit}", level.key()),
        handler: Handler {
            level,
            unit: unit.into(),
        },
        origin: None,
    }
}

fn county() -> ComplaintActor {
    who(UserLevel::County, "")
}

fn complaint(n: u32, category: ComplaintCategory, on: NaiveDate) -> NewComplaint {
    NewComplaint {
        id_number: ids(n),
        category,
        source: ComplaintSource::Family,
        complainant: "测试家长".into(),
        contact: "13800001111".into(),
        summary: "秋季学期寄宿生生活补助未到账".into(),
        payment_line_id: None,
        case_id: None,
        lodged_on: on,
    }
}

async fn schools_and_students(db: &Db) -> TestResult {
    import(
        db,
        meta(ListKind::Schools, "schools.csv", None),
        vec![
            ListRecord::School(school("3607310001", "测试一中", "甲镇")),
            ListRecord::School(school("3607310002", "测试二中", "甲镇")),
            ListRecord::School(school("3607320001", "测试三中", "乙镇")),
        ],
    )
    .await?;
    import_students(db, autumn(2023), &[1, 2], "3607310001").await?;
    Ok(())
}

fn invalid(r: &Result<impl std::fmt::Debug, StoreError>, part: &str) -> bool {
    matches!(r, Err(StoreError::Invalid(m)) if m.contains(part))
}

async fn complaint_lodged_moved_and_recorded(db: &Db) -> TestResult {
    schools_and_students(db).await?;
    let school = who(UserLevel::School, "3607310001");
    let mine = ScopeFilter {
        township: None,
        school: Some("3607310001"),
    };
    // 四(三): 未收到资助 lodged Monday 9 Oct 2023 is due 15 days later, 24 Oct.
    let c = complaint(1, ComplaintCategory::AidNotReceived, d(2023, 10, 9));
    let t = db.lodge_complaint(&c, &school, mine, &rules()).await?;
    assert_eq!(t.due_on, d(2023, 10, 24));
    assert_eq!(t.state, ComplaintState::Received);
    assert_eq!(
        t.owner,
        Owner::School {
            code: "3607310001".into(),
            township: "甲镇".into()
        },
        "the student's school owns it"
    );
    assert_eq!(
        (t.school_code.as_str(), t.township.as_str()),
        ("3607310001", "甲镇")
    );
    // 失学辍学 lodged the same day: 7 days, due 16 Oct.
    let out = complaint(2, ComplaintCategory::OutOfSchool, d(2023, 10, 9));
    let t2 = db.lodge_complaint(&out, &county(), ALL, &rules()).await?;
    assert_eq!(t2.due_on, d(2023, 10, 16));

    // Scope: another school may not lodge about this student, nor see the ticket; the other
    // township sees nothing.
    let other = ScopeFilter {
        township: None,
        school: Some("3607310002"),
    };
    let refused = db
        .lodge_complaint(&c, &who(UserLevel::School, "3607310002"), other, &rules())
        .await;
    assert!(invalid(&refused, "不在您的数据范围内"), "{refused:?}");
    assert!(db.complaint_in_scope(other, t.id).await?.is_none());
    let yi = ScopeFilter {
        township: Some("乙镇"),
        school: None,
    };
    assert!(db.complaints(yi, &Default::default()).await?.is_empty());
    let jia = ScopeFilter {
        township: Some("甲镇"),
        school: None,
    };
    assert_eq!(db.complaints(jia, &Default::default()).await?.len(), 2);
    let nobody = complaint(99, ComplaintCategory::Other, d(2023, 10, 9));
    let unknown = db.lodge_complaint(&nobody, &county(), ALL, &rules()).await;
    assert!(invalid(&unknown, "都没有身份证件号为"), "{unknown:?}");

    // The school starts and resolves; a move dated before the state began is refused.
    let early = db
        .move_complaint(t.id, &Transition::Start, &school, mine, d(2023, 10, 8), "")
        .await;
    assert!(invalid(&early, "早于工单进入"), "{early:?}");
    db.move_complaint(t.id, &Transition::Start, &school, mine, d(2023, 10, 10), "")
        .await?;
    let r = db
        .move_complaint(
            t.id,
            &Transition::Resolve,
            &school,
            mine,
            d(2023, 10, 20),
            "已补发 625 元",
        )
        .await?;
    assert_eq!(
        (r.state, r.resolved_on),
        (ComplaintState::Resolved, Some(d(2023, 10, 20)))
    );
    // The family is not satisfied: back in progress, the resolution day cleared.
    let again = db
        .move_complaint(
            t.id,
            &Transition::Reopen,
            &school,
            mine,
            d(2023, 10, 26),
            "家长称仍未到账",
        )
        .await?;
    assert_eq!(
        (again.state, again.resolved_on),
        (ComplaintState::InProgress, None)
    );
    // The school may not close; after a second resolution the county closes.
    db.move_complaint(
        t.id,
        &Transition::Resolve,
        &school,
        mine,
        d(2023, 10, 27),
        "银行退回后重新发放",
    )
    .await?;
    let not_school = db
        .move_complaint(t.id, &Transition::Close, &school, mine, d(2023, 10, 28), "")
        .await;
    assert!(
        invalid(&not_school, "结案只能由县级用户操作"),
        "{not_school:?}"
    );
    let closed = db
        .move_complaint(
            t.id,
            &Transition::Close,
            &county(),
            ALL,
            d(2023, 10, 30),
            "",
        )
        .await?;
    assert_eq!(closed.state, ComplaintState::Closed);
    let final_ = db
        .move_complaint(
            t.id,
            &Transition::Reopen,
            &county(),
            ALL,
            d(2023, 11, 1),
            "x",
        )
        .await;
    assert!(invalid(&final_, "已结案的工单不能再变更"), "{final_:?}");

    // The county hands the second ticket to the other township's school: its township is read
    // from the school list, and that school now sees it.
    let to_san = Transition::Assign {
        owner: Owner::School {
            code: "3607320001".into(),
            township: String::new(),
        },
    };
    let moved = db
        .move_complaint(t2.id, &to_san, &county(), ALL, d(2023, 10, 10), "")
        .await?;
    assert_eq!(moved.owner.township(), "乙镇");
    assert_eq!(db.complaints(yi, &Default::default()).await?.len(), 1);
    // A township no school of the list is in cannot take it (review: a typo handed a ticket to
    // nobody); nothing moves.
    let nowhere = Transition::Assign {
        owner: Owner::Township("不存在镇".into()),
    };
    let refused = db
        .move_complaint(t2.id, &nowhere, &county(), ALL, d(2023, 10, 11), "")
        .await;
    assert!(invalid(&refused, "不在学校名单中"), "{refused:?}");
    let kept = db.complaint_in_scope(ALL, t2.id).await?.ok_or("ticket")?;
    assert_eq!(kept.owner.township(), "乙镇");

    // History: lodge, start, resolve, reopen, resolve, close.
    let h = db.complaint_events(t.id).await?;
    let kinds: Vec<&str> = h.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["lodge", "start", "resolve", "reopen", "resolve", "close"]
    );
    assert_eq!(h[3].from_state, Some(ComplaintState::Resolved));
    assert_eq!(h[3].note, "家长称仍未到账");
    // Audited, and the contact never in the log.
    let log = db.audit_entries(50).await?;
    assert_eq!(
        log.iter().filter(|a| a.action == "complaint_lodge").count(),
        2
    );
    assert_eq!(
        log.iter().filter(|a| a.action == "complaint_move").count(),
        6
    );
    assert!(log.iter().all(|a| !a.detail.contains("13800001111")));

    // As of 26 Oct: the first ticket was resolved late (27 Oct > 24 Oct) — a missed deadline;
    // the second (due 16 Oct) is still open — missed too.
    let counts = db
        .complaint_counts_by_school(d(2023, 10, 1), d(2023, 10, 31))
        .await?;
    let s1 = counts.get("3607310001").copied().unwrap_or_default();
    assert_eq!((s1.lodged, s1.overdue), (2, 2));
    // Their states on 21 Oct, from the history: resolved (on 20 Oct) and assigned.
    let on = db.complaint_states_on(d(2023, 10, 21)).await?;
    assert_eq!(
        on.get(&t.id),
        Some(&(ComplaintState::Resolved, Some(d(2023, 10, 20))))
    );
    assert_eq!(on.get(&t2.id), Some(&(ComplaintState::Assigned, None)));
    assert!(db.complaint_states_on(d(2023, 10, 8)).await?.is_empty());
    Ok(())
}

async fn complaint_two_moves_from_one_state_one_wins(db: &Db) -> TestResult {
    schools_and_students(db).await?;
    let c = complaint(1, ComplaintCategory::WrongAmount, d(2023, 10, 9));
    let t = db.lodge_complaint(&c, &county(), ALL, &rules()).await?;
    let school = who(UserLevel::School, "3607310001");
    let on = d(2023, 10, 10);
    let county = county();
    let (a, b) = tokio::join!(
        db.move_complaint(t.id, &Transition::Start, &school, ALL, on, "甲"),
        db.move_complaint(t.id, &Transition::Start, &county, ALL, on, "乙"),
    );
    assert_eq!(
        usize::from(a.is_ok()) + usize::from(b.is_ok()),
        1,
        "{a:?} {b:?}"
    );
    let lost = if a.is_err() { a } else { b };
    assert!(
        invalid(&lost, "刚被其他用户修改") || invalid(&lost, "不能开始办理"),
        "{lost:?}"
    );
    let starts = db
        .complaint_events(t.id)
        .await?
        .iter()
        .filter(|e| e.kind == "start")
        .count();
    assert_eq!(starts, 1);
    Ok(())
}

async fn complaint_links_are_the_students(db: &Db) -> TestResult {
    // Students 1 and 2 known from their dropout cases only (no registry): the case gives their
    // school and township.
    let cases = crate::cases::open(db, &[crate::cases::child(1), crate::cases::child(2)]).await?;
    let run_id = crate::payments::locked_term(db).await?;
    crate::payments::lock(db, run_id).await?;
    let b = db
        .create_batches(
            autumn(2023),
            &crate::payments::boarding(),
            crate::payments::WHO,
        )
        .await?[0];
    let lines = db.batch_lines(b).await?;
    let line_of = |n: u32| lines.iter().find(|l| l.id_number == ids(n)).map(|l| l.id);
    let mut c = complaint(1, ComplaintCategory::AidNotReceived, d(2023, 11, 1));
    c.payment_line_id = line_of(1);
    c.case_id = Some(cases[0]);
    let t = db.lodge_complaint(&c, &county(), ALL, &rules()).await?;
    assert_eq!((t.payment_line_id, t.case_id), (line_of(1), Some(cases[0])));
    assert_eq!(t.township, "甲镇");
    c.payment_line_id = line_of(2);
    let r = db.lodge_complaint(&c, &county(), ALL, &rules()).await;
    assert!(invalid(&r, "发放明细"), "{r:?}");
    c.payment_line_id = Some(999_999);
    let r = db.lodge_complaint(&c, &county(), ALL, &rules()).await;
    assert!(invalid(&r, "没有编号为 999999 的发放明细"), "{r:?}");
    c.payment_line_id = None;
    c.case_id = Some(cases[1]);
    let r = db.lodge_complaint(&c, &county(), ALL, &rules()).await;
    assert!(invalid(&r, "控辍保学案件"), "{r:?}");
    // Text checks: empty summary, control characters.
    c.case_id = None;
    c.summary = " ".into();
    assert!(invalid(
        &db.lodge_complaint(&c, &county(), ALL, &rules()).await,
        "请填写反映内容"
    ));
    c.summary = "未到账\u{202E}".into();
    assert!(db
        .lodge_complaint(&c, &county(), ALL, &rules())
        .await
        .is_err());
    // The history is append-only.
    let edit = match db {
        Db::Sqlite(p) => sqlx::query("UPDATE complaint_event SET note = 'x'")
            .execute(p)
            .await
            .map(|_| ()),
        Db::Postgres(p) => sqlx::query("UPDATE complaint_event SET note = 'x'")
            .execute(p)
            .await
            .map(|_| ()),
    };
    assert!(edit.is_err());
    Ok(())
}
