//! Post-exit recheck monitoring (脱贫成果回查监测, 四(二)): every compulsory-age child of every
//! registered-poor household (exited ones included) is in school or in the dropout ledger, and
//! every aid the child is owed this term is paid. Each gap is recorded with the responsible
//! school and township and tracked until a later recheck no longer finds it (整改).

use crate::AppError;
use std::collections::HashMap;
use std::path::Path;
use zizhu_domain::recheck::{gaps, ChildFacts};
use zizhu_domain::{Status, Term};
use zizhu_policy::Policy;
use zizhu_store::{Db, GapRow, NewGap, PayActor, RecheckCounts, ScopeFilter};

/// What a recheck found.
#[derive(Debug, Clone, Default)]
pub struct RecheckOutcome {
    /// Compulsory-age children of registered-poor households.
    pub children: usize,
    pub households: usize,
    /// Households with at least one open gap.
    pub households_with_gaps: usize,
    pub counts: RecheckCounts,
    /// Every gap of the term, open first.
    pub gaps: Vec<GapRow>,
}

/// Rechecks `term` and records the result (new gaps, gaps still open, gaps rectified).
///
/// Errors: the policy has no dropout section (the compulsory ages) or no reference date for the
/// term; the term has no registry; the store's.
pub async fn recheck(
    db: &Db,
    policy: &Policy,
    term: Term,
    who: PayActor<'_>,
) -> Result<RecheckOutcome, AppError> {
    let rules = policy
        .dropout_rules()
        .map_err(|e| AppError::Other(e.to_string()))?;
    let as_of = policy
        .reference_date(term)
        .map_err(|e| AppError::Other(e.to_string()))?;
    // Members of registered-poor households: household number, township.
    let mut members: HashMap<String, (String, String)> = HashMap::new();
    db.each_poor_member(|p| {
        let r = p.record;
        members.insert(r.id.as_str().to_string(), (r.household_no, r.township));
    })
    .await?;
    let children: Vec<_> = crate::school_age::school_age_children(db, &rules, as_of, term, None)
        .await?
        .into_iter()
        .filter(|c| members.contains_key(&c.id_number))
        .collect();
    // The term's roster lines and what is unpaid of them, for these children only.
    let mut aided: HashMap<String, Vec<String>> = HashMap::new();
    let mut after = 0;
    loop {
        let page = db.entitlements(term, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for e in page {
            if members.contains_key(&e.id_number) && e.amount_fen > 0 {
                aided.entry(e.id_number).or_default().push(e.program_name);
            }
        }
    }
    let all = ScopeFilter {
        township: None,
        school: None,
    };
    let mut unpaid: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for u in crate::payments::coverage(db, term, all).await?.unpaid {
        if members.contains_key(&u.id_number) {
            unpaid
                .entry(u.id_number)
                .or_default()
                .push((u.program_name, u.why));
        }
    }
    let mut found = Vec::new();
    let mut households = std::collections::HashSet::new();
    for c in &children {
        let (household_no, township) = members.get(&c.id_number).cloned().unwrap_or_default();
        households.insert(household_no.clone());
        let facts = ChildFacts {
            enrolled: c.status == Some(Status::Enrolled),
            has_case: c.case.is_some(),
            suspended: c.status == Some(Status::Suspended),
            aided: aided.get(&c.id_number).cloned().unwrap_or_default(),
            unpaid: unpaid.get(&c.id_number).cloned().unwrap_or_default(),
        };
        for g in gaps(&facts) {
            found.push(NewGap {
                household_no: household_no.clone(),
                id_number: c.id_number.clone(),
                name: c.name.clone(),
                township: if township.is_empty() {
                    c.township.clone()
                } else {
                    township.clone()
                },
                school_code: c.school_code.clone(),
                kind: g.kind,
                detail: g.detail,
            });
        }
    }
    let counts = db.record_recheck(term, &found, who).await?;
    let gaps = db.recheck_gaps(term).await?;
    let households_with_gaps = gaps
        .iter()
        .filter(|g| g.rectified_at.is_none())
        .map(|g| g.gap.household_no.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    Ok(RecheckOutcome {
        children: children.len(),
        households: households.len(),
        households_with_gaps,
        counts,
        gaps,
    })
}

/// Writes the gaps as a workbook, household by household (IDs masked; the hardship category is
/// the list itself and not repeated).
pub fn write_gaps(path: &Path, title: &str, gaps: &[GapRow]) -> Result<(), AppError> {
    use zizhu_io::tables::{write_tables, Cell, Sheet};
    let day = |t: chrono::DateTime<chrono::Utc>| zizhu_domain::dates::beijing_time(t);
    let rows = gaps
        .iter()
        .map(|g| {
            let id = zizhu_domain::IdNumber::parse(&g.gap.id_number)
                .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked());
            vec![
                Cell::Int(g.id),
                Cell::Text(g.gap.township.clone()),
                Cell::Text(g.gap.household_no.clone()),
                Cell::Text(g.gap.name.clone()),
                Cell::Text(id),
                Cell::Text(g.gap.school_code.clone()),
                Cell::Text(g.gap.kind.zh().to_string()),
                Cell::Text(g.gap.detail.clone()),
                Cell::Text(day(g.found_at)),
                Cell::Text(
                    g.action
                        .as_ref()
                        .map(|(n, at, by)| format!("{n}（{by}，{}）", day(*at)))
                        .unwrap_or_default(),
                ),
                Cell::Text(match g.rectified_at {
                    Some(at) => format!("已整改（{} 复查未再发现）", day(at)),
                    None => "未整改".to_string(),
                }),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "回查问题".into(),
        title: title.to_string(),
        header: [
            "编号",
            "乡镇",
            "户编号",
            "姓名",
            "身份证件号",
            "责任学校",
            "问题",
            "详情",
            "发现时间",
            "整改措施",
            "整改情况",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        widths: vec![
            8.0, 10.0, 12.0, 10.0, 22.0, 12.0, 28.0, 40.0, 18.0, 30.0, 26.0,
        ],
        rows,
    };
    write_tables(path, &[sheet]).map_err(|e| AppError::Other(format!("写入回查表失败：{e}")))
}
