//! The in-kind provisions of the policy file (`[[provision]]`, 三(一) “零收费”): per item its code,
//! Chinese name, clause, who is owed it (a condition in the same language as a program's `when`)
//! and a reporting value per unit (a `yuan` parameter: the county's value for reports, not money
//! paid). Issued per student and school year; eligibility is decided on the autumn term's facts.

use crate::compile::{inner_start, too_complex, Ctx, Policy};
use crate::cond::Cond;
use crate::error::{at, PolicyError};
use crate::expr::Expr;
use crate::file::ParamKind;
use chrono::NaiveDate;
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

impl Policy {
    /// The `[[provision]]` items (三(一)): a known code at most once, the condition with the
    /// term's `payable_when`, the unit value a `yuan` parameter read on `on`.
    pub(crate) fn compile_provisions(
        &self,
        cx: &Ctx<'_>,
        payable: &Cond,
        on: NaiveDate,
    ) -> Result<Vec<CompiledProvision>, PolicyError> {
        use zizhu_domain::zero_fee::ZeroFeeItem;
        let mut out: Vec<CompiledProvision> = Vec::new();
        for p in &self.file.provisions {
            let code_at = inner_start(self.source_text(), p.code.span().start);
            let Some(item) = ZeroFeeItem::from_key(p.code.get_ref()) else {
                let known: Vec<&str> = ZeroFeeItem::ALL.iter().map(|i| i.key()).collect();
                return self.err_at(
                    code_at,
                    format!(
                        "未知的零收费项目：{}；可用：{}",
                        p.code.get_ref(),
                        known.join("、")
                    ),
                );
            };
            if out.iter().any(|c| c.item == item) {
                return self.err_at(code_at, format!("零收费项目重复：{}", item.key()));
            }
            let when_ast = self.parse_expr(&p.when)?;
            let base = p.when.span().start;
            let when = cx
                .compile(&when_ast, false, &mut Vec::new(), base)?
                .and(payable.clone())
                .map_err(|n| at(self.source_text(), base, too_complex(n)))?;
            let (def, value) = self.param(&p.unit_value, on)?;
            let fen = match (def.kind, value) {
                (ParamKind::Yuan, toml::Value::String(s)) => Fen::parse_yuan(s),
                _ => None,
            };
            let Some(unit_value) = fen else {
                let off = inner_start(self.source_text(), p.unit_value.span().start);
                return self.err_at(
                    off,
                    format!(
                        "参数 {} 不是金额（kind = \"yuan\"）",
                        p.unit_value.get_ref()
                    ),
                );
            };
            let unit = p.unit.as_deref().unwrap_or("件");
            out.push(CompiledProvision {
                item,
                name: p.name.clone(),
                clause: p.clause.clone(),
                when,
                when_ast,
                unit_value,
                explanation: format!(
                    "{} {}元/{unit}（报告用折算值）",
                    def.label,
                    unit_value.yuan_string()
                ),
            });
        }
        Ok(out)
    }
}
