//! The shipped policy and its case file: every program and ruling, worked by hand from the text.

use zizhu_domain::{Fen, Season, Term};
use zizhu_policy::cases::{facts_from_table, run_cases};
use zizhu_policy::{Policy, Subject};

pub const POLICY: &str = include_str!("../../../../policy/2023.toml");
const CASES: &str = include_str!("../../../../policy/2023.cases.toml");

fn policy() -> Policy {
    match Policy::parse(POLICY) {
        Ok(p) => p,
        Err(e) => panic!("policy/2023.toml: {e}"),
    }
}

#[test]
fn every_hand_worked_case_passes() {
    let results = match run_cases(&policy(), CASES) {
        Ok(r) => r,
        Err(e) => panic!("cases: {e}"),
    };
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}: {}", r.name, r.detail.join("; ")))
        .collect();
    assert!(failed.is_empty(), "failed cases:\n{}", failed.join("\n"));
    assert!(results.len() >= 40, "case file shrank: {}", results.len());
}

#[test]
fn case_file_covers_every_program_and_ruling() {
    let p = policy();
    for prog in &p.file.programs {
        assert!(
            CASES.contains(&format!("{} = \"", prog.id)),
            "no case grants {}",
            prog.id
        );
    }
    for ruling in ["裁定1", "裁定2", "裁定3", "裁定4", "裁定6"] {
        assert!(CASES.contains(ruling), "no case for {ruling}");
    }
}

#[test]
fn a_wrong_expectation_fails() {
    // The runner itself must be able to fail: 二(一)2 初中非寄宿 is 312.5, not 312.
    let bad = r#"
[[case]]
name = "deliberately wrong"
term = "2023-autumn"
facts = { stage = "junior", school_kind = "junior", poor_household = true }
expect = { nonboarding_living_subsidy = "312" }
"#;
    let r = run_cases(&policy(), bad).unwrap_or_default();
    assert_eq!(r.len(), 1);
    assert!(!r[0].passed);
    assert!(r[0].detail[0].contains("312.50"), "{:?}", r[0].detail);
}

#[test]
fn junior_nonboarder_gets_exactly_31250_fen_in_each_term() {
    // 二(一)2 第二款: 1250 × 50% = 625 元/年 → 312.50 元 per term, in integer fen.
    let p = policy();
    let t: toml::Table = toml::from_str(
        r#"stage = "junior"
school_kind = "junior"
poor_household = true"#,
    )
    .unwrap_or_default();
    let facts = facts_from_table(&t).unwrap_or_default();
    for season in [Season::Spring, Season::Autumn] {
        let tp = p.compile(Term::new(2023, season)).ok();
        let mut out = Vec::new();
        if let Some(tp) = &tp {
            tp.evaluate(Subject::Student, facts, 0, &mut out);
        }
        assert_eq!(
            out.iter().map(|g| g.amount).collect::<Vec<_>>(),
            vec![Fen(31250)]
        );
    }
}

#[test]
fn switching_off_keep_policy_after_exit_removes_exited_households() {
    // 脱贫不脱政策 is a parameter: with it off, an exited household is no longer 建档立卡 for 二(一)1.
    let src = POLICY.replace(
        "values = [{ from = \"2023-01-01\", value = true }]",
        "values = [{ from = \"2023-01-01\", value = false }]",
    );
    assert_ne!(src, POLICY);
    let p = Policy::parse(&src).unwrap_or_else(|e| panic!("{e}"));
    let t: toml::Table = toml::from_str(
        r#"stage = "preschool"
school_kind = "kindergarten"
inclusive_kindergarten = true
approval_level = "county"
poor_household = true
poor_exited = true"#,
    )
    .unwrap_or_default();
    let facts = facts_from_table(&t).unwrap_or_default();
    let tp = p
        .compile(Term::new(2023, Season::Autumn))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    tp.evaluate(Subject::Student, facts, 0, &mut out);
    assert!(out.is_empty(), "{out:?}");
}

#[test]
fn explanation_names_clause_and_facts() {
    let p = policy();
    let tp = p
        .compile(Term::new(2023, Season::Autumn))
        .unwrap_or_else(|e| panic!("{e}"));
    let t: toml::Table = toml::from_str(
        r#"stage = "junior"
school_kind = "special"
boarding = true
poor_household = true"#,
    )
    .unwrap_or_default();
    let facts = facts_from_table(&t).unwrap_or_default();
    let v = tp.explain(Subject::Student, facts, 0);
    let b = v
        .iter()
        .find(|x| x.program == "boarding_living_subsidy")
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!(b.amount, Some(Fen(72500)));
    assert_eq!(b.clause, "二(一)2 第一款");
    let text = b.lines.join("\n");
    assert!(text.contains("✓ 寄宿生：是"), "{text}");
    assert!(text.contains("建档立卡"), "{text}");
    assert!(text.contains("加："), "{text}");
    let nb = v
        .iter()
        .find(|x| x.program == "nonboarding_living_subsidy")
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!(nb.amount, None);
    assert!(
        !nb.lines.join("\n").contains("互斥"),
        "not eligible anyway: {:?}",
        nb.lines
    );
    assert!(
        nb.lines.join("\n").contains("✗ 寄宿生：应为否，实为是"),
        "{:?}",
        nb.lines
    );
}

/// A heading ("以下任一条件成立：", a named condition …) comes before its sub-conditions, which are
/// indented one level deeper; no line is left empty. Checked for every program over many facts.
#[test]
fn explanation_headings_precede_their_conditions() {
    let p = policy();
    let tp = p
        .compile(Term::new(2023, Season::Autumn))
        .unwrap_or_else(|e| panic!("{e}"));
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut headings = 0;
    for _ in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        for v in tp.explain(Subject::Student, zizhu_policy::Facts(seed), 0) {
            for (i, l) in v.lines.iter().enumerate() {
                assert!(
                    !l.trim().is_empty(),
                    "empty line in {}: {:?}",
                    v.program,
                    v.lines
                );
                if l.ends_with("以下任一条件成立：") || l.ends_with("不满足以下条件：")
                {
                    headings += 1;
                    let next = v.lines.get(i + 1).map_or("", String::as_str);
                    assert_eq!(indent(next), indent(l) + 2, "{}: {:?}", v.program, v.lines);
                }
            }
        }
    }
    assert!(headings > 0, "the 2023 policy has alternatives to explain");
}

#[test]
fn a_term_outside_the_policy_is_refused() {
    let e = policy()
        .compile(Term::new(2024, Season::Spring))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("不适用于2024年春季学期"), "{e}");
}
