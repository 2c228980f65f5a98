//! Dates in every form clerks type them, and names with interpuncts and padding spaces.

use crate::fixtures::X::{D, N, O, S};
use crate::fixtures::*;
use zizhu_domain::{AssistanceEntry, ListKind, ListRecord};

fn entries(outcomes: &[zizhu_io::RowOutcome]) -> Vec<AssistanceEntry> {
    records(outcomes)
        .into_iter()
        .filter_map(|r| match r {
            ListRecord::Assistance(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// A distinct valid ID per row.
fn nth_id(i: usize) -> String {
    make_id("360731", "20100101", &format!("{:03}", i + 1))
}

#[test]
fn every_text_date_form() {
    let forms = [
        "2015-09-01",
        "2015-9-1",
        "2015/9/1",
        "2015.09.01",
        "2015.9.1",
        "20150901",
        "2015年9月1日",
        "2015 年 9 月 1 日",
        "2015年09月01日",
        "２０１５．０９．０１",
        "2015-09-01 00:00:00",
        "2015/9/1 0:00",
    ];
    let mut ls = vec!["姓名,身份证号,城乡类别,开始日期".to_string()];
    ls.extend(forms.iter().enumerate().map(|(i, f)| {
        format!(
            "张{},{},农村,{f}",
            ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "甲", "乙"][i],
            nth_id(i)
        )
    }));
    let refs: Vec<&str> = ls.iter().map(String::as_str).collect();
    let (_, out) = import(ListKind::Dibao, "低保.csv", lines(&refs).as_bytes());
    assert_eq!(errors(&out), vec![]);
    let e = entries(&out);
    assert_eq!(e.len(), forms.len());
    for (entry, form) in e.iter().zip(forms) {
        assert_eq!(entry.valid_from, Some(date(2015, 9, 1)), "{form}");
    }
}

#[test]
fn bad_dates_are_row_errors() {
    let text = lines(&[
        "姓名,身份证号,城乡类别,开始日期,结束日期",
        &format!("张一,{},农村,9月1日,", nth_id(0)),
        &format!("张二,{},农村,2015-02-31,", nth_id(1)),
        &format!("张三,{},农村,明年开春,", nth_id(2)),
        &format!("张四,{},农村,2016-01-01,2015-12-31", nth_id(3)),
    ]);
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    assert_eq!(records(&out), vec![]);
    let e = errors(&out);
    let reasons: Vec<(usize, &str, &str)> = e
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 4);
    assert!(reasons[0].2.starts_with("日期缺少年份"), "{reasons:?}");
    assert!(reasons[1].2.starts_with("日期不存在"), "{reasons:?}");
    assert!(
        reasons[2].2.starts_with("无法识别的日期格式"),
        "{reasons:?}"
    );
    assert_eq!(
        reasons[3],
        (5, "结束日期", "结束日期早于开始日期（2016-01-01）")
    );
}

#[test]
fn date_cells_and_serials_in_xlsx() {
    let rows = vec![
        vec![S("姓名"), S("身份证号"), S("开始日期"), S("结束日期")],
        vec![S("张一"), O(nth_id(0)), D(date(2023, 3, 1)), N(45382.0)],
        vec![S("张二"), O(nth_id(1)), N(60.0), S("2024/12/31")],
    ];
    let (_, out) = import(ListKind::UrbanHardship, "城镇困难.xlsx", &xlsx(None, &rows));
    let e = entries(&out);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].valid_from, Some(date(2023, 3, 1)));
    assert_eq!(e[0].valid_to, Some(date(2024, 3, 31)));
    assert_eq!(e[0].area, zizhu_domain::Area::Urban);
    // Serial 60 is Excel's non-existent 1900-02-29.
    let err = errors(&out);
    assert_eq!(
        (err[0].row, err[0].column.as_str(), err[0].value.as_str()),
        (3, "开始日期", "60")
    );
}

#[test]
fn names_with_interpuncts_and_padding() {
    let text = lines(&[
        "姓名,身份证号,城乡类别",
        &format!("古丽•测试,{},农村", nth_id(0)),
        &format!("阿依．测试,{},农村", nth_id(1)),
        &format!("王　芳,{},农村", nth_id(2)),
        &format!(" 李 四 ,{},农村", nth_id(3)),
        &format!("张3,{},农村", nth_id(4)),
        &format!(",{},农村", nth_id(5)),
    ]);
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    let names: Vec<String> = entries(&out).into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["古丽·测试", "阿依·测试", "王芳", "李四"]);
    let e = errors(&out);
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].row, e[0].reason.as_str()), (6, "姓名含数字“3”"));
    assert_eq!((e[1].row, e[1].reason.as_str()), (7, "必填项为空"));
}

/// Excel's "CSV UTF-8" and WPS save CRLF line ends; row numbers in errors and in the stored
/// rows (the roster cites them) must be the lines the officer sees, also after a blank line.
/// Read from memory and from disk (`import` compares both).
#[test]
fn crlf_files_with_blank_lines_keep_their_row_numbers() {
    let text = [
        "姓名,身份证号,城乡类别".to_string(),
        format!("赵甲,{},农村", nth_id(0)),
        "钱乙,12345,农村".to_string(),
        String::new(),
        format!("孙丙,{},农村", nth_id(1)),
        "李丁,,农村".to_string(),
    ]
    .join("\r\n");
    let (_, out) = import(ListKind::Dibao, "低保.csv", text.as_bytes());
    let rows: Vec<usize> = out.iter().map(|o| o.row).collect();
    assert_eq!(rows, vec![2, 3, 5, 6]);
    let e = errors(&out);
    assert_eq!(
        e.iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect::<Vec<_>>(),
        vec![(3, "身份证号"), (6, "身份证号")]
    );
}
