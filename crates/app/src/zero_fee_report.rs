//! The zero-fee workbook (零收费发放情况, 三(一)): per school (eligible, issued per item, complete,
//! missing, value) and the students lacking an item, IDs masked; issues to students not owed
//! them on a sheet of their own. Never the hardship category.

use crate::zero_fee::ZeroFeeReport;
use crate::AppError;
use std::path::Path;
use zizhu_domain::zero_fee::ZeroFeeItem;

/// An ID number as a report shows it: masked (`360731**********1X`).
pub fn masked_id(id: &str) -> String {
    zizhu_domain::IdNumber::parse(id).map_or_else(
        |_| zizhu_domain::ids::mask_long_digits(id),
        |(i, _)| i.masked(),
    )
}

/// Names of `items`, joined.
pub fn item_names(items: &[ZeroFeeItem]) -> String {
    items.iter().map(|i| i.zh()).collect::<Vec<_>>().join("、")
}

/// Writes `r` as a workbook at `path`.
pub fn write_report(path: &Path, title: &str, r: &ZeroFeeReport) -> Result<(), AppError> {
    use zizhu_io::tables::{write_tables, Cell, Sheet};
    let text = |s: &str| Cell::Text(s.to_string());
    let mut header: Vec<String> = [
        "学校标识码",
        "学校名称",
        "乡镇",
        "应享受人数",
        "全部发放人数",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in &r.items {
        header.push(format!("{}已发放（{}）", i.item.zh(), i.clause));
        header.push(format!("{}折合元", i.item.zh()));
    }
    header.push("缺发人数".into());
    header.push("非应享受对象发放".into());
    let row =
        |code: &str, name: &str, township: &str, c: &zizhu_domain::zero_fee::SchoolCoverage| {
            let mut v = vec![
                text(code),
                text(name),
                text(township),
                Cell::Int(i64::from(c.eligible)),
                Cell::Int(i64::from(c.complete)),
            ];
            for i in &r.items {
                let n = c.items.get(&i.item).copied().unwrap_or_default();
                v.push(text(&format!("{}/{}", n.issued, n.owed)));
                v.push(text(&n.value.to_string()));
            }
            v.push(Cell::Int(c.missing.len() as i64));
            v.push(Cell::Int(c.not_owed.len() as i64));
            v
        };
    let mut schools: Vec<Vec<Cell>> = r
        .schools
        .iter()
        .map(|s| row(&s.coverage.school_code, &s.name, &s.township, &s.coverage))
        .collect();
    schools.push(row("合计", "", "", &r.total));
    let mut missing = Vec::new();
    let mut not_owed = Vec::new();
    for s in &r.schools {
        for m in &s.coverage.missing {
            missing.push(vec![
                text(&s.coverage.school_code),
                text(&s.name),
                text(&m.name),
                text(&masked_id(&m.id_number)),
                text(&item_names(&m.items)),
            ]);
        }
        for i in &s.coverage.not_owed {
            not_owed.push(vec![
                text(&s.coverage.school_code),
                text(&s.name),
                text(&i.name),
                text(&masked_id(&i.id_number)),
                text(i.item.zh()),
                text(&i.issued_on.to_string()),
                Cell::Int(i64::from(i.quantity)),
            ]);
        }
    }
    let basis = r
        .items
        .iter()
        .map(|i| format!("{} {}：{}", i.clause, i.name, i.explanation))
        .collect::<Vec<_>>()
        .join("；");
    let mut widths = vec![14.0, 24.0, 12.0, 12.0, 14.0];
    widths.extend(std::iter::repeat_n(16.0, r.items.len() * 2));
    widths.extend([10.0, 16.0]);
    let head = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let sheets = [
        Sheet {
            name: "各校汇总".into(),
            title: format!(
                "{title}（{}学年；应享受对象按{}基准日 {} 的学籍与名单认定；{basis}）",
                r.year,
                r.term.label_zh(),
                r.reference_date
            ),
            header,
            widths,
            rows: schools,
        },
        Sheet {
            name: "缺发名单".into(),
            title: format!("{title}：应享受而未发放的学生（三(一)）"),
            header: head(&["学校标识码", "学校名称", "姓名", "身份证件号", "缺发项目"]),
            widths: vec![14.0, 24.0, 10.0, 22.0, 40.0],
            rows: missing,
        },
        Sheet {
            name: "非应享受对象发放".into(),
            title: format!("{title}：发给非应享受对象的记录（不计入覆盖）"),
            header: head(&[
                "学校标识码",
                "学校名称",
                "姓名",
                "身份证件号",
                "项目",
                "发放日期",
                "数量",
            ]),
            widths: vec![14.0, 24.0, 10.0, 22.0, 24.0, 12.0, 8.0],
            rows: not_owed,
        },
    ];
    write_tables(path, &sheets).map_err(|e| AppError::Other(format!("写入零收费发放表失败：{e}")))
}
