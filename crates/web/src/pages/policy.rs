//! The policy in force (现行政策): the file the server was started with — its programs with their
//! clause, payee, conditions and amounts, and its dated parameters — as every user may read it.

use crate::auth::User;
use crate::error::WebError;
use crate::render::{html, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;

/// A program of the policy (资助项目): what it pays, to whom, under which clause and conditions.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Program {
    pub name: String,
    pub id: String,
    /// The clause of the policy text, e.g. `二(一)2 第一款`.
    pub clause: String,
    /// Who is paid, in Chinese.
    pub payee: String,
    /// The eligibility condition, as the policy file writes it.
    pub when: String,
    /// The amount rules, as the policy file writes them (元 per term unless the rule says).
    pub amounts: Vec<String>,
}

/// A dated parameter of the policy (标准), with its values over time.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Param {
    pub label: String,
    pub id: String,
    pub unit: String,
    pub reference: String,
    pub values: Vec<String>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct Page {
    nav: Nav,
    title: String,
    meta: Vec<(String, String)>,
    programs: Vec<Program>,
    params: Vec<Param>,
}

/// The policy in force: its title, facts (file, version, source, validity, SHA-256), programs
/// and parameters.
pub(crate) struct View {
    pub title: String,
    pub meta: Vec<(String, String)>,
    pub programs: Vec<Program>,
    pub params: Vec<Param>,
}

/// GET /policy
pub async fn page(State(state): State<AppState>, user: User) -> Result<Html<String>, WebError> {
    let v = view(&state);
    html(&Page {
        nav: Nav::of(&user),
        title: v.title,
        meta: v.meta,
        programs: v.programs,
        params: v.params,
    })
}

pub(crate) fn view(state: &AppState) -> View {
    let f = &state.policy.file;
    let m = &f.policy;
    let meta = vec![
        ("文件".to_string(), state.policy_label.to_string()),
        ("版本".into(), m.version.clone()),
        ("来源".into(), m.source.clone()),
        ("适用".into(), format!("{}{}", m.province, m.county_name)),
        (
            "有效期".into(),
            format!("{} 至 {}", m.effective_from, m.effective_to),
        ),
        (
            "基准日".into(),
            format!(
                "春季 {}，秋季 {}（{}）",
                f.terms.spring_reference, f.terms.autumn_reference, f.terms.payable_reference
            ),
        ),
        ("SHA-256".into(), state.policy_sha256.to_string()),
    ];
    let programs = f
        .programs
        .iter()
        .map(|p| Program {
            name: p.name.clone(),
            id: p.id.clone(),
            clause: p.clause.clone(),
            payee: p.payee.zh().to_string(),
            when: p.when.get_ref().clone(),
            amounts: p
                .amount
                .iter()
                .chain(p.supplement.iter())
                .map(|a| {
                    let mut s = String::new();
                    if let Some(w) = &a.when {
                        s.push_str(&format!("当 {}：", w.get_ref()));
                    }
                    s.push_str(a.base.get_ref());
                    if let Some(x) = &a.factor {
                        s.push_str(&format!(" × {}", x.get_ref()));
                    }
                    if let Some(n) = &a.note {
                        s.push_str(&format!("（{n}）"));
                    }
                    s
                })
                .collect(),
        })
        .collect();
    let params = f
        .params
        .iter()
        .map(|(id, d)| Param {
            label: d.label.clone(),
            id: id.clone(),
            unit: d.unit.clone().unwrap_or_default(),
            reference: d.reference.clone().unwrap_or_default(),
            values: d
                .values
                .iter()
                .map(|v| {
                    let value = match v.value.get_ref() {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!(
                        "{} 起{}：{value}",
                        v.from.get_ref(),
                        v.to.as_deref()
                            .map(|t| format!("至 {t}"))
                            .unwrap_or_default()
                    )
                })
                .collect(),
        })
        .collect();
    View {
        title: m.name.clone(),
        meta,
        programs,
        params,
    }
}
