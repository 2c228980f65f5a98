//! School evaluation (学校工作考评): the indicators by which the county assesses each school per
//! term, as the policy asks — dropout control "纳入对学校工作考评" (二(二)), aid to every eligible
//! student (二(一) 资助一个不落), the in-kind zero fees (三(一) 零收费), complaints resolved in time
//! (四(三) 集中解决群众反映强烈的问题) — each with its figures, its
//! target from the policy file's `[evaluation]` section, and whether the school met it.
//!
//! Pure: the facts of each school come in (gathered by the app layer from the roster sign-offs,
//! the payments' coverage audit, the dropout ledger and the zero-fee issues), indicators go out.
//! No percentage is computed in floating point: targets are compared by cross-multiplying.

use chrono::NaiveDate;

use crate::SchoolKind;

/// The targets, from the policy file's `[evaluation]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationRules {
    /// Days after the term's reference date (学期基准日) by which a school confirms its roster
    /// (名单按时确认): the reference date plus these days is the last day that is on time.
    pub confirm_within_days: u32,
    /// 资助到位率 target, per cent: paid over planned, in yuan.
    pub coverage_target_percent: u32,
    /// 劝返率 target, per cent (应返尽返).
    pub return_target_percent: u32,
    /// Most overdue dropout cases (超期未办结) a school may have and still meet the target.
    pub overdue_cases_max: u32,
    /// 零收费覆盖率 target, per cent: eligible students issued every provision.
    pub zero_fee_target_percent: u32,
    /// Most complaints about a school's students not resolved by their deadline (群众反映问题
    /// 超期未办结) it may have in the term and still meet the target.
    pub complaints_overdue_max: u32,
}

/// One school's facts for a term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolFacts {
    pub school_code: String,
    pub school_name: String,
    pub township: String,
    pub kind: Option<SchoolKind>,
    /// The school has a roster this term (it has entitlements: it must confirm them).
    pub has_roster: bool,
    /// The day (北京时间) of the school's first confirmation of this term's roster.
    pub first_confirmed_on: Option<NaiveDate>,
    /// Roster amounts paid to families (fen): planned and paid (coverage audit).
    pub planned_fen: i64,
    pub paid_fen: i64,
    /// Dropout cases the school is responsible for that are open and past a time limit.
    pub overdue_cases: i64,
    /// Confirmed dropouts who can attend (those taught at home excluded), and of them returned.
    pub return_base: i64,
    pub returned: i64,
    /// Zero-fee provisions (三(一)) of the school year: eligible students, and of them those
    /// issued every provision; `None` when not recorded for this school.
    pub zero_fee: Option<(i64, i64)>,
    /// Complaints (四(三)) about the school's students lodged in the term, and of them those not
    /// resolved by their deadline as of the day counted.
    pub complaints_lodged: i64,
    pub complaints_overdue: i64,
}

/// The six indicators, in the report's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndicatorKind {
    /// 名单按时确认 (二(一)).
    RosterOnTime,
    /// 资助到位率 (二(一) 资助一个不落).
    AidCoverage,
    /// 超期未办结控辍案件 (二(二) 一生一案、销号管理).
    OverdueCases,
    /// 劝返率 (二(二) 应返尽返).
    ReturnRate,
    /// 零收费覆盖率 (三(一)).
    ZeroFee,
    /// 群众反映问题按期办结 (四(三)).
    Complaints,
}

impl IndicatorKind {
    pub const ALL: [IndicatorKind; 6] = [
        IndicatorKind::RosterOnTime,
        IndicatorKind::AidCoverage,
        IndicatorKind::OverdueCases,
        IndicatorKind::ReturnRate,
        IndicatorKind::ZeroFee,
        IndicatorKind::Complaints,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            IndicatorKind::RosterOnTime => "名单按时确认",
            IndicatorKind::AidCoverage => "资助到位率",
            IndicatorKind::OverdueCases => "超期控辍案件",
            IndicatorKind::ReturnRate => "劝返率",
            IndicatorKind::ZeroFee => "零收费覆盖率",
            IndicatorKind::Complaints => "群众反映问题按期办结",
        }
    }

    /// The key the API uses.
    pub fn key(self) -> &'static str {
        match self {
            IndicatorKind::RosterOnTime => "roster_on_time",
            IndicatorKind::AidCoverage => "aid_coverage",
            IndicatorKind::OverdueCases => "overdue_cases",
            IndicatorKind::ReturnRate => "return_rate",
            IndicatorKind::ZeroFee => "zero_fee",
            IndicatorKind::Complaints => "complaints",
        }
    }

    /// The clause of the policy text the indicator checks.
    pub fn clause(self) -> &'static str {
        match self {
            IndicatorKind::RosterOnTime | IndicatorKind::AidCoverage => "二(一)",
            IndicatorKind::OverdueCases | IndicatorKind::ReturnRate => "二(二)",
            IndicatorKind::ZeroFee => "三(一)",
            IndicatorKind::Complaints => "四(三)",
        }
    }
}

/// Met, not met, or not applicable to this school this term (不适用: nothing to measure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Met,
    NotMet,
    NotApplicable,
}

impl Outcome {
    pub fn zh(self) -> &'static str {
        match self {
            Outcome::Met => "达标",
            Outcome::NotMet => "未达标",
            Outcome::NotApplicable => "不适用",
        }
    }

    fn of(met: bool) -> Outcome {
        if met {
            Outcome::Met
        } else {
            Outcome::NotMet
        }
    }
}

/// One indicator of one school: its figures, in words, against its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub kind: IndicatorKind,
    /// The measure's numerator and denominator (for a count, the count and 1; for the roster,
    /// 1 when on time).
    pub numerator: i64,
    pub denominator: i64,
    /// The value as the report prints it: `95.0%（已发 1900.00 元 / 应发 2000.00 元）`.
    pub value: String,
    /// The target in words: `≥ 100%`, `≤ 0 件`, `截止 2023-10-21`.
    pub target: String,
    pub outcome: Outcome,
}

/// One school's evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolEvaluation {
    pub school_code: String,
    pub school_name: String,
    pub township: String,
    pub indicators: Vec<Indicator>,
}

impl SchoolEvaluation {
    /// Indicators met, and indicators that apply.
    pub fn tally(&self) -> (usize, usize) {
        let applies = self
            .indicators
            .iter()
            .filter(|i| i.outcome != Outcome::NotApplicable)
            .count();
        let met = self
            .indicators
            .iter()
            .filter(|i| i.outcome == Outcome::Met)
            .count();
        (met, applies)
    }
}

/// Whether a school of this kind teaches compulsory grades (义务教育学校).
pub fn compulsory_school(kind: SchoolKind) -> bool {
    matches!(
        kind,
        SchoolKind::Primary
            | SchoolKind::Junior
            | SchoolKind::NineYear
            | SchoolKind::Complete
            | SchoolKind::Special
    )
}

/// A share as the report prints it, rounded half up to one decimal: `95.0%`; `—` with no base.
pub fn percent(numerator: i64, denominator: i64) -> String {
    if denominator <= 0 {
        return "—".to_string();
    }
    let permille =
        (i128::from(numerator) * 2000 + i128::from(denominator)) / (2 * i128::from(denominator));
    format!("{}.{}%", permille / 10, permille % 10)
}

/// `numerator / denominator ≥ target %`, exactly.
fn reaches(numerator: i64, denominator: i64, target_percent: u32) -> bool {
    i128::from(numerator) * 100 >= i128::from(target_percent) * i128::from(denominator)
}

fn share(kind: IndicatorKind, n: i64, d: i64, detail: String, target: u32) -> Indicator {
    let applies = d > 0;
    Indicator {
        kind,
        numerator: n,
        denominator: d,
        value: if applies {
            format!("{}（{detail}）", percent(n, d))
        } else {
            "—".to_string()
        },
        target: format!("≥ {target}%"),
        outcome: if applies {
            Outcome::of(reaches(n, d, target))
        } else {
            Outcome::NotApplicable
        },
    }
}

/// Evaluates one school for a term whose reference date is `reference`.
pub fn evaluate(
    f: &SchoolFacts,
    rules: &EvaluationRules,
    reference: NaiveDate,
) -> SchoolEvaluation {
    let deadline = reference + chrono::Duration::days(i64::from(rules.confirm_within_days));
    let on_time = f.first_confirmed_on.is_some_and(|d| d <= deadline);
    let roster = Indicator {
        kind: IndicatorKind::RosterOnTime,
        numerator: i64::from(on_time),
        denominator: 1,
        value: match f.first_confirmed_on {
            Some(d) => format!("{} 确认", d.format("%Y-%m-%d")),
            None => "未确认".to_string(),
        },
        target: format!("截止 {}", deadline.format("%Y-%m-%d")),
        outcome: if f.has_roster {
            Outcome::of(on_time)
        } else {
            Outcome::NotApplicable
        },
    };
    let coverage = share(
        IndicatorKind::AidCoverage,
        f.paid_fen,
        f.planned_fen,
        format!(
            "已发 {} 元 / 应发 {} 元",
            crate::Fen(f.paid_fen),
            crate::Fen(f.planned_fen)
        ),
        rules.coverage_target_percent,
    );
    let compulsory = f.kind.is_some_and(compulsory_school);
    let overdue = Indicator {
        kind: IndicatorKind::OverdueCases,
        numerator: f.overdue_cases,
        denominator: 1,
        value: format!("{} 件", f.overdue_cases),
        target: format!("≤ {} 件", rules.overdue_cases_max),
        outcome: if compulsory || f.overdue_cases > 0 {
            Outcome::of(f.overdue_cases <= i64::from(rules.overdue_cases_max))
        } else {
            Outcome::NotApplicable
        },
    };
    let returned = share(
        IndicatorKind::ReturnRate,
        f.returned,
        f.return_base,
        format!("复学 {} 人 / 应返 {} 人", f.returned, f.return_base),
        rules.return_target_percent,
    );
    let (eligible, complete) = f.zero_fee.unwrap_or((0, 0));
    let zero_fee = share(
        IndicatorKind::ZeroFee,
        complete,
        eligible,
        format!("全部发放 {complete} 人 / 应发 {eligible} 人"),
        rules.zero_fee_target_percent,
    );
    let complaints = Indicator {
        kind: IndicatorKind::Complaints,
        numerator: f.complaints_overdue,
        denominator: f.complaints_lodged,
        value: format!(
            "未按期办结 {} 件 / 受理 {} 件",
            f.complaints_overdue, f.complaints_lodged
        ),
        target: format!("未按期办结 ≤ {} 件", rules.complaints_overdue_max),
        outcome: if f.complaints_lodged > 0 {
            Outcome::of(f.complaints_overdue <= i64::from(rules.complaints_overdue_max))
        } else {
            Outcome::NotApplicable
        },
    };
    SchoolEvaluation {
        school_code: f.school_code.clone(),
        school_name: f.school_name.clone(),
        township: f.township.clone(),
        indicators: vec![roster, coverage, overdue, returned, zero_fee, complaints],
    }
}

#[cfg(test)]
mod tests;
