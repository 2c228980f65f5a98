//! The `[dropout]` section of the policy file (控辍保学, 二(二)): compulsory school age and the
//! time limits of the one-student-one-file ledger, as numbers the county edits.

use crate::compile::Policy;
use crate::error::PolicyError;
use serde::Deserialize;
use zizhu_domain::dropout::DropoutRules;

/// `[dropout]` as written. Every field is required, so a county sees each limit it applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropoutSection {
    /// Full years by the cut-off day to start primary school (入学年龄), e.g. 6.
    pub entry_age: u32,
    /// The cut-off day, `MM-DD` (e.g. "08-31"): the school year starts the day after.
    pub age_cutoff: String,
    /// Years of compulsory education (义务教育年限), e.g. 9.
    pub compulsory_years: u32,
    /// Days to verify a suspect after the scan (核查时限).
    pub verify_within_days: u32,
    /// Most days between actions while persuading (劝返跟踪间隔).
    pub persuade_action_every_days: u32,
    /// Most days between home-teaching sessions (送教上门间隔).
    pub home_teaching_every_days: u32,
    /// Days a returned child is monitored before the case may close (复学跟踪期).
    pub monitor_after_return_days: u32,
    /// Days the county has to close a case once it may (销号时限).
    pub close_within_days: u32,
    /// Consecutive terms of 休学 that make a suspect (休学期限，按学期计).
    pub suspension_limit_terms: u32,
    /// Clause or ruling these numbers come from.
    pub reference: String,
}

const DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

impl Policy {
    /// The county's dropout-control rules.
    ///
    /// Errors: [`PolicyError`] naming the line when `[dropout]` is missing or a value is out of
    /// range (entry age 3–10, years 1–12, days 1–3650, terms 1–20, cut-off a real `MM-DD`).
    pub fn dropout_rules(&self) -> Result<DropoutRules, PolicyError> {
        let Some(d) = &self.file.dropout else {
            return self.top_err(
                "[policy]",
                "政策文件没有 [dropout]（控辍保学）一节：请写明入学年龄、截止日和各项时限",
            );
        };
        // Point at the key's own line, not a comment that mentions it.
        let bad = |key: &str, what: &str| {
            let src = self.source_text();
            let line_start = src
                .match_indices(key)
                .map(|(i, _)| i)
                .find(|&i| i == 0 || src.get(i - 1..i) == Some("\n"))
                .unwrap_or(0);
            self.err_at(line_start, format!("[dropout] {key} {what}"))
        };
        if !(3..=10).contains(&d.entry_age) {
            return bad("entry_age", "应在 3 至 10 岁之间");
        }
        if !(1..=12).contains(&d.compulsory_years) {
            return bad("compulsory_years", "应在 1 至 12 年之间");
        }
        let cutoff = d
            .age_cutoff
            .trim()
            .split_once('-')
            .and_then(|(m, day)| Some((m.parse::<u32>().ok()?, day.parse::<u32>().ok()?)))
            // Any leap year accepts every real month-day.
            .filter(|&(m, day)| chrono::NaiveDate::from_ymd_opt(2024, m, day).is_some());
        let Some(cutoff) = cutoff else {
            return bad("age_cutoff", "应写作 MM-DD（如 08-31）");
        };
        if cutoff == (2, 29) {
            return bad("age_cutoff", "不能是 02-29（平年没有这一天）");
        }
        let days = [
            ("verify_within_days", d.verify_within_days),
            ("persuade_action_every_days", d.persuade_action_every_days),
            ("home_teaching_every_days", d.home_teaching_every_days),
            ("monitor_after_return_days", d.monitor_after_return_days),
            ("close_within_days", d.close_within_days),
        ];
        for (key, v) in days {
            if !DAYS.contains(&v) {
                return bad(key, "应在 1 至 3650 天之间");
            }
        }
        if !(1..=20).contains(&d.suspension_limit_terms) {
            return bad("suspension_limit_terms", "应在 1 至 20 个学期之间");
        }
        Ok(DropoutRules {
            entry_age: d.entry_age,
            cutoff,
            years: d.compulsory_years,
            verify_days: d.verify_within_days,
            action_days: d.persuade_action_every_days,
            home_teaching_days: d.home_teaching_every_days,
            monitor_days: d.monitor_after_return_days,
            close_days: d.close_within_days,
            suspension_terms: d.suspension_limit_terms,
        })
    }
}
