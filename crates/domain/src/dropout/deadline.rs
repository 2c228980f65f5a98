//! Time limits of the ledger (时限): what is late on a given day, and whose turn it is.

use super::{CaseState, DropoutRules, UserLevel};
use chrono::{Days, NaiveDate};

/// What a late case is waiting for (超期事项).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OverdueKind {
    /// A suspect not verified within `verify_days` of being found.
    Verification,
    /// No action for `action_days` while a confirmed dropout is being persuaded.
    Persuasion,
    /// No home-teaching session for `home_teaching_days`.
    HomeTeaching,
    /// Not closed by the county `close_days` after it could be.
    Closing,
}

impl OverdueKind {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            OverdueKind::Verification => "核查超期",
            OverdueKind::Persuasion => "劝返跟踪超期",
            OverdueKind::HomeTeaching => "送教上门超期",
            OverdueKind::Closing => "销号超期",
        }
    }

    /// Whose turn it is: the responsible school, or the county for closing.
    pub fn whose(self) -> UserLevel {
        match self {
            OverdueKind::Closing => UserLevel::County,
            _ => UserLevel::School,
        }
    }
}

/// A late case: what for, the day it was due, and how many days late on the day asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub kind: OverdueKind,
    pub due: NaiveDate,
    pub days_late: i64,
}

/// The dates of a case that its deadlines count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseClock {
    pub state: CaseState,
    /// The day the case was opened (found by a scan or reopened).
    pub opened_on: NaiveDate,
    /// The day it entered its present state.
    pub state_since: NaiveDate,
    /// The latest recorded action of any kind, and the latest home-teaching session.
    pub last_action_on: Option<NaiveDate>,
    pub last_session_on: Option<NaiveDate>,
    /// The day the child returned to school.
    pub returned_on: Option<NaiveDate>,
}

fn plus(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Is the case late on day `on`, and for what? `None` when nothing is due yet or it is closed.
pub fn overdue(c: &CaseClock, on: NaiveDate, rules: &DropoutRules) -> Option<Overdue> {
    use CaseState as S;
    let latest = |a: NaiveDate, b: Option<NaiveDate>| b.map_or(a, |b| a.max(b));
    let (kind, due) = match c.state {
        S::Suspected | S::Verifying => (
            OverdueKind::Verification,
            plus(c.opened_on, rules.verify_days),
        ),
        S::Confirmed | S::Persuading => (
            OverdueKind::Persuasion,
            plus(latest(c.state_since, c.last_action_on), rules.action_days),
        ),
        S::HomeTeaching => (
            OverdueKind::HomeTeaching,
            plus(
                latest(c.state_since, c.last_session_on),
                rules.home_teaching_days,
            ),
        ),
        S::NotDropout => (OverdueKind::Closing, plus(c.state_since, rules.close_days)),
        S::Returned => (
            OverdueKind::Closing,
            plus(
                plus(c.returned_on.unwrap_or(c.state_since), rules.monitor_days),
                rules.close_days,
            ),
        ),
        S::Closed => return None,
    };
    (on > due).then(|| Overdue {
        kind,
        due,
        days_late: (on - due).num_days(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dropout::tests::rules;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn clock(state: CaseState) -> CaseClock {
        CaseClock {
            state,
            opened_on: d(2023, 10, 1),
            state_since: d(2023, 10, 3),
            last_action_on: None,
            last_session_on: None,
            returned_on: None,
        }
    }

    /// Verify within 7 days of the scan: due 8 Oct, late from 9 Oct.
    #[test]
    fn verification_deadline() {
        let c = clock(CaseState::Verifying);
        assert_eq!(overdue(&c, d(2023, 10, 8), &rules()), None);
        assert_eq!(
            overdue(&c, d(2023, 10, 9), &rules()),
            Some(Overdue {
                kind: OverdueKind::Verification,
                due: d(2023, 10, 8),
                days_late: 1
            })
        );
        assert_eq!(OverdueKind::Verification.whose(), UserLevel::School);
    }

    /// While persuading, an action at least every 30 days counts from the latest one.
    #[test]
    fn persuasion_counts_from_the_latest_action() {
        let mut c = clock(CaseState::Persuading);
        assert_eq!(
            overdue(&c, d(2023, 11, 3), &rules()).map(|o| o.kind),
            Some(OverdueKind::Persuasion)
        );
        c.last_action_on = Some(d(2023, 10, 20));
        assert_eq!(overdue(&c, d(2023, 11, 19), &rules()), None);
        assert_eq!(
            overdue(&c, d(2023, 11, 20), &rules()).map(|o| (o.due, o.days_late)),
            Some((d(2023, 11, 19), 1))
        );
    }

    /// 送教上门: a session every 30 days; other actions do not count.
    #[test]
    fn home_teaching_counts_sessions() {
        let mut c = clock(CaseState::HomeTeaching);
        c.last_action_on = Some(d(2023, 12, 1));
        c.last_session_on = Some(d(2023, 10, 10));
        assert_eq!(
            overdue(&c, d(2023, 11, 10), &rules()).map(|o| o.kind),
            Some(OverdueKind::HomeTeaching)
        );
        assert_eq!(overdue(&c, d(2023, 11, 9), &rules()), None);
    }

    /// The county closes within 7 days once a case may close: after verification as not a
    /// dropout, or after the 120-day monitoring of a return.
    #[test]
    fn closing_is_the_countys() {
        let nd = clock(CaseState::NotDropout);
        let late = overdue(&nd, d(2023, 10, 11), &rules());
        assert_eq!(
            late.map(|o| (o.kind, o.due)),
            Some((OverdueKind::Closing, d(2023, 10, 10)))
        );
        assert_eq!(OverdueKind::Closing.whose(), UserLevel::County);
        let mut back = clock(CaseState::Returned);
        back.returned_on = Some(d(2023, 10, 8));
        // 8 Oct + 120 = 5 Feb 2024; + 7 = 12 Feb.
        assert_eq!(overdue(&back, d(2024, 2, 12), &rules()), None);
        assert_eq!(
            overdue(&back, d(2024, 2, 13), &rules()).map(|o| o.due),
            Some(d(2024, 2, 12))
        );
        assert_eq!(
            overdue(&clock(CaseState::Closed), d(2030, 1, 1), &rules()),
            None
        );
    }
}
