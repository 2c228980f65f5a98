//! The demo follows a few dropout cases after its scan, as a school would (二(二) 劝返复学): the
//! school with the most suspects verifies four of them, confirms them as dropouts and persuades
//! them; three are back at school three weeks later, one is still being persuaded. So the demo's
//! school evaluation has a return rate to show (3 of 4 = 75.0 % at that school).

use chrono::NaiveDate;
use std::collections::BTreeMap;
use zizhu_domain::dropout::{DropoutRules, Move, UserLevel};
use zizhu_store::{Actor, CaseFilter, Db};

/// Follows the cases; returns the school, the cases followed and those returned.
pub(crate) async fn follow_cases(
    db: &Db,
    rules: &DropoutRules,
    actor: &str,
) -> anyhow::Result<Option<(String, usize, usize)>> {
    let cases = db.cases(&CaseFilter::default()).await?;
    let mut by_school: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for c in cases.iter().filter(|c| !c.child.school_code.is_empty()) {
        by_school
            .entry(c.child.school_code.as_str())
            .or_default()
            .push(c.id);
    }
    let Some((school, ids)) = by_school.into_iter().max_by_key(|(_, ids)| ids.len()) else {
        return Ok(None);
    };
    let who = Actor {
        name: actor.to_string(),
        level: UserLevel::School,
        origin: None,
    };
    let day = |m, d| NaiveDate::from_ymd_opt(2023, m, d).ok_or_else(|| anyhow::anyhow!("日期"));
    let mut followed = 0;
    let mut returned = 0;
    for (n, id) in ids.iter().take(4).enumerate() {
        for (mv, on, note) in [
            (Move::Verify, day(10, 17)?, "班主任家访核查"),
            (Move::Confirm, day(10, 19)?, "确认辍学，外出务工"),
            (Move::Persuade, day(10, 20)?, "包保教师和村干部上门劝返"),
        ] {
            db.move_case(*id, &mv, &who, on, rules, note).await?;
        }
        followed += 1;
        if n < 3 {
            let back = Move::Return {
                school: school.to_string(),
                on: day(11, 10)?,
            };
            db.move_case(*id, &back, &who, day(11, 10)?, rules, "已返校复学")
                .await?;
            returned += 1;
        }
    }
    Ok(Some((school.to_string(), followed, returned)))
}
