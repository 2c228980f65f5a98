//! The in-kind provisions of the policy file (`[[provision]]`, 三(一) “零收费”): per item its code,
//! Chinese name, clause, who is owed it (a condition in the same language as a program's `when`)
//! and a reporting value per unit (a `yuan` parameter: the county's value for reports, not money
//! paid). Issued per student and school year; eligibility is decided on the autumn term's facts.

use crate::cond::Cond;
use crate::expr::Expr;
use serde::Deserialize;
use toml::Spanned;
use zizhu_domain::zero_fee::ZeroFeeItem;
use zizhu_domain::Fen;

/// One provision as the county writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionDef {
    /// `teaching_materials`, `school_uniform` or `accident_insurance`.
    pub code: Spanned<String>,
    pub name: String,
    pub clause: String,
    /// Who is owed it; the term's `payable_when` (enrolled on the reference date) is added.
    pub when: Spanned<String>,
    /// A `yuan` parameter: the reporting value of one unit (件/套/份).
    pub unit_value: Spanned<String>,
    /// What one unit is (套, 份, 人).
    #[serde(default)]
    pub unit: Option<String>,
}

/// A provision compiled for the autumn term of a school year.
#[derive(Debug, Clone)]
pub struct CompiledProvision {
    pub item: ZeroFeeItem,
    pub name: String,
    pub clause: String,
    /// Eligibility, with the term's `payable_when`.
    pub when: Cond,
    pub when_ast: Expr,
    /// Reporting value of one unit on the reference date.
    pub unit_value: Fen,
    /// `校服 120元/套（报告用折算值）`.
    pub explanation: String,
}
