//! The `[complaints]` section of the policy file (群众反映问题, 四(三)): the days a ticket of each
//! category has to be resolved, and whether they are calendar or working days.

use crate::compile::Policy;
use crate::error::PolicyError;
use serde::Deserialize;
use std::collections::BTreeMap;
use zizhu_domain::complaint::{ComplaintCategory, ComplaintRules, DayCount};

/// `[complaints]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintSection {
    /// The clause, `四(三)`.
    pub clause: String,
    /// `calendar` (自然日) or `working` (工作日).
    pub day_count: String,
    /// Public holidays not counted as working days (`YYYY-MM-DD`), for `working`.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Weekend days that are working days (调休上班日, `YYYY-MM-DD`), for `working`.
    #[serde(default)]
    pub workdays: Vec<String>,
    /// Days to resolve a ticket, by category key; every category is required.
    pub deadline_days: BTreeMap<String, u32>,
}

impl Policy {
    /// The county's complaint rules.
    ///
    /// Errors: [`PolicyError`] when `[complaints]` is missing, a category has no days or an
    /// unknown key, days are outside 1–365, the day count is neither `calendar` nor `working`,
    /// or a holiday is not a date.
    pub fn complaint_rules(&self) -> Result<ComplaintRules, PolicyError> {
        let Some(c) = &self.file.complaints else {
            return self.top_err(
                "[policy]",
                "政策文件没有 [complaints]（群众反映问题，四(三)）一节：请写明各类问题的办理时限",
            );
        };
        let count = match c.day_count.trim() {
            "calendar" => DayCount::Calendar,
            "working" => DayCount::Working,
            other => {
                return self.top_err(
                    "day_count =",
                    format!("[complaints] day_count 应为 calendar（自然日）或 working（工作日），实为“{other}”"),
                )
            }
        };
        if let Some(k) = c
            .deadline_days
            .keys()
            .find(|k| ComplaintCategory::from_key(k).is_none())
        {
            return self.top_err(
                "deadline_days",
                format!("[complaints.deadline_days] 没有问题类别 {k}"),
            );
        }
        let mut days = [0u32; 5];
        for (i, cat) in ComplaintCategory::ALL.iter().enumerate() {
            let Some(&n) = c.deadline_days.get(cat.key()) else {
                return self.top_err(
                    "deadline_days",
                    format!(
                        "[complaints.deadline_days] 缺少 {}（{}）的办理时限",
                        cat.key(),
                        cat.zh()
                    ),
                );
            };
            if !(1..=365).contains(&n) {
                return self.top_err(
                    "deadline_days",
                    format!(
                        "[complaints.deadline_days] {} 应在 1 至 365 天之间",
                        cat.key()
                    ),
                );
            }
            if let Some(slot) = days.get_mut(i) {
                *slot = n;
            }
        }
        let dates = |list: &[String], key: &str| {
            list.iter()
                .map(|s| {
                    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                        .map_err(|_| format!("[complaints] {key} 中的“{s}”应写作 YYYY-MM-DD"))
                })
                .collect::<Result<_, _>>()
        };
        let holidays = match dates(&c.holidays, "holidays") {
            Ok(h) => h,
            Err(m) => return self.top_err("holidays =", m),
        };
        let workdays = match dates(&c.workdays, "workdays") {
            Ok(w) => w,
            Err(m) => return self.top_err("workdays =", m),
        };
        Ok(ComplaintRules {
            days,
            count,
            holidays,
            workdays,
        })
    }

    /// The clause complaints cite (`四(三)`).
    pub fn complaint_clause(&self) -> &str {
        self.file
            .complaints
            .as_ref()
            .map_or("四(三)", |c| c.clause.as_str())
    }
}
