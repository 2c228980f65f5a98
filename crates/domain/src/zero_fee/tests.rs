use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rules() -> Vec<ItemRule> {
    // Reporting values of policy/2023.toml: 80, 120 and 50 元.
    vec![
        ItemRule {
            item: ZeroFeeItem::TeachingMaterials,
            clause: "三(一)1".into(),
            unit_value: Fen::from_yuan(80),
        },
        ItemRule {
            item: ZeroFeeItem::SchoolUniform,
            clause: "三(一)2".into(),
            unit_value: Fen::from_yuan(120),
        },
        ItemRule {
            item: ZeroFeeItem::AccidentInsurance,
            clause: "三(一)3".into(),
            unit_value: Fen::from_yuan(50),
        },
    ]
}

fn owed(id: &str, school: &str) -> Owed {
    Owed {
        id_number: id.into(),
        name: format!("学生{id}"),
        school_code: school.into(),
        items: ZeroFeeItem::ALL.to_vec(),
    }
}

fn issue(id: &str, school: &str, item: ZeroFeeItem, quantity: u32) -> Issue {
    Issue {
        school_year: 2023,
        school_code: school.into(),
        id_number: id.into(),
        name: format!("学生{id}"),
        item,
        issued_on: day(2023, 9, 5),
        quantity,
        insurer: None,
        policy_no: None,
    }
}

#[test]
fn items_are_read_by_name_alias_and_code() {
    use ZeroFeeItem::*;
    for (s, want) in [
        ("教辅材料（含音像教材）", TeachingMaterials),
        ("教辅材料(含音像教材)", TeachingMaterials),
        ("教辅", TeachingMaterials),
        ("音像教材", TeachingMaterials),
        (" 校服 ", SchoolUniform),
        ("school_uniform", SchoolUniform),
        ("学生意外伤害保险", AccidentInsurance),
        ("意外险", AccidentInsurance),
    ] {
        assert_eq!(ZeroFeeItem::parse(s), Some(want), "{s}");
    }
    for bad in ["", "书包", "学费", "保 险 费"] {
        assert_eq!(ZeroFeeItem::parse(bad), None, "{bad}");
    }
    assert!(AccidentInsurance.is_insurance() && !SchoolUniform.is_insurance());
}

/// 学年 2023 = 1 September 2023 to 31 August 2024 (ruling 零收费): both ends in, a day either
/// side out.
#[test]
fn school_year_2023_runs_from_september_to_august() {
    assert!(in_school_year(day(2023, 9, 1), 2023));
    assert!(in_school_year(day(2024, 8, 31), 2023));
    assert!(!in_school_year(day(2023, 8, 31), 2023));
    assert!(!in_school_year(day(2024, 9, 1), 2023));
    assert_eq!(school_year_of(day(2024, 3, 1)), 2023);
    assert_eq!(school_year_of(day(2023, 9, 1)), 2023);
    assert_eq!(school_year_of(day(2023, 8, 31)), 2022);
}

/// 三(一)1–3, worked by hand: school A has three eligible students. Student 1 got all three
/// items (two uniforms), student 2 lacks the insurance (三(一)3), student 3 got nothing. School
/// B recorded the uniform of student 3 (transferred): it counts for student 3 at school A.
/// Student 9 is not eligible: the uniform school A gave them is listed, not counted.
/// Values: materials 2 × 80 = 160; uniforms (2 + 1 + 1) × 120 = 480; insurance 1 × 50 = 50.
#[test]
fn clause_3_1_complete_missing_and_value_per_school() {
    use ZeroFeeItem::*;
    let owed = vec![owed("1", "A"), owed("2", "A"), owed("3", "A")];
    let issues = vec![
        issue("1", "A", TeachingMaterials, 1),
        issue("1", "A", SchoolUniform, 2),
        issue("1", "A", AccidentInsurance, 1),
        issue("2", "A", TeachingMaterials, 1),
        issue("2", "A", SchoolUniform, 1),
        issue("3", "B", SchoolUniform, 1),
        issue("9", "A", SchoolUniform, 1),
    ];
    let got = coverage(&owed, &issues, &rules());
    assert_eq!(
        got.len(),
        1,
        "school B owes nothing and recorded nothing not owed"
    );
    let a = &got[0];
    assert_eq!((a.eligible, a.complete), (3, 1));
    let count = |i| a.items.get(&i).copied().unwrap_or_default();
    assert_eq!(
        count(TeachingMaterials),
        ItemCount {
            owed: 3,
            issued: 2,
            value: Fen::from_yuan(160)
        }
    );
    assert_eq!(
        count(SchoolUniform),
        ItemCount {
            owed: 3,
            issued: 3,
            value: Fen::from_yuan(480)
        }
    );
    assert_eq!(
        count(AccidentInsurance),
        ItemCount {
            owed: 3,
            issued: 1,
            value: Fen::from_yuan(50)
        }
    );
    let missing: Vec<(&str, &[ZeroFeeItem])> = a
        .missing
        .iter()
        .map(|m| (m.id_number.as_str(), m.items.as_slice()))
        .collect();
    assert_eq!(
        missing,
        vec![
            ("2", &[AccidentInsurance][..]),
            ("3", &[TeachingMaterials, AccidentInsurance][..]),
        ]
    );
    assert_eq!(a.not_owed.len(), 1);
    assert_eq!(a.not_owed[0].id_number, "9");
}

/// A student owed only some items (a county may narrow one item's condition) is complete with
/// those; an item issued that they are not owed is listed as not owed. A student owed nothing
/// is not eligible.
#[test]
fn clause_3_1_only_the_items_owed_count() {
    use ZeroFeeItem::*;
    let mut o = owed("1", "A");
    o.items = vec![SchoolUniform];
    let mut nothing = owed("2", "A");
    nothing.items.clear();
    let issues = vec![
        issue("1", "A", SchoolUniform, 1),
        issue("1", "A", AccidentInsurance, 1),
    ];
    let got = coverage(&[o, nothing], &issues, &rules());
    let a = &got[0];
    assert_eq!((a.eligible, a.complete), (1, 1));
    assert!(a.missing.is_empty());
    assert_eq!(a.not_owed.len(), 1);
    assert_eq!(a.not_owed[0].item, AccidentInsurance);
    assert!(!a.items.contains_key(&AccidentInsurance));
}

/// The county total adds schools up.
#[test]
fn totals_add_schools() {
    use ZeroFeeItem::*;
    let owed = vec![owed("1", "A"), owed("2", "B")];
    let issues = vec![issue("2", "B", SchoolUniform, 1)];
    let schools = coverage(&owed, &issues, &rules());
    let t = total(&schools);
    assert_eq!((t.eligible, t.complete, t.missing.len()), (2, 0, 2));
    assert_eq!(t.items[&SchoolUniform].issued, 1);
    assert_eq!(t.items[&SchoolUniform].value, Fen::from_yuan(120));
}
