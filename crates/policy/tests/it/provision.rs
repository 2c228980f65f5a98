//! The zero-fee provisions of the shipped policy (`[[provision]]`, 三(一)): three items owed to
//! enrolled registered-poor compulsory students (exited households too while
//! keep_policy_after_exit holds), reporting values, and a bad item code refused with its line.

use zizhu_domain::zero_fee::ZeroFeeItem;
use zizhu_domain::{Fen, Season, Stage, Status, Term};
use zizhu_policy::{FactInput, Policy};

fn owed(p: &Policy, f: FactInput) -> Vec<ZeroFeeItem> {
    let tp = p.compile(Term::new(2023, Season::Autumn)).unwrap();
    tp.provisions
        .iter()
        .filter(|x| x.when.holds(f.facts().0))
        .map(|x| x.item)
        .collect()
}

fn student(stage: Stage) -> FactInput {
    FactInput {
        stage: Some(stage),
        status: Some(Status::Enrolled),
        poor_household: true,
        ..FactInput::default()
    }
}

/// 三(一)1–3: a registered-poor primary or junior student enrolled on the reference date is owed
/// all three; an exited household too (keep_policy_after_exit = true in 2023); a senior-high
/// student, a student on leave (裁定6) and a student of no poor household are owed nothing.
#[test]
fn clause_3_1_owed_to_enrolled_registered_poor_compulsory_students() {
    let p = Policy::parse(crate::county2023::POLICY).unwrap();
    assert_eq!(owed(&p, student(Stage::Primary)), ZeroFeeItem::ALL.to_vec());
    assert_eq!(owed(&p, student(Stage::Junior)), ZeroFeeItem::ALL.to_vec());
    let exited = FactInput {
        poor_exited: true,
        ..student(Stage::Junior)
    };
    assert_eq!(owed(&p, exited.clone()).len(), 3);
    assert!(owed(&p, student(Stage::Senior)).is_empty());
    let on_leave = FactInput {
        status: Some(Status::Suspended),
        ..student(Stage::Primary)
    };
    assert!(owed(&p, on_leave).is_empty());
    let not_poor = FactInput {
        poor_household: false,
        dibao_rural: true,
        ..student(Stage::Primary)
    };
    assert!(owed(&p, not_poor).is_empty());
    // A county that ends 脱贫不脱政策 owes an exited household nothing.
    let strict = crate::county2023::POLICY.replace(
        "values = [{ from = \"2023-01-01\", value = true }]",
        "values = [{ from = \"2023-01-01\", value = false }]",
    );
    let strict = Policy::parse(&strict).unwrap();
    assert!(owed(&strict, exited).is_empty());
    let tp = p.compile(Term::new(2023, Season::Autumn)).unwrap();
    let values: Vec<(&str, Fen)> = tp
        .provisions
        .iter()
        .map(|x| (x.clause.as_str(), x.unit_value))
        .collect();
    assert_eq!(
        values,
        vec![
            ("三(一)1", Fen::from_yuan(80)),
            ("三(一)2", Fen::from_yuan(120)),
            ("三(一)3", Fen::from_yuan(50)),
        ]
    );
}

/// An unknown item code or one listed twice is refused with its line.
#[test]
fn a_bad_provision_code_is_refused_with_its_line() {
    let bad =
        crate::county2023::POLICY.replace("code = \"school_uniform\"", "code = \"school_bag\"");
    let e = Policy::parse(&bad).unwrap_err();
    assert!(e.message.contains("未知的零收费项目：school_bag"), "{e}");
    assert!(e.line > 0);
    let twice = crate::county2023::POLICY
        .replace("code = \"school_uniform\"", "code = \"teaching_materials\"");
    let e = Policy::parse(&twice).unwrap_err();
    assert!(e.message.contains("零收费项目重复"), "{e}");
}
