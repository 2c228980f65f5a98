//! Every state × move, allowed and refused, against the workflow of issue 4 / POLICY.md 二(二).

use super::*;
use crate::dropout::tests::rules;
use CaseState as S;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn moves() -> Vec<Move> {
    vec![
        Move::Verify,
        Move::NotDropout {
            reason: NotDropoutReason::StudyingElsewhere,
            evidence: "县外学校出具的在读证明".into(),
            school: Some("某市第一中学".into()),
        },
        Move::Confirm,
        Move::Persuade,
        Move::Return {
            school: "3607310001".into(),
            on: d(2023, 10, 8),
        },
        Move::HomeTeaching {
            teacher: "送教教师甲".into(),
            frequency: "每月两次".into(),
            content: "语文、数学、康复训练".into(),
        },
        Move::Close {
            reason: "核实完毕".into(),
        },
        Move::Reopen {
            reason: "复查发现仍未入学".into(),
        },
    ]
}

/// The allowed (state, move) pairs, written out from the workflow.
const ALLOWED: &[(CaseState, &str)] = &[
    (S::Suspected, "verify"),
    (S::Verifying, "not_dropout"),
    (S::Verifying, "confirm"),
    (S::Confirmed, "persuade"),
    // A returned child who leaves again while monitored is persuaded again.
    (S::Returned, "persuade"),
    (S::Confirmed, "return"),
    (S::Confirmed, "home_teaching"),
    (S::Persuading, "return"),
    (S::Persuading, "home_teaching"),
    (S::HomeTeaching, "return"),
    (S::NotDropout, "close"),
    (S::Returned, "close"),
    (S::HomeTeaching, "close"),
    (S::Closed, "reopen"),
];

#[test]
fn every_state_and_move() {
    let on = d(2024, 6, 1); // long after the return: monitoring is over
    for &state in CaseState::ALL {
        for mv in moves() {
            let case = CaseFacts {
                state,
                returned_on: Some(d(2023, 10, 8)),
            };
            let got = check_move(case, &mv, UserLevel::County, on, &rules());
            if ALLOWED.contains(&(state, mv.key())) {
                assert_eq!(got, Ok(mv.to()), "{state:?} {}", mv.key());
            } else {
                assert_eq!(
                    got,
                    Err(MoveError::NotFromState {
                        from: state,
                        mv: mv.key()
                    }),
                    "{state:?} {}",
                    mv.key()
                );
            }
        }
    }
}

#[test]
fn refusal_names_what_the_state_allows() {
    let case = CaseFacts {
        state: S::Suspected,
        returned_on: None,
    };
    let err = check_move(
        case,
        &Move::Confirm,
        UserLevel::School,
        d(2023, 10, 1),
        &rules(),
    )
    .err()
    .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("案件当前状态为“疑似辍学”，不能确认辍学；此状态下可以：开始核查（verify）")
    );
}

/// Closing and reopening are the county's (issue 4: "closed only ... by a county-level user").
#[test]
fn only_the_county_closes_and_reopens() {
    let close = Move::Close {
        reason: "核实完毕".into(),
    };
    let reopen = Move::Reopen {
        reason: "复查".into(),
    };
    for level in [UserLevel::School, UserLevel::Township] {
        let nd = CaseFacts {
            state: S::NotDropout,
            returned_on: None,
        };
        assert_eq!(
            check_move(nd, &close, level, d(2023, 10, 1), &rules()),
            Err(MoveError::CountyOnly { mv: "close" })
        );
        let closed = CaseFacts {
            state: S::Closed,
            returned_on: None,
        };
        assert_eq!(
            check_move(closed, &reopen, level, d(2023, 10, 1), &rules()),
            Err(MoveError::CountyOnly { mv: "reopen" })
        );
    }
    let msg = MoveError::CountyOnly { mv: "close" }.to_string();
    assert_eq!(msg, "销号只能由县级用户操作");
}

/// A returned child is monitored for `monitor_days` (120) before the case may close.
#[test]
fn returned_closes_after_monitoring() {
    let case = CaseFacts {
        state: S::Returned,
        returned_on: Some(d(2023, 10, 8)),
    };
    let close = Move::Close {
        reason: "复学后稳定在校".into(),
    };
    // 8 Oct + 120 days = 5 Feb 2024.
    assert_eq!(
        check_move(case, &close, UserLevel::County, d(2024, 2, 4), &rules()),
        Err(MoveError::MonitoringNotOver {
            until: d(2024, 2, 5)
        })
    );
    assert_eq!(
        check_move(case, &close, UserLevel::County, d(2024, 2, 5), &rules()),
        Ok(S::Closed)
    );
}

#[test]
fn required_details() {
    let on = d(2023, 10, 10);
    let verifying = CaseFacts {
        state: S::Verifying,
        returned_on: None,
    };
    let elsewhere = |evidence: &str, school: Option<&str>| Move::NotDropout {
        reason: NotDropoutReason::StudyingElsewhere,
        evidence: evidence.into(),
        school: school.map(Into::into),
    };
    let check = |c: CaseFacts, m: &Move| check_move(c, m, UserLevel::School, on, &rules());
    assert_eq!(
        check(verifying, &elsewhere("  ", Some("某中学"))),
        Err(MoveError::Missing {
            what: "核查说明和证明材料"
        })
    );
    assert_eq!(
        check(verifying, &elsewhere("在读证明", None)),
        Err(MoveError::Missing {
            what: "就读学校名称"
        })
    );
    let moved = Move::NotDropout {
        reason: NotDropoutReason::MovedAway,
        evidence: "户籍迁出证明".into(),
        school: None,
    };
    assert_eq!(check(verifying, &moved), Ok(S::NotDropout));

    let persuading = CaseFacts {
        state: S::Persuading,
        returned_on: None,
    };
    let back = |school: &str, day: NaiveDate| Move::Return {
        school: school.into(),
        on: day,
    };
    assert_eq!(
        check(persuading, &back("", on)),
        Err(MoveError::Missing {
            what: "复学学校"
        })
    );
    assert_eq!(
        check(persuading, &back("3607310001", d(2023, 10, 11))),
        Err(MoveError::DateInFuture {
            what: "复学日期",
            date: d(2023, 10, 11)
        })
    );
    let plan = Move::HomeTeaching {
        teacher: "送教教师甲".into(),
        frequency: "".into(),
        content: "康复训练".into(),
    };
    assert_eq!(
        check(persuading, &plan),
        Err(MoveError::Missing {
            what: "送教频次"
        })
    );
    let close = Move::Close { reason: " ".into() };
    let nd = CaseFacts {
        state: S::NotDropout,
        returned_on: None,
    };
    assert_eq!(
        check_move(nd, &close, UserLevel::County, on, &rules()),
        Err(MoveError::Missing { what: "原因" })
    );
}

#[test]
fn allowed_keys_follow_the_table() {
    for &state in CaseState::ALL {
        let want: Vec<&str> = ALLOWED
            .iter()
            .filter(|(s, _)| *s == state)
            .map(|(_, k)| *k)
            .collect();
        let mut got = allowed_keys(state);
        let mut want = want;
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{state:?}");
    }
}
