//! The pages. Each handler takes the signed-in [`crate::auth::User`], reads through the store's
//! scoped queries with the user's [`zizhu_store::ScopeFilter`], and renders a template.

pub mod admission;
pub mod approval;
pub mod audit;
pub mod cases;
pub mod complaint_pages;
pub mod complaints;
pub mod compute;
pub mod dashboard;
pub mod evaluation;
pub mod exchange;
pub mod imports;
pub mod payments;
pub mod policy;
pub mod recheck;
pub mod roster;
pub mod schools;
pub mod students;
pub mod zero_fee;
pub mod zero_fee_view;

use crate::error::WebError;
use crate::AppState;
use zizhu_domain::Term;

/// The term a page shows: the one asked for (`?term=2023-autumn`), else the newest with data;
/// with every known term for the selector.
pub async fn pick_term(
    state: &AppState,
    asked: Option<&str>,
) -> Result<(Option<Term>, Vec<Term>), WebError> {
    let known = state.db.known_terms().await?;
    let term = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<Term>()
                .map_err(|e| WebError::BadRequest(e.to_string()))?,
        ),
        None => known.first().copied(),
    };
    Ok((term, known))
}

/// A term option of a selector: its key, label and whether it is the one shown.
pub struct TermOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

pub fn term_options(known: &[Term], shown: Option<Term>) -> Vec<TermOption> {
    known
        .iter()
        .map(|t| TermOption {
            key: t.to_string(),
            label: t.label_zh(),
            selected: Some(*t) == shown,
        })
        .collect()
}
