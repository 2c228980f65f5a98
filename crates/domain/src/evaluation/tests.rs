//! Hand-worked school evaluations. Rules as policy/2023.toml sets them: confirm within 20 days of
//! the reference date, 100 % of the aid paid (二(一) 资助一个不落), no overdue case and every
//! dropout who can attend back at school (二(二) 应返尽返), every zero-fee provision (三(一)).

use super::*;
use crate::SchoolKind;

fn rules() -> EvaluationRules {
    EvaluationRules {
        confirm_within_days: 20,
        coverage_target_percent: 100,
        return_target_percent: 100,
        overdue_cases_max: 0,
        zero_fee_target_percent: 100,
        complaints_overdue_max: 0,
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Autumn 2023: reference date 1 October (裁定6), so the last day on time is 21 October.
fn autumn() -> NaiveDate {
    day("2023-10-01")
}

fn primary() -> SchoolFacts {
    SchoolFacts {
        school_code: "3607310001".into(),
        school_name: "示例第一小学".into(),
        township: "贡江镇".into(),
        kind: Some(SchoolKind::Primary),
        has_roster: true,
        ..SchoolFacts::default()
    }
}

fn indicator(e: &SchoolEvaluation, k: IndicatorKind) -> &Indicator {
    e.indicators.iter().find(|i| i.kind == k).unwrap()
}

#[test]
fn roster_confirmed_on_the_twentieth_day_is_on_time_and_the_day_after_is_not() {
    // 二(一): reference 2023-10-01 + 20 days = 2023-10-21.
    let mut f = primary();
    f.first_confirmed_on = Some(day("2023-10-21"));
    let e = evaluate(&f, &rules(), autumn());
    let r = indicator(&e, IndicatorKind::RosterOnTime);
    assert_eq!(r.outcome, Outcome::Met);
    assert_eq!(r.target, "截止 2023-10-21");
    assert_eq!(r.value, "2023-10-21 确认");
    f.first_confirmed_on = Some(day("2023-10-22"));
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::RosterOnTime).outcome,
        Outcome::NotMet
    );
    f.first_confirmed_on = None;
    let e = evaluate(&f, &rules(), autumn());
    let r = indicator(&e, IndicatorKind::RosterOnTime);
    assert_eq!((r.outcome, r.value.as_str()), (Outcome::NotMet, "未确认"));
    // A school with nobody on the roster has nothing to confirm.
    f.has_roster = false;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::RosterOnTime).outcome,
        Outcome::NotApplicable
    );
}

#[test]
fn aid_coverage_is_paid_over_planned_and_ninety_five_percent_misses_a_full_target() {
    // 二(一) 资助一个不落: 1900.00 of 2000.00 yuan paid = 95.0 %.
    let mut f = primary();
    f.planned_fen = 200_000;
    f.paid_fen = 190_000;
    let e = evaluate(&f, &rules(), autumn());
    let c = indicator(&e, IndicatorKind::AidCoverage);
    assert_eq!(c.value, "95.0%（已发 1900.00 元 / 应发 2000.00 元）");
    assert_eq!((c.numerator, c.denominator), (190_000, 200_000));
    assert_eq!(c.outcome, Outcome::NotMet);
    // A county that sets the target at 95 % sees this school exactly on it.
    let lower = EvaluationRules {
        coverage_target_percent: 95,
        ..rules()
    };
    let e = evaluate(&f, &lower, autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::AidCoverage).outcome,
        Outcome::Met
    );
    // One fen short of 95 % is below it.
    f.paid_fen = 189_999;
    let e = evaluate(&f, &lower, autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::AidCoverage).outcome,
        Outcome::NotMet
    );
    f.planned_fen = 0;
    f.paid_fen = 0;
    let e = evaluate(&f, &rules(), autumn());
    let c = indicator(&e, IndicatorKind::AidCoverage);
    assert_eq!((c.outcome, c.value.as_str()), (Outcome::NotApplicable, "—"));
}

#[test]
fn overdue_cases_apply_to_every_compulsory_school_and_to_others_only_with_cases() {
    // 二(二) 一生一案: none overdue meets the target of 0.
    let mut f = primary();
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::OverdueCases).outcome,
        Outcome::Met
    );
    f.overdue_cases = 1;
    let e = evaluate(&f, &rules(), autumn());
    let o = indicator(&e, IndicatorKind::OverdueCases);
    assert_eq!((o.outcome, o.value.as_str()), (Outcome::NotMet, "1 件"));
    f.kind = Some(SchoolKind::Senior);
    f.overdue_cases = 0;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::OverdueCases).outcome,
        Outcome::NotApplicable
    );
    f.overdue_cases = 2;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::OverdueCases).outcome,
        Outcome::NotMet
    );
}

#[test]
fn return_rate_three_of_four_is_seventy_five_percent() {
    // 二(二) 应返尽返: 3 returned of 4 confirmed dropouts who can attend.
    let mut f = primary();
    f.return_base = 4;
    f.returned = 3;
    let e = evaluate(&f, &rules(), autumn());
    let r = indicator(&e, IndicatorKind::ReturnRate);
    assert_eq!(r.value, "75.0%（复学 3 人 / 应返 4 人）");
    assert_eq!(r.outcome, Outcome::NotMet);
    f.returned = 4;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::ReturnRate).outcome,
        Outcome::Met
    );
    f.return_base = 0;
    f.returned = 0;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::ReturnRate).outcome,
        Outcome::NotApplicable
    );
}

#[test]
fn zero_fee_nine_of_ten_misses_and_ten_of_ten_meets() {
    // 三(一): 9 of 10 eligible students issued all three provisions = 90.0 %.
    let mut f = primary();
    f.zero_fee = Some((10, 9));
    let e = evaluate(&f, &rules(), autumn());
    let z = indicator(&e, IndicatorKind::ZeroFee);
    assert_eq!(z.value, "90.0%（全部发放 9 人 / 应发 10 人）");
    assert_eq!(z.outcome, Outcome::NotMet);
    f.zero_fee = Some((10, 10));
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(indicator(&e, IndicatorKind::ZeroFee).outcome, Outcome::Met);
    f.zero_fee = None;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::ZeroFee).outcome,
        Outcome::NotApplicable
    );
}

#[test]
fn tally_counts_met_among_those_that_apply() {
    // On time, all paid, no overdue, no dropouts (n/a), 9 of 10 zero fee: 3 met of 4.
    let mut f = primary();
    f.first_confirmed_on = Some(day("2023-10-08"));
    f.planned_fen = 150_000;
    f.paid_fen = 150_000;
    f.zero_fee = Some((10, 9));
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(e.tally(), (3, 4));
    assert_eq!(e.indicators.len(), IndicatorKind::ALL.len());
}

#[test]
fn percent_rounds_half_up_to_one_decimal() {
    assert_eq!(percent(2, 3), "66.7%");
    assert_eq!(percent(1, 3), "33.3%");
    assert_eq!(percent(1, 8), "12.5%");
    // 1/16 = 6.25 % → 6.3 %.
    assert_eq!(percent(1, 16), "6.3%");
    assert_eq!(percent(5, 5), "100.0%");
    assert_eq!(percent(1, 0), "—");
}

#[test]
fn complaints_apply_when_lodged_and_one_overdue_misses() {
    // 四(三): 2 tickets about the school's students this term, 1 not resolved by its deadline.
    let mut f = primary();
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::Complaints).outcome,
        Outcome::NotApplicable
    );
    f.complaints_lodged = 2;
    f.complaints_overdue = 1;
    let e = evaluate(&f, &rules(), autumn());
    let c = indicator(&e, IndicatorKind::Complaints);
    assert_eq!(c.value, "未按期办结 1 件 / 受理 2 件");
    assert_eq!(
        (c.outcome, c.target.as_str()),
        (Outcome::NotMet, "未按期办结 ≤ 0 件")
    );
    f.complaints_overdue = 0;
    let e = evaluate(&f, &rules(), autumn());
    assert_eq!(
        indicator(&e, IndicatorKind::Complaints).outcome,
        Outcome::Met
    );
}
