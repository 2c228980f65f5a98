//! ID numbers as they arrive: damaged by Excel, 15-digit old numbers, permits and foreigners' IDs,
//! IME full-width input, and digit codes in numeric cells.

use crate::fixtures::X::{N, O, S};
use crate::fixtures::*;
use zizhu_domain::{IdKind, ListKind, ListRecord, PoorHouseholdMember};

fn members(outcomes: &[zizhu_io::RowOutcome]) -> Vec<PoorHouseholdMember> {
    records(outcomes)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::PoorMember(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn poor_xlsx(rows: Vec<Vec<X>>) -> Vec<u8> {
    let mut all = vec![vec![
        S("户编号"),
        S("姓名"),
        S("身份证号"),
        S("与户主关系"),
        S("贫困状态"),
    ]];
    all.extend(rows);
    xlsx(None, &all)
}

#[test]
fn eighteen_digit_id_stored_as_number_is_rejected() {
    let id: f64 = id_a().parse().unwrap();
    let bytes = poor_xlsx(vec![vec![
        S("36073100101"),
        S("张小明"),
        N(id),
        S("户主"),
        S("已脱贫"),
    ]]);
    let (_, out) = import(ListKind::PoorHouseholds, "脱贫户.xlsx", &bytes);
    let e = errors(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].row, 2);
    assert_eq!(e[0].column, "身份证号");
    assert!(e[0].reason.contains("超过15位"), "{}", e[0].reason);
}

#[test]
fn scientific_notation_text_is_rejected() {
    let bytes = poor_xlsx(vec![vec![
        S("36073100101"),
        S("张小明"),
        S("3.60731E+17"),
        S("户主"),
        S("已脱贫"),
    ]]);
    let (_, out) = import(ListKind::PoorHouseholds, "脱贫户.xlsx", &bytes);
    let e = errors(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].value, "3.60731E+17");
    assert!(e[0].reason.contains("科学计数法"), "{}", e[0].reason);
}

#[test]
fn fifteen_digit_ids_are_upgraded_with_a_warning() {
    // Vector from the GB 11643 test suites: 610104620927690 → 610104196209276908.
    let bytes = poor_xlsx(vec![
        vec![
            S("36073100101"),
            S("张大山"),
            N(610104620927690.0),
            S("户主"),
            S("已脱贫"),
        ],
        vec![
            S("36073100101"),
            S("张小山"),
            S("610104620927690"),
            S("之子"),
            S("已脱贫"),
        ],
    ]);
    let (_, out) = import(ListKind::PoorHouseholds, "脱贫户.xlsx", &bytes);
    let m = members(&out);
    assert_eq!(m.len(), 1, "the same upgraded number twice is a duplicate");
    assert_eq!(m[0].id.as_str(), "610104196209276908");
    assert_eq!(m[0].id.kind(), IdKind::UpgradedFrom15);
    let w = warnings(&out);
    assert_eq!(w.len(), 2);
    assert!(
        w[0].reason.contains("15位旧身份证号 610104620927690"),
        "{}",
        w[0].reason
    );
    assert_eq!(errors(&out)[0].reason, "身份证件号与第2行重复");
}

#[test]
fn permits_and_foreigner_ids_are_accepted() {
    let macao = make_id("820000", "20050101", "002");
    let text = lines(&[
        "姓名,身份证号,城乡类别",
        "陈小港,810000199408230021,城市",
        &format!("何小澳,{macao},城市"),
        "林小台,830000199201300022,城市",
        "ANNA TEST,911398199012310021,城市",
    ]);
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    assert_eq!(errors(&out), vec![]);
    let kinds: Vec<IdKind> = records(&out)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::Assistance(a) => Some(a.id.kind()),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            IdKind::HkMacaoTaiwanPermit,
            IdKind::HkMacaoTaiwanPermit,
            IdKind::HkMacaoTaiwanPermit,
            IdKind::ForeignPermanentResident
        ]
    );
}

#[test]
fn ime_full_width_lower_case_x_and_apostrophe() {
    let x_id = (0..1000)
        .map(|s| make_id("360731", "20110305", &format!("{s:03}")))
        .find(|i| i.ends_with('X'))
        .unwrap();
    let full_width: String = id_a()
        .chars()
        .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap())
        .collect();
    let text = lines(&[
        "姓名,身份证号,城乡类别",
        &format!("张一,{}　,农村", full_width),
        &format!("张二,{},农村", x_id.to_lowercase()),
        &format!("张三,'{},农村", id_b()),
    ]);
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    assert_eq!(errors(&out), vec![]);
    let ids: Vec<String> = records(&out)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::Assistance(a) => Some(a.id.as_str().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, [id_a(), x_id, id_b()]);
}

#[test]
fn bad_checksum_is_reported_with_the_expected_character() {
    let good = id_a();
    let last = good.chars().last().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    let bad = format!("{}{}", &good[..17], wrong);
    let text = lines(&["姓名,身份证号,城乡类别", &format!("张小明,{bad},农村")]);
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    let e = errors(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].value, bad);
    assert!(
        e[0].reason.contains(&format!("校验位应为 {last}")),
        "{}",
        e[0].reason
    );
}

#[test]
fn digit_codes_in_numeric_cells() {
    let bytes = poor_xlsx(vec![
        vec![
            N(36073100101.0),
            S("张小明"),
            O(id_a()),
            S("户主"),
            S("已脱贫"),
        ],
        vec![
            N(3607310010100001.0),
            S("李小红"),
            O(id_b()),
            S("户主"),
            S("已脱贫"),
        ],
        vec![N(12.5), S("王小刚"), O(id_c()), S("户主"), S("已脱贫")],
    ]);
    let (_, out) = import(ListKind::PoorHouseholds, "脱贫户.xlsx", &bytes);
    let m = members(&out);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].household_no, "36073100101");
    let e = errors(&out);
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].row, e[0].column.as_str()), (3, "户编号"));
    assert!(e[0].reason.contains("超过15位"), "{}", e[0].reason);
    assert_eq!(e[1].row, 4);
    assert!(e[1].reason.contains("不能是小数"), "{}", e[1].reason);
}
