//! The schools (学校) in the user's scope for one term: registry, family-difficulty students, those
//! of them with no aid (一个不落, 二(一)), students aided and 元, where the school's roster stands in
//! approval, and open dropout cases. The API's `/api/schools` returns the same rows.

use super::{pick_term, term_options, TermOption};
use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, yuan, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use zizhu_domain::approval::SchoolStatus;
use zizhu_domain::dropout::CaseState;
use zizhu_domain::Term;
use zizhu_store::ScopeFilter;

/// One school of a term.
#[derive(Serialize, ToSchema, Default)]
pub struct SchoolItem {
    /// 学校标识码.
    pub code: String,
    pub name: String,
    pub township: String,
    /// 学校类型, e.g. 小学.
    pub kind: String,
    /// 公办 (true) or 民办.
    pub public: bool,
    /// 城镇 or 农村, when the school list gives it.
    pub area: Option<String>,
    /// Students in reading (在读) in the term's registry.
    pub enrolled: i64,
    /// Of them, with a family-difficulty category (困难学生).
    pub hardship: i64,
    /// Of those, with no aid at all this term: each is a gap to explain (查遗补漏, 四(二)).
    pub hardship_unaided: i64,
    /// Students with a roster line at this school.
    pub aided: i64,
    /// The school's roster of the term, in fen (分).
    pub amount_fen: i64,
    /// Roster approval: pending, confirmed, reviewed, returned; absent before the first compute.
    pub roster_status: Option<String>,
    /// Dropout cases of the school not yet closed (一生一案).
    pub open_cases: i64,
}

/// What a term's figures are computed from: its newest compute run and the newest import (0 when
/// none), the key of the caches.
pub(crate) async fn data_version(state: &AppState, term: Term) -> Result<(i64, i64), WebError> {
    let run = state.db.latest_run(term).await?.map_or(0, |r| r.id);
    let newest = state
        .db
        .imports()
        .await?
        .iter()
        .map(|b| b.id)
        .max()
        .unwrap_or(0);
    Ok((run, newest))
}

/// The per-school statistics of `term`, from the cache while no compute or import changed them.
pub(crate) async fn cached_stats(
    state: &AppState,
    term: Term,
) -> Result<std::sync::Arc<Vec<zizhu_store::SchoolStat>>, WebError> {
    let (run, newest) = data_version(state, term).await?;
    let key = (term.to_string(), run, newest);
    if let Some(hit) = state.cache.stats(&key) {
        return Ok(hit);
    }
    let fresh = std::sync::Arc::new(state.db.school_stats(term).await?);
    state.cache.keep_stats(key, fresh.clone());
    Ok(fresh)
}

/// The schools of `term` in the user's scope, ordered by township and code.
pub(crate) async fn school_items(
    state: &AppState,
    user: &User,
    term: Option<Term>,
) -> Result<Vec<SchoolItem>, WebError> {
    let mut items: Vec<SchoolItem> = state
        .db
        .schools()
        .await?
        .into_iter()
        .filter(|s| user.access.sees_school(&s.code, &s.township))
        .map(|s| SchoolItem {
            kind: s.kind.zh().to_string(),
            public: s.public,
            area: s.area.map(|a| a.zh().to_string()),
            code: s.code,
            name: s.name,
            township: s.township,
            ..SchoolItem::default()
        })
        .collect();
    items.sort_by(|a, b| (&a.township, &a.code).cmp(&(&b.township, &b.code)));
    let at: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(i, s)| (s.code.clone(), i))
        .collect();
    let filter = ScopeFilter::of(&user.access).cases(None, false);
    let cases = if user.access.may(zizhu_domain::access::Duty::ReadCases) {
        state.db.cases(&filter).await?
    } else {
        Vec::new()
    };
    for c in cases {
        if c.state != CaseState::Closed {
            if let Some(&i) = at.get(&c.child.school_code) {
                items[i].open_cases += 1;
            }
        }
    }
    let Some(term) = term else {
        return Ok(items);
    };
    for s in cached_stats(state, term).await?.iter() {
        if let Some(&i) = at.get(&s.school_code) {
            let it = &mut items[i];
            (it.enrolled, it.hardship, it.hardship_unaided, it.aided) =
                (s.enrolled, s.hardship, s.hardship_unaided, s.aided);
        }
    }
    for t in state.db.entitlement_totals(term).await? {
        if let Some(&i) = at.get(&t.school_code) {
            items[i].amount_fen += t.amount_fen;
        }
    }
    if let Some(run) = state.db.latest_run(term).await? {
        let mut latest = HashMap::new();
        for s in state.db.signoffs(term).await? {
            latest.insert(s.school_code.clone(), (s.step, s.run_id));
        }
        for it in items.iter_mut().filter(|it| it.aided > 0) {
            let status = SchoolStatus::of(latest.get(&it.code).copied(), run.id);
            it.roster_status = Some(status.key().to_string());
        }
    }
    Ok(items)
}

/// A row as the page shows it.
pub struct Row {
    pub item: SchoolItem,
    pub amount: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "schools.html")]
struct Page {
    nav: Nav,
    terms: Vec<TermOption>,
    term_label: String,
    rows: Vec<Row>,
    total: SchoolItem,
    total_amount: String,
    coverage: String,
}

#[derive(serde::Deserialize)]
pub struct Params {
    term: Option<String>,
}

/// The share of family-difficulty students with aid, as 98.5%; empty when there are none.
pub(crate) fn coverage(hardship: i64, unaided: i64) -> String {
    if hardship <= 0 {
        return String::new();
    }
    // Per mille, rounded half up, in integers.
    let permille = ((hardship - unaided) * 2000 + hardship) / (2 * hardship);
    format!("{}.{}%", permille / 10, permille % 10)
}

fn status_zh(key: Option<&str>) -> &'static str {
    let all = [
        SchoolStatus::Pending,
        SchoolStatus::Confirmed,
        SchoolStatus::Reviewed,
        SchoolStatus::Returned,
    ];
    all.into_iter()
        .find(|s| Some(s.key()) == key)
        .map_or("", SchoolStatus::zh)
}

/// GET /schools?term=
pub async fn page(
    State(state): State<AppState>,
    user: User,
    Query(p): Query<Params>,
) -> Result<Html<String>, WebError> {
    let (term, known) = pick_term(&state, p.term.as_deref()).await?;
    let items = school_items(&state, &user, term).await?;
    let mut total = SchoolItem::default();
    for it in &items {
        total.enrolled += it.enrolled;
        total.hardship += it.hardship;
        total.hardship_unaided += it.hardship_unaided;
        total.aided += it.aided;
        total.amount_fen += it.amount_fen;
        total.open_cases += it.open_cases;
    }
    let rows = items
        .into_iter()
        .map(|item| Row {
            amount: yuan(&item.amount_fen),
            status: status_zh(item.roster_status.as_deref()),
            item,
        })
        .collect();
    html(&Page {
        nav: Nav::of(&user),
        terms: term_options(&known, term),
        term_label: term.map(|t| t.label_zh()).unwrap_or_default(),
        rows,
        total_amount: yuan(&total.amount_fen),
        coverage: coverage(total.hardship, total.hardship_unaided),
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::coverage;

    #[test]
    fn coverage_is_rounded_half_up_to_a_tenth_of_a_percent() {
        assert_eq!(coverage(0, 0), "");
        assert_eq!(coverage(200, 0), "100.0%");
        // 199 of 200 aided: 99.5%.
        assert_eq!(coverage(200, 1), "99.5%");
        // 2 of 3: 66.666…% → 66.7%.
        assert_eq!(coverage(3, 1), "66.7%");
        // 1 of 8: 12.5% exactly.
        assert_eq!(coverage(8, 7), "12.5%");
        // 1 of 16: 6.25% → 6.3% (half up).
        assert_eq!(coverage(16, 15), "6.3%");
    }
}
