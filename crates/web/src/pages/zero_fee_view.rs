//! The zero-fee coverage (零收费, 三(一)) as the page and the API give it: per school, the
//! scope's total and who lacks which item, IDs masked.

use zizhu_domain::zero_fee::{SchoolCoverage, ZeroFeeItem};

/// One item's figures at a school.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ItemFigures {
    /// teaching_materials, school_uniform or accident_insurance.
    pub item: String,
    /// Students owed it.
    pub owed: u32,
    /// Students owed it who received it.
    pub issued: u32,
    /// Reporting value of what they received (quantity × unit value), in 元.
    pub value_yuan: String,
}

/// One school's coverage (or the scope's total, with an empty code).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SchoolFiguresView {
    pub school_code: String,
    pub school_name: String,
    pub township: String,
    pub eligible: u32,
    pub complete: u32,
    pub missing: usize,
    /// Issues to students not owed the item (not counted).
    pub not_owed: usize,
    pub items: Vec<ItemFigures>,
}

/// A student lacking items.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MissingView {
    pub school_code: String,
    pub name: String,
    pub id_masked: String,
    /// The items lacking, in Chinese.
    pub items: String,
}

/// An item of the policy file.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub item: String,
    pub name: String,
    pub clause: String,
    /// Reporting value of one unit, in 元 (not money paid).
    pub unit_value_yuan: String,
}

/// A school year's coverage in the caller's scope.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ZeroFeeView {
    /// 学年: the year its autumn term begins in.
    pub year: i32,
    /// Who is owed is decided on this term's reference date.
    pub facts_term: String,
    pub reference_date: String,
    pub items: Vec<ItemView>,
    pub schools: Vec<SchoolFiguresView>,
    pub total: SchoolFiguresView,
    pub missing: Vec<MissingView>,
}

pub(crate) fn figures(
    c: &SchoolCoverage,
    name: &str,
    township: &str,
    items: &[ZeroFeeItem],
) -> SchoolFiguresView {
    SchoolFiguresView {
        school_code: c.school_code.clone(),
        school_name: name.to_string(),
        township: township.to_string(),
        eligible: c.eligible,
        complete: c.complete,
        missing: c.missing.len(),
        not_owed: c.not_owed.len(),
        items: items
            .iter()
            .map(|i| {
                let n = c.items.get(i).copied().unwrap_or_default();
                ItemFigures {
                    item: i.key().to_string(),
                    owed: n.owed,
                    issued: n.issued,
                    value_yuan: n.value.to_string(),
                }
            })
            .collect(),
    }
}
