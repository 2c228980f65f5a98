//! A ticket's deadline (办理时限) and when it is late. The days per category, and whether they
//! are calendar or working days, are the policy file's (`[complaints]`); ruling in
//! docs/rulings.md "群众反映问题".

use super::{ComplaintCategory, ComplaintState};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// How the days of a deadline are counted (时限计算方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayCount {
    /// Every day counts (自然日), as the dropout ledger's limits do.
    Calendar,
    /// Monday to Friday, without the listed public holidays, plus the listed make-up working
    /// days (调休上班日) (工作日).
    Working,
}

/// The complaint parameters of the policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRules {
    /// Days to resolve a ticket, per category, in the order of [`ComplaintCategory::ALL`].
    pub days: [u32; 5],
    pub count: DayCount,
    /// Public holidays (法定节假日) not counted as working days.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班日).
    pub workdays: BTreeSet<NaiveDate>,
}

impl ComplaintRules {
    /// Days to resolve a ticket of `category`.
    pub fn days_for(&self, category: ComplaintCategory) -> u32 {
        let i = ComplaintCategory::ALL
            .iter()
            .position(|c| *c == category)
            .unwrap_or(0);
        self.days.get(i).copied().unwrap_or(0)
    }

    fn is_working(&self, d: NaiveDate) -> bool {
        self.workdays.contains(&d)
            || (!matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d))
    }
}

/// The last day to resolve a ticket of `category` lodged on `lodged` (办理期限): `lodged` plus
/// the category's days, counted from the day after lodging; with working days, each working
/// day after `lodged` counts one.
pub fn due_on(lodged: NaiveDate, category: ComplaintCategory, rules: &ComplaintRules) -> NaiveDate {
    let n = rules.days_for(category);
    match rules.count {
        DayCount::Calendar => lodged
            .checked_add_days(Days::new(u64::from(n)))
            .unwrap_or(NaiveDate::MAX),
        DayCount::Working => {
            let mut d = lodged;
            let mut left = n;
            while left > 0 {
                let Some(next) = d.succ_opt() else {
                    return NaiveDate::MAX;
                };
                d = next;
                if rules.is_working(d) {
                    left -= 1;
                }
            }
            d
        }
    }
}

/// The dates of a ticket its lateness is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketClock {
    pub state: ComplaintState,
    pub due_on: NaiveDate,
    /// The day it was last resolved (办结); cleared when it is reopened.
    pub resolved_on: Option<NaiveDate>,
}

/// A ticket late on the day asked: its deadline and how many days late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub due: NaiveDate,
    pub days_late: i64,
}

/// Is the ticket overdue (超期未办结) on day `on`: still open and `on` after its deadline? The
/// deadline day itself is in time, as with the dropout ledger.
pub fn overdue(c: &TicketClock, on: NaiveDate) -> Option<Overdue> {
    (c.state.is_open() && on > c.due_on).then(|| Overdue {
        due: c.due_on,
        days_late: (on - c.due_on).num_days(),
    })
}

/// Was the ticket not resolved by its deadline, as far as day `on` shows (逾期)? Open with the
/// deadline past, or resolved after the deadline. For the schools' evaluation, where a ticket
/// resolved late still counts against the school.
pub fn missed_deadline(c: &TicketClock, on: NaiveDate) -> bool {
    on > c.due_on && c.resolved_on.is_none_or(|r| r > c.due_on)
}
