//! The same person or school twice in one file.

use crate::fixtures::*;
use zizhu_domain::ListKind;

#[test]
fn same_id_twice_in_every_person_list_names_the_first_row() {
    let cases = [
        (
            ListKind::PoorHouseholds,
            "户编号,姓名,身份证号,贫困状态",
            "36073100101,张小明,{},已脱贫",
        ),
        (ListKind::Dibao, "姓名,身份证号,城乡类别", "张小明,{},农村"),
        (ListKind::Tekun, "姓名,身份证号,城乡类别", "张小明,{},城市"),
        (
            ListKind::UrbanHardship,
            "姓名,身份证号,开始日期",
            "张小明,{},2023-01-01",
        ),
        (
            ListKind::Disabled,
            "姓名,身份证号,残疾人证号",
            "张小明,{},{}11",
        ),
    ];
    for (kind, head, row) in cases {
        let a = row.replace("{}", &id_a());
        let b = row.replace("{}", &id_b());
        let text = lines(&[head, &a, &b, &a]);
        let (_, out) = import(kind, "名单.csv", text.as_bytes());
        assert_eq!(records(&out).len(), 2, "{kind:?}");
        let e = errors(&out);
        assert_eq!(e.len(), 1, "{kind:?}: {e:?}");
        assert_eq!(
            (e[0].row, e[0].column.as_str()),
            (4, "身份证号"),
            "{kind:?}"
        );
        assert_eq!(e[0].reason, "身份证件号与第2行重复", "{kind:?}");
    }
}

#[test]
fn student_twice_at_one_school_is_an_error_at_two_schools_allowed() {
    let row = |school: &str| format!("张小明,{},G{},{school},3,是,在读", id_a(), id_a());
    let text = lines(&[
        "姓名,身份证件号,学籍号,学校标识码,年级,是否住校,学籍状态",
        &row("3607000001"),
        &row("3607000002"),
        &row("3607000001"),
    ]);
    let (_, out) = import(ListKind::Students, "学籍.csv", text.as_bytes());
    assert_eq!(records(&out).len(), 2);
    let e = errors(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].row, e[0].reason.as_str()),
        (4, "同一学校内身份证件号与第2行重复")
    );
}

#[test]
fn school_code_twice() {
    let text = lines(&[
        "学校标识码,学校名称,办学类型,办学性质,所在乡镇",
        "3607000001,第一小学,小学,公办,梅江镇",
        "'3607000001,第一小学（重复）,小学,公办,梅江镇",
    ]);
    let (_, out) = import(ListKind::Schools, "学校.csv", text.as_bytes());
    let e = errors(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].row, e[0].column.as_str(), e[0].reason.as_str()),
        (3, "学校标识码", "学校标识码与第2行重复")
    );
}

#[test]
fn college_admission_same_person_in_two_years_is_allowed() {
    let text = lines(&[
        "考生号,姓名,身份证号,录取院校,院校所在省份,录取年份",
        &format!("22360731150001,张小明,{},南昌大学,江西,2022", id_a()),
        &format!("23360731150001,张小明,{},北京大学,北京,2023", id_a()),
        &format!("23360731150001,张小明,{},北京大学,北京,2023", id_a()),
    ]);
    let (_, out) = import(ListKind::CollegeAdmissions, "录取.csv", text.as_bytes());
    assert_eq!(records(&out).len(), 2);
    let e = errors(&out);
    assert_eq!(
        (e[0].row, e[0].reason.as_str()),
        (4, "同一录取年份内身份证件号与第3行重复")
    );
}
