//! Header rows as county clerks write them: spaces, line breaks, full-width brackets, `*` markers,
//! any column order, extra columns, missing or duplicated columns.

use crate::fixtures::X::{Blank, N, S};
use crate::fixtures::*;
use zizhu_domain::{ApprovalLevel, Area, ListKind, ListRecord, School, SchoolKind};
use zizhu_io::ImportError;

#[test]
fn messy_headers_in_any_order_with_extra_columns() {
    let rows = vec![
        vec![
            S("序号"),
            S("乡镇（街道）"),
            S(" 学校\n名称 "),
            S("学校标识码*"),
            S("备注"),
            S("办学类型："),
            S("是否普惠性\n幼儿园"),
            S("公办/民办"),
            S("审批级别"),
            S("城乡分类"),
        ],
        vec![
            N(1.0),
            S("梅江镇"),
            S("梅江镇中心幼儿园"),
            S("3607000101"),
            Blank,
            S("幼儿园"),
            S("是"),
            S("公办"),
            S("县（区）级"),
            S("镇区"),
        ],
        vec![
            N(2.0),
            S("双溪乡"),
            S("双溪乡中心小学"),
            N(3607000102.0),
            S("新建"),
            S("小学"),
            Blank,
            S("公立"),
            Blank,
            S("乡村"),
        ],
    ];
    let (src, out) = import(
        ListKind::Schools,
        "学校.xlsx",
        &xlsx(Some("XX县学校名单"), &rows),
    );
    assert_eq!(errors(&out), vec![]);
    assert_eq!(src.header_row, 2);
    assert!(
        src.columns
            // As the user reads it in messages: the cell's line break and outer spaces dropped.
            .contains(&("学校名称".to_string(), "学校名称")),
        "{:?}",
        src.columns
    );
    assert_eq!(
        records(&out),
        vec![
            ListRecord::School(School {
                code: "3607000101".into(),
                name: "梅江镇中心幼儿园".into(),
                kind: SchoolKind::Kindergarten,
                public: true,
                township: "梅江镇".into(),
                inclusive: true,
                approval_level: ApprovalLevel::County,
                area: Some(Area::Urban),
            }),
            ListRecord::School(School {
                code: "3607000102".into(),
                name: "双溪乡中心小学".into(),
                kind: SchoolKind::Primary,
                public: true,
                township: "双溪乡".into(),
                inclusive: false,
                approval_level: ApprovalLevel::None,
                area: Some(Area::Rural),
            }),
        ]
    );
}

#[test]
fn header_with_ideographic_spaces_and_line_break_in_csv() {
    let text = lines(&[
        "XX县2023年特困供养人员名单,,,",
        "\"姓　名\",\"身份证\n号码\",城乡 类别,有效期至",
        &format!("张小明,{},农村,2025-12-31", id_a()),
    ]);
    let (src, out) = import(ListKind::Tekun, "特困.csv", text.as_bytes());
    assert_eq!(src.header_row, 2);
    assert_eq!(errors(&out), vec![]);
    // The quoted header spans lines 2–3, so the data record starts on line 4.
    assert_eq!(out[0].row, 4);
}

#[test]
fn missing_required_columns_are_named_in_one_error() {
    let text = lines(&[
        "XX县2023年秋季学期学生名单",
        "填报单位：XX学校",
        "姓名,身份证件号,学校标识码,年级,是否住校,学籍辅号",
        &format!("张小明,{},3607000001,三年级,是,123", id_a()),
    ]);
    let e = open_err(ListKind::Students, "学籍.csv", text.as_bytes());
    assert_eq!(
        e.to_string(),
        "缺少必需的列：学籍号、学籍状态（表头在第3行）"
    );
    assert_eq!(e.code(), "E-IMP-007");
}

#[test]
fn no_header_row_lists_expected_columns() {
    let text = lines(&["这是一份说明", "没有表头", "张小明,123"]);
    let e = open_err(ListKind::Disabled, "残疾人.csv", text.as_bytes());
    assert!(matches!(e, ImportError::NoHeader { .. }));
    assert_eq!(
        e.to_string(),
        "未找到表头：前30行中没有同时包含至少两个预期列名的行。预期的列：姓名*、身份证号*、残疾人证号*、残疾类别、残疾等级"
    );
}

#[test]
fn header_below_row_30_is_not_searched() {
    let mut ls: Vec<String> = (0..30).map(|i| format!("说明{i}")).collect();
    ls.push("姓名,身份证号,城乡类别".into());
    ls.push(format!("张小明,{},农村", id_a()));
    let refs: Vec<&str> = ls.iter().map(String::as_str).collect();
    let e = open_err(ListKind::Dibao, "低保.csv", lines(&refs).as_bytes());
    assert!(matches!(e, ImportError::NoHeader { .. }), "{e:?}");
}

#[test]
fn two_columns_for_one_field_is_an_error() {
    let text = lines(&[
        "姓名,身份证号,证件号码,城乡类别",
        &format!("张小明,{},{},农村", id_a(), id_a()),
    ]);
    let e = open_err(ListKind::Dibao, "低保.csv", text.as_bytes());
    assert_eq!(
        e.to_string(),
        "表头第1行中“身份证号”和“证件号码”都表示“身份证号”，请删除其中一列"
    );
}
