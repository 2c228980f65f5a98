//! The demo's normal-school targeted admission (三(二)): the admissions office's two lists for
//! 2023 made from the demo county's ninth-graders (synthetic scores), imported like any list,
//! and the year analysed.

use std::fmt::Write as _;
use std::path::Path;
use zizhu_domain::{ListKind, Season, Term};
use zizhu_policy::Policy;
use zizhu_store::Db;

/// Categories of the "三定向" plan with their 2023 line and floor (synthetic).
const LINES: &str = "年份,专业类别,最低控制分数线,省定最低分,计分科目总分,总分比例\n\
2023,小学全科教师,530,,800,60%\n\
2023,初中语文教师,495,480,,\n\
2023,学前教育教师,505,,800,60%\n";

const CATEGORIES: [&str; 3] = ["小学全科教师", "初中语文教师", "学前教育教师"];

/// A deterministic number from an ID (the demo's scores are synthetic, the same every run).
fn spread(id: &str, salt: u64) -> u64 {
    id.bytes().fold(1469598103934665603u64 ^ salt, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    })
}

pub async fn admission(
    db: &Db,
    policy: &Policy,
    actor: &str,
    files_dir: &Path,
    reports_dir: &Path,
) -> anyhow::Result<()> {
    let Some(section) = policy.file.admission.as_ref() else {
        println!("  政策文件没有 [admission] 节，跳过");
        return Ok(());
    };
    // Ninth-graders of autumn 2023: every registered-poor one and about one in twenty others.
    let term = Term::new(2023, Season::Autumn);
    let mut ninth = Vec::new();
    let mut after = 0;
    loop {
        let page = db.student_page(term, after, 20_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        ninth.extend(
            page.into_iter()
                .filter(|s| s.record.grade == 9)
                .map(|s| (s.record.id.as_str().to_string(), s.record.name)),
        );
    }
    let ids: Vec<String> = ninth.iter().map(|(i, _)| i.clone()).collect();
    let poor = db.registered_poor_among(&ids, true).await?;
    let mut applicants =
        String::from("年份,姓名,身份证件号,报考类别,中考成绩,是否应届,户籍在本县\n");
    let mut n = 0;
    // A student registered at two schools (the demo has some) applies once.
    let mut seen = std::collections::HashSet::new();
    for (id, name) in &ninth {
        if !seen.insert(id) {
            continue;
        }
        let h = spread(id, 7);
        if !poor.contains(id) && !h.is_multiple_of(20) {
            continue;
        }
        let category = CATEGORIES[(h / 20 % 3) as usize];
        // 470–549.5 in half points.
        let score = 4700 + (spread(id, 11) % 160) * 5;
        let fresh = if spread(id, 13).is_multiple_of(10) {
            "否"
        } else {
            "是"
        };
        let local = if spread(id, 17).is_multiple_of(12) {
            "否"
        } else {
            "是"
        };
        let _ = writeln!(
            applicants,
            "2023,{name},{id},{category},{}.{},{fresh},{local}",
            score / 10,
            score % 10
        );
        n += 1;
    }
    let lines_file = files_dir.join("师范定向控制线-2023.csv");
    let people_file = files_dir.join("师范定向考生-2023.csv");
    std::fs::write(&lines_file, LINES)?;
    std::fs::write(&people_file, applicants)?;
    for (kind, file) in [
        (ListKind::AdmissionLines, lines_file),
        (ListKind::AdmissionApplicants, people_file),
    ] {
        crate::cmd_demo::import_list(db, kind, &file, actor, reports_dir).await?;
    }
    let r = zizhu_app::admission::evaluate(db, section, 2023).await?;
    let out = reports_dir.join("2023-师范定向录取分析.xlsx");
    let title = format!(
        "{}2023年师范“三定向”录取分析",
        policy.file.policy.county_name
    );
    zizhu_app::admission::write_report(&out, &title, &r)?;
    println!(
        "  考生 {n} 人（初三学生，成绩为虚构）；{}：最低控制分数线下降 {} 分，不低于省定最低分",
        r.clause, r.lowering_points
    );
    for c in &r.categories {
        println!(
            "  {}：控制线 {}，降分后 {}{}；考生 {} 人，达线 {} 人，其中因降分达线 {} 人",
            c.line.category,
            c.line.control_line,
            c.lowered,
            if c.floor_binding {
                "（按省定最低分）"
            } else {
                ""
            },
            c.applicants,
            c.qualify,
            c.only_by_lowering
        );
    }
    Ok(())
}
