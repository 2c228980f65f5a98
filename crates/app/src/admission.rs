//! Normal-school targeted admission (师范“三定向”录取优惠, 三(二)): each applicant of a year against
//! their category's line — lowered by the policy's points for registered-poor fresh graduates of
//! the county, not below the provincial floor — with who qualifies only because of it.

use crate::AppError;
use std::collections::BTreeMap;
use std::path::Path;
use zizhu_domain::admission::{decide, lowered_line, Applicant, CategoryLine, Decision};
use zizhu_policy::admission::AdmissionSection;
use zizhu_store::Db;

/// One applicant's result.
#[derive(Debug, Clone)]
pub struct AdmissionRow {
    pub applicant: Applicant,
    /// A member of a registered-poor household (matched by ID in the 建档立卡 list).
    pub registered_poor: bool,
    /// `None` when the year has no line for the applicant's category.
    pub decision: Option<Decision>,
}

/// One category of a year in sums.
#[derive(Debug, Clone)]
pub struct CategorySums {
    pub line: CategoryLine,
    /// The lowered line for those eligible, and whether the floor bound it.
    pub lowered: zizhu_domain::admission::Score,
    pub floor_binding: bool,
    pub applicants: usize,
    pub eligible: usize,
    pub qualify: usize,
    pub only_by_lowering: usize,
}

/// A year's admission report.
#[derive(Debug, Clone, Default)]
pub struct AdmissionReport {
    pub year: i32,
    pub clause: String,
    pub lowering_points: u32,
    pub categories: Vec<CategorySums>,
    pub rows: Vec<AdmissionRow>,
    /// Applicants whose category has no line this year.
    pub without_line: usize,
}

/// Decides every applicant of `year` (三(二)).
///
/// Errors: the year has no control line at all, or the store's.
pub async fn evaluate(
    db: &Db,
    section: &AdmissionSection,
    year: i32,
) -> Result<AdmissionReport, AppError> {
    let lines = db.admission_lines(year).await?;
    if lines.is_empty() {
        return Err(AppError::Other(format!(
            "{year}年没有师范定向控制线：先导入（zizhu import admission_lines 文件）"
        )));
    }
    let applicants = db.admission_applicants(year).await?;
    let ids: Vec<String> = applicants.iter().map(|a| a.id_number.clone()).collect();
    let poor = db
        .registered_poor_among(&ids, section.include_exited)
        .await?;
    let lowering = section.lowering();
    let mut sums: BTreeMap<String, CategorySums> = lines
        .iter()
        .map(|l| {
            let (lowered, floor_binding) = lowered_line(l, lowering);
            (
                l.category.clone(),
                CategorySums {
                    line: l.clone(),
                    lowered,
                    floor_binding,
                    applicants: 0,
                    eligible: 0,
                    qualify: 0,
                    only_by_lowering: 0,
                },
            )
        })
        .collect();
    let mut report = AdmissionReport {
        year,
        clause: section.clause.clone(),
        lowering_points: section.lowering_points,
        ..AdmissionReport::default()
    };
    for a in applicants {
        let registered_poor = poor.contains(&a.id_number);
        let decision = sums.get_mut(&a.category).map(|s| {
            let d = decide(&a, &s.line, lowering, registered_poor);
            s.applicants += 1;
            s.eligible += usize::from(d.lowered_line.is_some());
            s.qualify += usize::from(d.qualifies);
            s.only_by_lowering += usize::from(d.only_by_lowering);
            d
        });
        report.without_line += usize::from(decision.is_none());
        report.rows.push(AdmissionRow {
            applicant: a,
            registered_poor,
            decision,
        });
    }
    report.categories = sums.into_values().collect();
    Ok(report)
}

/// Writes the report as a workbook: per category (line, floor, lowered line, counts) and per
/// applicant (IDs masked; the hardship category is not shown, only whether the lowered line
/// applies and why not).
pub fn write_report(path: &Path, title: &str, r: &AdmissionReport) -> Result<(), AppError> {
    use zizhu_io::tables::{write_tables, Cell, Sheet};
    let text = |s: String| Cell::Text(s);
    let categories = r
        .categories
        .iter()
        .map(|c| {
            vec![
                text(c.line.category.clone()),
                text(c.line.control_line.to_string()),
                text(c.line.floor.score().to_string()),
                text(format!(
                    "{}{}",
                    c.lowered,
                    if c.floor_binding {
                        "（按省定最低分）"
                    } else {
                        ""
                    }
                )),
                Cell::Int(c.applicants as i64),
                Cell::Int(c.eligible as i64),
                Cell::Int(c.qualify as i64),
                Cell::Int(c.only_by_lowering as i64),
            ]
        })
        .collect();
    let people = r
        .rows
        .iter()
        .map(|row| {
            let a = &row.applicant;
            let id = zizhu_domain::IdNumber::parse(&a.id_number)
                .map_or_else(|_| "（证件号无效）".into(), |(i, _)| i.masked());
            let (line, result, why) = match &row.decision {
                None => (
                    String::new(),
                    "无该类别的控制线".to_string(),
                    "无该类别的控制线，无法判断".to_string(),
                ),
                Some(d) => (
                    d.lowered_line.unwrap_or(d.control_line).to_string(),
                    if d.only_by_lowering {
                        "达到降分后的录取分数线（因本政策）"
                    } else if d.qualifies {
                        "达到录取最低控制分数线"
                    } else {
                        "未达到录取分数线"
                    }
                    .to_string(),
                    d.not_eligible
                        .iter()
                        .map(|n| n.zh())
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
            };
            vec![
                text(a.category.clone()),
                text(a.name.clone()),
                text(id),
                text(a.score.to_string()),
                text(line),
                text(result),
                text(match (&row.decision, why.is_empty()) {
                    (None, _) => why,
                    (Some(_), true) => "适用降分".to_string(),
                    (Some(_), false) => format!("不适用降分：{why}"),
                }),
            ]
        })
        .collect();
    let header = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let sheets = [
        Sheet {
            name: "各类别".into(),
            title: format!(
                "{title}（{}：最低控制分数线下降 {} 分，不低于省定最低分）",
                r.clause, r.lowering_points
            ),
            header: header(&[
                "专业类别",
                "最低控制分数线",
                "省定最低分",
                "降分后录取分数线",
                "考生人数",
                "适用降分人数",
                "达线人数",
                "因降分达线人数",
            ]),
            widths: vec![24.0, 14.0, 12.0, 22.0, 10.0, 12.0, 10.0, 14.0],
            rows: categories,
        },
        Sheet {
            name: "考生明细".into(),
            title: format!("{title}：考生明细"),
            header: header(&[
                "报考类别",
                "姓名",
                "身份证件号",
                "中考成绩",
                "适用的录取分数线",
                "结果",
                "降分政策",
            ]),
            widths: vec![24.0, 10.0, 22.0, 10.0, 16.0, 30.0, 40.0],
            rows: people,
        },
    ];
    write_tables(path, &sheets).map_err(|e| AppError::Other(format!("写入录取分析表失败：{e}")))
}
