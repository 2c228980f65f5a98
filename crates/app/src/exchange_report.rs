//! The teacher exchange workbook (交流轮岗, 三(三)): per school, per assignment and per teacher,
//! with ID numbers masked.

use crate::exchange::ExchangeReport;
use crate::AppError;
use std::collections::BTreeMap;
use std::path::Path;

/// A teacher's ID as the report shows it: masked.
pub fn masked_id(id: &str) -> String {
    zizhu_domain::IdNumber::parse(id).map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked())
}

/// `name（code）`, or the code alone for a school not in the school list.
pub fn school_label(name: &str, code: &str) -> String {
    if name.is_empty() {
        format!("{code}（不在学校名单中）")
    } else {
        format!("{name}（{code}）")
    }
}

/// Writes the report: 各校, 交流明细 and 各教师 sheets.
pub fn write_report(path: &Path, title: &str, r: &ExchangeReport) -> Result<(), AppError> {
    use zizhu_io::tables::{write_tables, Cell, Sheet};
    let text = |s: String| Cell::Text(s);
    let header = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let schools = r
        .schools
        .iter()
        .map(|s| {
            vec![
                text(s.code.clone()),
                text(s.name.clone()),
                text(s.township.clone()),
                text(s.kind.clone()),
                text(s.area.clone()),
                Cell::Int(s.sums.sent.whole as i64),
                text(s.sums.sent.display()),
                Cell::Int(s.sums.received.whole as i64),
                text(s.sums.received.display()),
                Cell::Int(s.sums.sent_due as i64),
                Cell::Int(s.sums.sent_ended as i64),
            ]
        })
        .collect();
    let detail = r
        .assignments
        .iter()
        .map(|a| {
            let x = &a.checked.assignment;
            vec![
                text(x.name.clone()),
                text(masked_id(&x.id_number)),
                text(school_label(&a.from_name, &x.from_school)),
                text(school_label(&a.to_name, &x.to_school)),
                text(x.start.to_string()),
                text(x.end.to_string()),
                text(a.checked.standing.zh().to_string()),
                text(if a.findings.is_empty() {
                    format!("符合（{}）", r.direction)
                } else {
                    a.findings.join("；")
                }),
                text(if a.listed { "是" } else { "否" }.to_string()),
            ]
        })
        .collect();
    let mut by_teacher: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for a in &r.assignments {
        let x = &a.checked.assignment;
        by_teacher
            .entry((x.name.clone(), masked_id(&x.id_number)))
            .or_default()
            .push(format!(
                "{}→{}（{} 至 {}，{}）",
                school_label(&a.from_name, &x.from_school),
                school_label(&a.to_name, &x.to_school),
                x.start,
                x.end,
                a.checked.standing.zh()
            ));
    }
    let teachers = by_teacher
        .into_iter()
        .map(|((name, id), list)| {
            vec![
                text(name),
                text(id),
                Cell::Int(list.len() as i64),
                text(list.join("；")),
            ]
        })
        .collect();
    let sheets = [
        Sheet {
            name: "各校".into(),
            title: format!(
                "{title}（{}：{}学年 {} 至 {}，截至 {}；{}交流占比 = 符合人数/人数）",
                r.clause, r.year, r.first_day, r.last_day, r.as_of, r.direction
            ),
            header: vec![
                "学校标识码".into(),
                "学校名称".into(),
                "乡镇".into(),
                "学校类型".into(),
                "城乡类型".into(),
                "派出人数".into(),
                format!("派出中{}", r.direction),
                "接收人数".into(),
                format!("接收中{}", r.direction),
                "派出即将期满".into(),
                "派出已期满".into(),
            ],
            widths: vec![
                14.0, 24.0, 12.0, 14.0, 10.0, 10.0, 18.0, 10.0, 18.0, 12.0, 12.0,
            ],
            rows: schools,
        },
        Sheet {
            name: "交流明细".into(),
            title: format!(
                "{title}：交流明细（结束前 {} 日内为即将期满）",
                r.notice_days
            ),
            header: header(&[
                "姓名",
                "身份证件号",
                "派出学校",
                "接收学校",
                "开始日期",
                "结束日期",
                "状态",
                "核查",
                "在教师名单中",
            ]),
            widths: vec![10.0, 22.0, 30.0, 30.0, 12.0, 12.0, 18.0, 50.0, 12.0],
            rows: detail,
        },
        Sheet {
            name: "各教师".into(),
            title: format!("{title}：各教师的交流"),
            header: header(&["姓名", "身份证件号", "交流次数", "交流记录"]),
            widths: vec![10.0, 22.0, 10.0, 90.0],
            rows: teachers,
        },
    ];
    write_tables(path, &sheets).map_err(|e| AppError::Other(format!("写入交流轮岗统计表失败：{e}")))
}
