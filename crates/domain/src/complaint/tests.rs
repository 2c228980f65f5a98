//! Complaint tickets (四(三)): the moves allowed and refused, deadlines at the boundary day of
//! each category, overdue. The days are those of policy/2023.toml's `[complaints]`: 未收到资助 15,
//! 金额有误 15, 失学辍学 7, 免除后仍收费 15, 其他 30, in calendar days.

use super::*;
use crate::dropout::UserLevel;
use chrono::NaiveDate;
use std::collections::BTreeSet;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn calendar() -> ComplaintRules {
    ComplaintRules {
        days: [15, 15, 7, 15, 30],
        count: DayCount::Calendar,
        holidays: BTreeSet::new(),
        workdays: BTreeSet::new(),
    }
}

fn school(code: &str) -> Owner {
    Owner::School {
        code: code.into(),
        township: "甲镇".into(),
    }
}

fn ticket(state: ComplaintState) -> TicketFacts {
    TicketFacts {
        state,
        school_code: "3607310001".into(),
        township: "甲镇".into(),
        owner: school("3607310001"),
    }
}

fn by(level: UserLevel, unit: &str) -> Handler {
    Handler {
        level,
        unit: unit.into(),
    }
}

/// 四(三): lodged Monday 9 Oct 2023. 15 days: due 24 Oct (in time that day, late from 25 Oct);
/// 失学辍学 7 days: due 16 Oct; 其他 30 days: due 8 Nov.
#[test]
fn clause_4_3_calendar_deadline_per_category_at_the_boundary() {
    let r = calendar();
    let lodged = d(2023, 10, 9);
    use ComplaintCategory as C;
    let expected = [
        (C::AidNotReceived, d(2023, 10, 24)),
        (C::WrongAmount, d(2023, 10, 24)),
        (C::OutOfSchool, d(2023, 10, 16)),
        (C::FeeChargedDespiteWaiver, d(2023, 10, 24)),
        (C::Other, d(2023, 11, 8)),
    ];
    for (c, due) in expected {
        assert_eq!(due_on(lodged, c, &r), due, "{}", c.zh());
        let clock = TicketClock {
            state: ComplaintState::InProgress,
            due_on: due,
            resolved_on: None,
        };
        assert_eq!(overdue(&clock, due), None, "the deadline day is in time");
        let day_after = due.succ_opt().unwrap_or(due);
        assert_eq!(
            overdue(&clock, day_after),
            Some(Overdue { due, days_late: 1 }),
            "{}",
            c.zh()
        );
    }
}

/// Working days: 7 from Monday 16 Oct 2023 are 17, 18, 19, 20, 23, 24, 25 Oct → due 25 Oct; 15
/// are up to Monday 6 Nov. National Day 2023: 29 Sep–6 Oct off, Saturday 7 and Sunday 8 Oct
/// worked (调休); 7 working days from Friday 29 Sep are 7–13 Oct → due Friday 13 Oct.
#[test]
fn clause_4_3_working_days_skip_weekends_and_holidays() {
    let mut r = ComplaintRules {
        count: DayCount::Working,
        ..calendar()
    };
    assert_eq!(
        due_on(d(2023, 10, 16), ComplaintCategory::OutOfSchool, &r),
        d(2023, 10, 25)
    );
    assert_eq!(
        due_on(d(2023, 10, 16), ComplaintCategory::AidNotReceived, &r),
        d(2023, 11, 6)
    );
    r.holidays = (29..=30)
        .map(|day| d(2023, 9, day))
        .chain((1..=6).map(|day| d(2023, 10, day)))
        .collect();
    r.workdays = [d(2023, 10, 7), d(2023, 10, 8)].into_iter().collect();
    assert_eq!(
        due_on(d(2023, 9, 29), ComplaintCategory::OutOfSchool, &r),
        d(2023, 10, 13)
    );
}

/// Resolved or closed tickets are not overdue; resolved after the deadline still missed it
/// (for the schools' evaluation); resolved on the deadline day did not.
#[test]
fn clause_4_3_overdue_and_missed_deadline() {
    let due = d(2023, 10, 24);
    let mut c = TicketClock {
        state: ComplaintState::Resolved,
        due_on: due,
        resolved_on: Some(due),
    };
    assert_eq!(overdue(&c, d(2023, 12, 1)), None);
    assert!(!missed_deadline(&c, d(2023, 12, 1)));
    c.resolved_on = Some(d(2023, 10, 25));
    assert!(missed_deadline(&c, d(2023, 12, 1)));
    c.state = ComplaintState::Closed;
    assert_eq!(overdue(&c, d(2023, 12, 1)), None);
    let open = TicketClock {
        state: ComplaintState::Received,
        due_on: due,
        resolved_on: None,
    };
    assert!(!missed_deadline(&open, due));
    assert!(missed_deadline(&open, d(2023, 10, 25)));
    assert_eq!(
        overdue(&open, d(2023, 11, 3)).map(|o| o.days_late),
        Some(10)
    );
}

/// The workflow: received → assigned → in progress → resolved → closed, with reopen from
/// resolved; closed is final; each refused move names what the state allows.
#[test]
fn clause_4_3_transitions_allowed_and_refused() {
    use ComplaintState as S;
    let county = by(UserLevel::County, "");
    let assign = Transition::Assign {
        owner: school("3607310002"),
    };
    assert_eq!(
        check_transition(&ticket(S::Received), &assign, &county, ""),
        Ok(S::Assigned)
    );
    let own = by(UserLevel::School, "3607310001");
    assert_eq!(
        check_transition(&ticket(S::Assigned), &Transition::Start, &own, ""),
        Ok(S::InProgress)
    );
    assert_eq!(
        check_transition(&ticket(S::Received), &Transition::Start, &own, ""),
        Ok(S::InProgress),
        "the owner may start a ticket lodged with it"
    );
    assert_eq!(
        check_transition(&ticket(S::InProgress), &Transition::Resolve, &own, " "),
        Err(TransitionError::Missing {
            what: "办理结果"
        })
    );
    assert_eq!(
        check_transition(&ticket(S::InProgress), &Transition::Resolve, &own, "已补发"),
        Ok(S::Resolved)
    );
    assert_eq!(
        check_transition(
            &ticket(S::Resolved),
            &Transition::Reopen,
            &own,
            "家长称仍未收到"
        ),
        Ok(S::InProgress)
    );
    assert_eq!(
        check_transition(&ticket(S::Resolved), &Transition::Close, &own, ""),
        Err(TransitionError::CountyOnly { tr: "close" })
    );
    assert_eq!(
        check_transition(&ticket(S::Resolved), &Transition::Close, &county, ""),
        Ok(S::Closed)
    );
    let refused = check_transition(&ticket(S::Closed), &Transition::Reopen, &county, "x");
    assert_eq!(
        refused.clone().map_err(|e| e.to_string()),
        Err("工单当前状态为“已结案”，不能重新办理；已结案的工单不能再变更".into())
    );
    let early = check_transition(&ticket(S::Received), &Transition::Resolve, &own, "x");
    assert_eq!(
        early.map_err(|e| e.to_string()),
        Err(
            "工单当前状态为“已受理”，不能办结；此状态下可以：交办（assign）、开始办理（start）"
                .into()
        )
    );
}

/// Scope: a school works on what it owns and assigns nothing; a township assigns within its
/// township only; another school or township is refused.
#[test]
fn clause_4_3_who_may_move_a_ticket() {
    use ComplaintState as S;
    let other_school = by(UserLevel::School, "3607310009");
    assert_eq!(
        check_transition(&ticket(S::Assigned), &Transition::Start, &other_school, ""),
        Err(TransitionError::NotYours)
    );
    let own = by(UserLevel::School, "3607310001");
    let to_town = Transition::Assign {
        owner: Owner::Township("甲镇".into()),
    };
    assert_eq!(
        check_transition(&ticket(S::Received), &to_town, &own, ""),
        Err(TransitionError::SchoolCannotAssign)
    );
    let town = by(UserLevel::Township, "甲镇");
    assert_eq!(
        check_transition(&ticket(S::Received), &to_town, &town, ""),
        Ok(S::Assigned)
    );
    let elsewhere = Transition::Assign {
        owner: Owner::School {
            code: "3607319999".into(),
            township: "乙镇".into(),
        },
    };
    assert_eq!(
        check_transition(&ticket(S::Received), &elsewhere, &town, ""),
        Err(TransitionError::OutsideTownship)
    );
    let to_county = Transition::Assign {
        owner: Owner::County,
    };
    assert_eq!(
        check_transition(&ticket(S::Received), &to_county, &town, ""),
        Err(TransitionError::OutsideTownship)
    );
    let other_town = by(UserLevel::Township, "乙镇");
    assert_eq!(
        check_transition(
            &ticket(S::InProgress),
            &Transition::Resolve,
            &other_town,
            "x"
        ),
        Err(TransitionError::NotYours)
    );
    assert_eq!(
        check_transition(&ticket(S::InProgress), &Transition::Resolve, &town, "x"),
        Ok(S::Resolved)
    );
}

/// A phone number keeps its first 3 and last 4 digits; a short contact its last 2.
#[test]
fn contact_masked() {
    assert_eq!(mask_contact("13812345678"), "138****5678");
    assert_eq!(mask_contact("0797-1234567"), "079*****4567");
    assert_eq!(mask_contact("123456"), "****56");
    assert_eq!(mask_contact(""), "");
}

/// What a user types for an owner: county, a township, a 10-digit school code; anything else is
/// refused in Chinese.
#[test]
fn owner_as_typed() {
    assert_eq!(Owner::parse_typed(" county "), Ok(Owner::County));
    assert_eq!(
        Owner::parse_typed("township:贡江镇"),
        Ok(Owner::Township("贡江镇".into()))
    );
    assert_eq!(
        Owner::parse_typed("3607310001").map(|o| o.unit().to_string()),
        Ok("3607310001".into())
    );
    for bad in ["township:", "360731000", "某某中学"] {
        assert!(Owner::parse_typed(bad).is_err(), "{bad}");
    }
}
