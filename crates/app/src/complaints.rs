//! Complaints (群众反映问题, 四(三)): the tickets of a scope as they stood on a day, the overdue
//! ones (超期未办结) in the shape of the dropout ledger's overdue list, and a summary by state and
//! category for the demo, the dashboard and the command line.

use crate::AppError;
use chrono::NaiveDate;
use zizhu_domain::complaint::{overdue, ComplaintCategory, ComplaintState, Overdue};
use zizhu_store::{ComplaintFilter, ComplaintRow, Db, ScopeFilter};

/// The tickets of `scope` passing `filter` as they stood on day `on`: tickets lodged later are
/// left out, and the state (and resolution day) of each is the one its history gives for
/// that day. The filter's state and open-only conditions apply to the state on `on`.
pub async fn tickets_on(
    db: &Db,
    scope: ScopeFilter<'_>,
    filter: &ComplaintFilter,
    on: NaiveDate,
) -> Result<Vec<ComplaintRow>, AppError> {
    let all = ComplaintFilter {
        category: filter.category,
        ..ComplaintFilter::default()
    };
    let rows = db.complaints(scope, &all).await?;
    let states = db.complaint_states_on(on).await?;
    Ok(rows
        .into_iter()
        .filter_map(|mut r| {
            let (state, resolved_on) = *states.get(&r.id)?;
            r.state = state;
            r.resolved_on = resolved_on;
            Some(r)
        })
        .filter(|r| filter.state.is_none_or(|s| s == r.state))
        .filter(|r| !filter.open_only || r.state.is_open())
        .collect())
}

/// The tickets overdue on day `on` (open, past their deadline), the longest late first.
pub fn overdue_tickets(rows: &[ComplaintRow], on: NaiveDate) -> Vec<(&ComplaintRow, Overdue)> {
    let mut late: Vec<(&ComplaintRow, Overdue)> = rows
        .iter()
        .filter_map(|r| overdue(&r.clock(), on).map(|o| (r, o)))
        .collect();
    late.sort_by_key(|(r, o)| (-o.days_late, r.id));
    late
}

/// Counts of a scope's tickets on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per state, in the order of [`ComplaintState::ALL`].
    pub by_state: Vec<(ComplaintState, usize)>,
    /// Per category, in the order of [`ComplaintCategory::ALL`].
    pub by_category: Vec<(ComplaintCategory, usize)>,
    /// Open and past the deadline.
    pub overdue: usize,
    pub total: usize,
}

/// The summary of `rows` on day `on`.
pub fn summary(rows: &[ComplaintRow], on: NaiveDate) -> Summary {
    Summary {
        by_state: ComplaintState::ALL
            .iter()
            .map(|s| (*s, rows.iter().filter(|r| r.state == *s).count()))
            .collect(),
        by_category: ComplaintCategory::ALL
            .iter()
            .map(|c| (*c, rows.iter().filter(|r| r.category == *c).count()))
            .collect(),
        overdue: overdue_tickets(rows, on).len(),
        total: rows.len(),
    }
}

/// The summary in one line of Chinese: 工单 12 件（已受理 2、…），超期未办结 3 件（四(三)）.
pub fn summary_zh(s: &Summary, clause: &str) -> String {
    let states: Vec<String> = s
        .by_state
        .iter()
        .map(|(st, n)| format!("{} {n}", st.zh()))
        .collect();
    format!(
        "工单 {} 件（{}），超期未办结 {} 件（{clause}）",
        s.total,
        states.join("、"),
        s.overdue
    )
}
