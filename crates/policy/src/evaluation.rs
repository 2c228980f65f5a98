//! The `[evaluation]` section of the policy file (学校工作考评): the targets by which each school
//! is assessed per term — dropout control "纳入对学校工作考评" (二(二)), with aid paid to every
//! eligible student (二(一)) and the zero fees (三(一)) — as numbers the county edits.

use crate::compile::Policy;
use crate::error::PolicyError;
use serde::Deserialize;
use zizhu_domain::evaluation::EvaluationRules;

/// `[evaluation]` as written. Every field is required, so a county sees each target it applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationSection {
    /// The clause that puts it in the school's evaluation, e.g. `二(二)`.
    pub clause: String,
    /// Days after the term's reference date by which a school confirms its roster.
    pub confirm_within_days: u32,
    /// 资助到位率 target, per cent (0–100).
    pub coverage_target_percent: u32,
    /// 劝返率 target, per cent (0–100).
    pub return_target_percent: u32,
    /// Most overdue dropout cases a school may have and meet the target.
    pub overdue_cases_max: u32,
    /// 零收费覆盖率 target, per cent (0–100).
    pub zero_fee_target_percent: u32,
    /// Most complaints not resolved by their deadline a school may have in the term (四(三)).
    pub complaints_overdue_max: u32,
}

impl Policy {
    /// The county's school-evaluation targets.
    ///
    /// Errors: [`PolicyError`] when `[evaluation]` is missing, a percentage is above 100 or the
    /// days are not 0–365.
    pub fn evaluation_rules(&self) -> Result<EvaluationRules, PolicyError> {
        let Some(e) = &self.file.evaluation else {
            return self.top_err(
                "[policy]",
                "政策文件没有 [evaluation]（学校工作考评）一节：请写明名单确认时限和各项指标的目标",
            );
        };
        let percents = [
            ("coverage_target_percent", e.coverage_target_percent),
            ("return_target_percent", e.return_target_percent),
            ("zero_fee_target_percent", e.zero_fee_target_percent),
        ];
        for (key, v) in percents {
            if v > 100 {
                return self.top_err(key, format!("[evaluation] {key} 应在 0 至 100 之间"));
            }
        }
        if e.confirm_within_days > 365 {
            return self.top_err(
                "confirm_within_days",
                "[evaluation] confirm_within_days 应在 0 至 365 天之间",
            );
        }
        Ok(EvaluationRules {
            confirm_within_days: e.confirm_within_days,
            coverage_target_percent: e.coverage_target_percent,
            return_target_percent: e.return_target_percent,
            overdue_cases_max: e.overdue_cases_max,
            zero_fee_target_percent: e.zero_fee_target_percent,
            complaints_overdue_max: e.complaints_overdue_max,
        })
    }
}
