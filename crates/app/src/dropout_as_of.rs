//! The ledger as it stood at the end of a past day (截至某日), rebuilt from each case's history
//! (案件记录), so that a report or ledger "as of 31 October" made in November counts what was
//! true on 31 October: which cases had been opened, the state each was in and since when, what
//! had been verified, returned, planned or closed, and the latest move or action by then.
//! Responsible school and people are taken as they are now. Pure but for [`cases_as_of`].

use chrono::NaiveDate;
use std::collections::HashMap;
use zizhu_domain::dropout::{ActionKind, CaseState, NotDropoutReason};
use zizhu_store::{CaseEventRow, CaseFilter, CaseRow, Db};

/// The cases `filter` selects as they stood at the end of day `on`, with each one's latest
/// event by then: what the report and the ledger of that day count and list.
///
/// Errors: [`crate::AppError::Store`].
pub async fn cases_as_of(
    db: &Db,
    filter: &CaseFilter,
    on: NaiveDate,
) -> Result<(Vec<CaseRow>, HashMap<i64, CaseEventRow>), crate::AppError> {
    let cases = db.cases(filter).await?;
    let histories = db.case_histories().await?;
    Ok(ledger_as_of(&cases, &histories, on))
}

/// The cases as they stood at the end of day `on`, in the order given, with each one's latest
/// event of kind open, move or action by then, by the day it happened (the ledger's "latest
/// action"). A case opened
/// after `on` is left out; a case with no history is taken as it is now.
pub fn ledger_as_of(
    cases: &[CaseRow],
    histories: &HashMap<i64, Vec<CaseEventRow>>,
    on: NaiveDate,
) -> (Vec<CaseRow>, HashMap<i64, CaseEventRow>) {
    let mut out = Vec::with_capacity(cases.len());
    let mut latest = HashMap::new();
    for c in cases {
        let events = histories.get(&c.id).map_or(&[][..], Vec::as_slice);
        if let Some((case, last)) = case_as_of(c, events, on) {
            if let Some(e) = last {
                latest.insert(c.id, e.clone());
            }
            out.push(case);
        }
    }
    (out, latest)
}

/// The later of two events by the day they happened (an action may be entered after a later
/// one); of two on the same day, the one entered last.
fn later<'a>(old: Option<&'a CaseEventRow>, e: &'a CaseEventRow) -> Option<&'a CaseEventRow> {
    match old {
        Some(o) if o.on > e.on => Some(o),
        _ => Some(e),
    }
}

/// One case at the end of day `on` from its `events` (oldest first), with its latest event.
fn case_as_of<'a>(
    c: &CaseRow,
    events: &'a [CaseEventRow],
    on: NaiveDate,
) -> Option<(CaseRow, Option<&'a CaseEventRow>)> {
    let Some(first) = events.first() else {
        return (c.opened_on <= on).then(|| (c.clone(), None));
    };
    if first.on > on {
        return None;
    }
    let mut s = c.clone();
    s.state = CaseState::Suspected;
    s.state_since = first.on;
    s.opened_on = first.on;
    s.last_action_on = None;
    s.last_session_on = None;
    // The event (by index) that recorded each outcome of the cycle running on `on`.
    let (mut verified, mut back, mut plan, mut closed) = (None, None, None, None);
    let mut latest = None;
    let mut seen = 0;
    for (i, e) in events.iter().enumerate() {
        if e.on > on {
            continue;
        }
        seen = i + 1;
        match e.kind.as_str() {
            "open" => latest = later(latest, e),
            "move" => {
                let Some(to) = e.to_state else { continue };
                if e.from_state == Some(CaseState::Closed) {
                    // Reopened: a new cycle.
                    (verified, back, plan, closed) = (None, None, None, None);
                    s.opened_on = e.on;
                }
                if e.from_state == Some(CaseState::Returned) && to == CaseState::Persuading {
                    // Left school again while monitored: neither returned nor taught at home.
                    (back, plan) = (None, None);
                }
                match to {
                    CaseState::NotDropout => verified = Some(i),
                    CaseState::Returned => back = Some(i),
                    CaseState::HomeTeaching => plan = Some(i),
                    CaseState::Closed => closed = Some(i),
                    _ => {}
                }
                s.state = to;
                s.state_since = e.on;
                latest = later(latest, e);
            }
            "action" => {
                s.last_action_on = s.last_action_on.max(Some(e.on));
                if e.action == Some(ActionKind::HomeTeachingSession) {
                    s.last_session_on = s.last_session_on.max(Some(e.on));
                }
                latest = later(latest, e);
            }
            _ => {}
        }
    }
    // What the case row holds now belongs to the cycle of `on` unless a later move cleared it
    // (a reopening, or a relapse after a return); then the history's words stand in.
    let cleared_after = |i: usize| {
        events[i + 1..].iter().any(|e| {
            e.kind == "move"
                && (e.from_state == Some(CaseState::Closed)
                    || (e.from_state == Some(CaseState::Returned)
                        && e.to_state == Some(CaseState::Persuading)))
        })
    };
    let said = |i: usize, prefix: &str| -> String {
        let note = events[i].note.as_str();
        note.strip_prefix(prefix).unwrap_or(note).to_string()
    };
    match verified {
        None => {
            s.not_dropout_reason = None;
            s.evidence.clear();
            s.elsewhere_school.clear();
        }
        Some(i) if cleared_after(i) || s.not_dropout_reason.is_none() => {
            // "核实为非辍学：REASON；证明材料：…；就读学校：…" (Move::detail).
            let text = said(i, "核实为非辍学：");
            let reason = NotDropoutReason::ALL
                .iter()
                .copied()
                .find(|r| text.starts_with(r.zh()));
            s.not_dropout_reason = Some(reason.unwrap_or(NotDropoutReason::Other));
            s.evidence = match reason {
                Some(r) => text[r.zh().len()..].trim_start_matches('；').to_string(),
                None => text,
            };
            s.elsewhere_school.clear();
        }
        Some(_) => {}
    }
    match back {
        None => {
            s.returned_on = None;
            s.returned_school.clear();
        }
        Some(i) if cleared_after(i) || s.returned_on.is_none() => {
            // "登记复学：复学学校 X，复学日期 YYYY-MM-DD" (Move::detail).
            let text = said(i, "登记复学：复学学校 ");
            let mut parts = text.split('，');
            s.returned_school = parts.next().unwrap_or_default().to_string();
            s.returned_on = parts
                .next()
                .and_then(|p| p.strip_prefix("复学日期 "))
                .and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok())
                .or(Some(events[i].on));
        }
        Some(_) => {}
    }
    match plan {
        None => {
            s.plan_teacher.clear();
            s.plan_frequency.clear();
            s.plan_content.clear();
        }
        Some(i) if cleared_after(i) || s.plan_teacher.is_empty() => {
            s.plan_teacher = said(i, "转为送教上门：");
            s.plan_frequency.clear();
            s.plan_content.clear();
        }
        Some(_) => {}
    }
    match closed {
        None => s.close_reason.clear(),
        Some(i) if cleared_after(i) || s.close_reason.is_empty() => {
            s.close_reason = said(i, "销号：");
        }
        Some(_) => {}
    }
    // 待核实 is a flag of now: kept only when nothing has happened since `on`.
    s.recheck = c.recheck && seen == events.len();
    Some((s, latest))
}
