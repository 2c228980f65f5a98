//! `zizhu policy check`: a bad file is rejected with its line and column.

use crate::county2023::POLICY;
use zizhu_policy::Policy;

fn err_of(src: &str) -> (usize, usize, String) {
    match Policy::parse(src) {
        Ok(_) => panic!("accepted a bad policy"),
        Err(e) => (e.line, e.col, e.message),
    }
}

fn line_of(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0)
}

#[test]
fn unknown_fact_in_a_condition_points_at_it() {
    let src = POLICY.replace(
        "compulsory and boarding and difficult",
        "compulsory and bording and difficult",
    );
    let (line, col, msg) = err_of(&src);
    assert_eq!(line, line_of(&src, "compulsory and bording"));
    // `when = "` is 8 characters, then `compulsory and ` is 15: the name starts at column 24.
    assert_eq!(col, 24, "{msg}");
    assert!(msg.contains("bording"), "{msg}");
}

#[test]
fn typo_in_a_key_is_rejected() {
    let src = POLICY.replacen("payee = \"guardian\"", "payer = \"guardian\"", 1);
    let (line, _, msg) = err_of(&src);
    assert_eq!(line, line_of(&src, "payer = "));
    assert!(msg.contains("payer"), "{msg}");
}

#[test]
fn amount_written_as_a_number_is_rejected() {
    let src = POLICY.replace("value = \"1250\"", "value = 1250.0");
    let (line, _, msg) = err_of(&src);
    assert_eq!(line, line_of(&src, "value = 1250.0"));
    assert!(msg.contains("金额"), "{msg}");
}

#[test]
fn overlapping_parameter_dates_are_rejected() {
    let src = POLICY.replace(
        "values = [{ from = \"2023-01-01\", value = \"2000\" }]",
        "values = [{ from = \"2023-01-01\", value = \"2000\" }, { from = \"2023-06-01\", value = \"2300\" }]",
    );
    let (_, _, msg) = err_of(&src);
    assert!(msg.contains("重叠"), "{msg}");
}

#[test]
fn dated_parameter_changes_take_effect_on_the_reference_date() {
    // A county raises the 中职助学金 from the autumn term: the spring term keeps the old amount.
    let src = POLICY.replace(
        "values = [{ from = \"2023-01-01\", value = \"2000\" }]",
        "values = [{ from = \"2023-01-01\", to = \"2023-08-31\", value = \"2000\" }, { from = \"2023-09-01\", value = \"2300\" }]",
    );
    let p = Policy::parse(&src).unwrap_or_else(|e| panic!("{e}"));
    let amount = |t: &str| {
        let term = t.parse().unwrap_or_else(|e| panic!("{e}"));
        let tp = p.compile(term).unwrap_or_else(|e| panic!("{e}"));
        let i = tp.program_index("voc_national_grant").unwrap_or(usize::MAX);
        tp.programs.get(i).map(|p| p.amounts[0].per_term.0)
    };
    assert_eq!(amount("2023-spring"), Some(100_000));
    assert_eq!(amount("2023-autumn"), Some(115_000));
}

#[test]
fn syntax_error_and_self_reference() {
    let src = POLICY.replace("stage in [primary, junior]", "stage in [primary, junior");
    let (_, _, msg) = err_of(&src);
    assert!(msg.contains("语法错误"), "{msg}");
    let src = POLICY.replace(
        "when = \"listed_hardship or school_recognized\"",
        "when = \"listed_hardship or difficult\"",
    );
    let (_, _, msg) = err_of(&src);
    assert!(msg.contains("循环引用"), "{msg}");
    let src = POLICY.replace(
        "base = \"voc_national_grant_yearly\"",
        "base = \"voc_grant\"",
    );
    let (line, _, msg) = err_of(&src);
    assert_eq!(line, line_of(&src, "base = \"voc_grant\""));
    assert!(msg.contains("未定义的参数"), "{msg}");
}

#[test]
fn enum_value_typo_lists_allowed_values() {
    let src = POLICY.replace(
        "stage == vocational and full_time and (hukou",
        "stage == vocation and full_time and (hukou",
    );
    let (_, _, msg) = err_of(&src);
    assert!(
        msg.contains("vocation") && msg.contains("preschool"),
        "{msg}"
    );
}

#[test]
fn negative_huge_or_out_of_range_values_are_rejected() {
    // A negative amount silently removed grants; a huge one overflowed the totals.
    for (from, to) in [
        ("value = \"1500\" }]", "value = \"-1500\" }]"),
        ("value = \"1500\" }]", "value = \"92233720368547757\" }]"),
        ("value = \"1500\" }]", "value = \"1000001\" }]"),
        ("value = \"0.5\" }]", "value = \"-0.5\" }]"),
        ("value = \"0.5\" }]", "value = \"11\" }]"),
    ] {
        let src = POLICY.replacen(from, to, 1);
        assert_ne!(src, POLICY);
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, line_of(&src, to), "{to}: {msg}");
    }
    // The bounds themselves are allowed.
    let src = POLICY.replacen("value = \"1500\" }]", "value = \"1000000\" }]", 1);
    assert!(Policy::parse(&src).is_ok());
}

#[test]
fn a_definition_may_not_shadow_a_fact() {
    let src = POLICY.replace("[define.compulsory]", "[define.boarding]");
    let (_, _, msg) = err_of(&src);
    assert!(msg.contains("boarding") && msg.contains("重名"), "{msg}");
}

/// `[dropout]` (二(二)): the county's numbers are read as written, and a bad one is refused on
/// its own line.
#[test]
fn dropout_rules_read_and_checked() {
    let p = Policy::parse(POLICY).unwrap();
    let r = p.dropout_rules().unwrap();
    assert_eq!((r.entry_age, r.cutoff, r.years), (6, (8, 31), 9));
    assert_eq!((r.verify_days, r.action_days, r.monitor_days), (7, 30, 120));
    assert_eq!(r.suspension_terms, 2);

    let src = POLICY.replace("entry_age = 6", "entry_age = 16");
    let (line, _, msg) = err_of(&src);
    assert_eq!(line, line_of(&src, "entry_age = 16"));
    assert!(msg.contains("3 至 10"), "{msg}");

    let src = POLICY.replace("age_cutoff = \"08-31\"", "age_cutoff = \"08-32\"");
    let (line, _, msg) = err_of(&src);
    assert_eq!(line, line_of(&src, "age_cutoff = \"08-32\""));
    assert!(msg.contains("MM-DD"), "{msg}");

    let src = POLICY.replace("verify_within_days = 7", "verify_within_days = 0");
    let (_, _, msg) = err_of(&src);
    assert!(msg.contains("verify_within_days"), "{msg}");

    // Without the section the aid policy still works; the dropout rules say what is missing.
    let start = POLICY.find("\n[dropout]").unwrap();
    let end = POLICY[start..].find("\n\n").unwrap() + start;
    let without = format!("{}{}", &POLICY[..start], &POLICY[end..]);
    let p = Policy::parse(&without).unwrap();
    let msg = p.dropout_rules().unwrap_err().message;
    assert!(msg.contains("[dropout]"), "{msg}");
}

/// `[complaints]` (四(三)): the policy file's deadlines are read as written, and a wrong day count,
/// a missing category, days out of range or a holiday that is not a date are refused by name.
#[test]
fn complaint_deadlines_are_checked() {
    use zizhu_domain::complaint::{ComplaintCategory as C, DayCount};
    let r = Policy::parse(POLICY).unwrap().complaint_rules().unwrap();
    assert_eq!(r.days, [15, 15, 7, 15, 30]);
    assert_eq!(r.days_for(C::OutOfSchool), 7);
    assert_eq!(r.count, DayCount::Calendar);
    for (from, to, part) in [
        (
            "day_count = \"calendar\"",
            "day_count = \"weekdays\"",
            "day_count",
        ),
        ("out_of_school = 7 ", "", "缺少 out_of_school"),
        ("other = 30", "other = 0", "1 至 365"),
        ("holidays = []", "holidays = [\"10-01\"]", "YYYY-MM-DD"),
        (
            "other = 30",
            "other = 30\nsummer = 5",
            "没有问题类别 summer",
        ),
    ] {
        let src = POLICY.replacen(from, to, 1);
        assert_ne!(src, POLICY, "{from}");
        let (line, _, msg) = err_of(&src);
        assert!(msg.contains(part), "{from} → {msg}");
        assert!(line > line_of(&src, "[complaints]"), "{from}: line {line}");
    }
}
