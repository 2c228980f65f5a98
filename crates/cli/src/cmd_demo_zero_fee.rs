//! The demo's zero fees (零收费, 三(一)): the schools' issue lists for school year 2023 made from
//! the students the policy owes (a few deliberately lacking an item), imported like any list,
//! and the coverage printed.

use std::fmt::Write as _;
use std::path::Path;
use zizhu_domain::zero_fee::ZeroFeeItem;
use zizhu_domain::ListKind;
use zizhu_policy::Policy;
use zizhu_store::Db;

/// A deterministic number from an ID (the same every run).
fn spread(id: &str, salt: u64) -> u64 {
    id.bytes().fold(1469598103934665603u64 ^ salt, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    })
}

pub async fn zero_fee(
    db: &Db,
    policy: &Policy,
    actor: &str,
    files_dir: &Path,
    reports_dir: &Path,
) -> anyhow::Result<()> {
    if policy.file.provisions.is_empty() {
        println!("  政策文件没有零收费项目（[[provision]]），跳过");
        return Ok(());
    }
    let year = 2023;
    let (owed, _, _) = zizhu_app::zero_fee::owed(db, policy, year).await?;
    let mut csv =
        String::from("学年,学校标识码,身份证件号,姓名,项目,发放日期,数量,承保单位,保单号\n");
    let mut skipped = 0;
    for (n, o) in owed.iter().enumerate() {
        // About one student in fifteen lacks one item (which one follows from the ID).
        let h = spread(&o.id_number, 3);
        let lacking = h
            .is_multiple_of(15)
            .then(|| o.items[(h / 15 % o.items.len() as u64) as usize]);
        for &item in &o.items {
            if Some(item) == lacking {
                skipped += 1;
                continue;
            }
            let (day, quantity, insurer, policy_no) = match item {
                ZeroFeeItem::TeachingMaterials => ("2023-09-01", 1, "", String::new()),
                ZeroFeeItem::SchoolUniform => ("2023-09-15", 2, "", String::new()),
                ZeroFeeItem::AccidentInsurance => (
                    "2023-09-10",
                    1,
                    "演示保险公司于都支公司",
                    format!("DEMO2023{:06}", n + 1),
                ),
            };
            let _ = writeln!(
                csv,
                "{year}学年,{},{},{},{},{day},{quantity},{insurer},{policy_no}",
                o.school_code,
                o.id_number,
                o.name,
                item.zh()
            );
        }
    }
    let file = files_dir.join("零收费发放记录-2023学年.csv");
    std::fs::write(&file, csv)?;
    let o = crate::cmd_demo::import_list(db, ListKind::ZeroFeeIssues, &file, actor, reports_dir)
        .await?;
    let r = zizhu_app::zero_fee::evaluate(db, policy, year).await?;
    let title = format!(
        "{}{year}学年义务教育建档立卡学生“零收费”发放情况",
        policy.file.policy.county_name
    );
    zizhu_app::zero_fee_report::write_report(
        &reports_dir.join(format!("{year}学年-零收费发放情况.xlsx")),
        &title,
        &r,
    )?;
    let t = &r.total;
    println!(
        "  {year}学年：{} 所学校的发放清单 {} 行（演示中故意少发 {skipped} 项）；应享受 {} 人，全部发放 {} 人，缺发 {} 人",
        r.schools.len(),
        o.rows,
        t.eligible,
        t.complete,
        t.missing.len()
    );
    for i in &r.items {
        let c = t.items.get(&i.item).copied().unwrap_or_default();
        println!(
            "  {} {}：已发放 {}/{} 人，折合 {} 元",
            i.clause,
            i.item.zh(),
            c.issued,
            c.owed,
            c.value
        );
    }
    Ok(())
}
