//! Figures of complaint tickets over time (四(三)): each ticket's state on a past day from its
//! history, and the per-school counts the schools' evaluation uses.

use crate::complaints::{bad, SchoolComplaintCount};
use crate::error::{Ctx, StoreResult};
use crate::Db;
use chrono::NaiveDate;
use zizhu_domain::complaint::{missed_deadline, ComplaintState, TicketClock};

impl Db {
    /// Each ticket's state on day `on` from its history (the last entry dated `on` or before),
    /// with the day of its last resolution then when it was resolved or closed. Tickets lodged
    /// after `on` are absent.
    pub async fn complaint_states_on(
        &self,
        on: NaiveDate,
    ) -> StoreResult<std::collections::HashMap<i64, (ComplaintState, Option<NaiveDate>)>> {
        let raw: Vec<(i64, String, String, NaiveDate)> = db_run!(self, |pool| sqlx::query_as(
            "SELECT complaint_id, kind, to_state, on_date FROM complaint_event \
             WHERE on_date <= $1 ORDER BY complaint_id, id"
        )
        .bind(on)
        .fetch_all(pool)
        .await)
        .ctx("读取工单记录")?;
        let mut out = std::collections::HashMap::new();
        for (id, kind, to, day) in raw {
            let state = ComplaintState::from_key(&to).ok_or_else(|| bad("状态", &to))?;
            let entry = out.entry(id).or_insert((state, None));
            entry.0 = state;
            if kind == "resolve" {
                entry.1 = Some(day);
            } else if state == ComplaintState::InProgress {
                entry.1 = None;
            }
        }
        Ok(out)
    }

    /// For the schools' evaluation (二(二) 纳入对学校工作考评): per school code, the tickets about
    /// its students lodged from `from` to `to` (both included), and how many of them were not
    /// resolved by their deadline as of `to` ([`missed_deadline`]).
    pub async fn complaint_counts_by_school(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<std::collections::BTreeMap<String, SchoolComplaintCount>> {
        let raw: Vec<(String, String, NaiveDate, Option<NaiveDate>)> =
            db_run!(self, |pool| sqlx::query_as(
                "SELECT school_code, state, due_on, resolved_on FROM complaint \
                 WHERE lodged_on >= $1 AND lodged_on <= $2"
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await)
            .ctx("统计工单")?;
        let mut out = std::collections::BTreeMap::<String, SchoolComplaintCount>::new();
        for (school, state, due_on, resolved_on) in raw {
            let state = ComplaintState::from_key(&state).ok_or_else(|| bad("状态", &state))?;
            let c = out.entry(school).or_default();
            c.lodged += 1;
            let clock = TicketClock {
                state,
                due_on,
                resolved_on,
            };
            if missed_deadline(&clock, to) {
                c.overdue += 1;
            }
        }
        Ok(out)
    }
}
