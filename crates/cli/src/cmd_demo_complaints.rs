//! The demo's complaints (群众反映问题, 四(三)): two tickets of each category lodged in November
//! 2023 against demo students — linked to a payment line or a dropout case where it fits — moved
//! through the states (closed, reopened, handed to a township, resolved late), some left
//! untouched to be overdue; the summary as of 15 December 2023.

use chrono::{Days, NaiveDate};
use zizhu_domain::complaint::{
    ComplaintCategory as C, ComplaintRules, ComplaintSource, Handler, Owner, Transition,
};
use zizhu_domain::dropout::UserLevel;
use zizhu_domain::{Season, Term};
use zizhu_policy::Policy;
use zizhu_store::{CaseFilter, ComplaintActor, ComplaintFilter, Db, NewComplaint, ScopeFilter};

const ALL: ScopeFilter<'static> = ScopeFilter {
    township: None,
    school: None,
};

fn summary_of(c: C) -> &'static str {
    match c {
        C::AidNotReceived => "家长反映秋季学期生活补助至今未到账",
        C::WrongAmount => "到账金额与公示金额不一致",
        C::OutOfSchool => "孩子开学后一直未到校",
        C::FeeChargedDespiteWaiver => "已享受免学费，学校仍收取学费",
        C::Other => "询问资助政策和申请办法",
    }
}

fn who_of(s: ComplaintSource) -> &'static str {
    match s {
        ComplaintSource::Family => "学生家长",
        ComplaintSource::Teacher => "班主任",
        ComplaintSource::Township => "乡镇联络员",
        ComplaintSource::Other => "村委会",
    }
}

fn plus(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// Lodges, moves and summarises the demo's tickets.
pub async fn complaints(db: &Db, policy: &Policy, actor: &str) -> anyhow::Result<()> {
    let rules: ComplaintRules = match policy.complaint_rules() {
        Ok(r) => r,
        Err(_) => {
            println!("  政策文件没有 [complaints] 节，跳过");
            return Ok(());
        }
    };
    let clause = policy.complaint_clause().to_string();
    let autumn = Term::new(2023, Season::Autumn);
    let lines = db.term_lines(autumn).await?;
    // The whole roster: a county of 50,000 has its fee waivers (senior, vocational) far down it.
    let roster = db.entitlements(autumn, 0, 1_000_000).await?;
    let cases = db.cases(&CaseFilter::default()).await?;
    // (category, student, payment line, case), two of each category.
    let mut picks: Vec<(C, String, Option<i64>, Option<i64>)> = Vec::new();
    for (i, l) in lines.iter().take(4).enumerate() {
        let c = if i < 2 {
            C::AidNotReceived
        } else {
            C::WrongAmount
        };
        picks.push((c, l.id_number.clone(), Some(l.id), None));
    }
    for k in cases.iter().take(2) {
        picks.push((C::OutOfSchool, k.child.id_number.clone(), None, Some(k.id)));
    }
    let waived = roster.iter().filter(|e| e.program.ends_with("fee_waiver"));
    for e in waived.take(2) {
        picks.push((C::FeeChargedDespiteWaiver, e.id_number.clone(), None, None));
    }
    for e in roster.iter().rev().take(2) {
        picks.push((C::Other, e.id_number.clone(), None, None));
    }
    let county = ComplaintActor {
        name: actor.to_string(),
        handler: Handler {
            level: UserLevel::County,
            unit: String::new(),
        },
        origin: None,
    };
    let first = NaiveDate::from_ymd_opt(2023, 11, 1).unwrap_or_default();
    for (i, (category, id_number, line, case)) in picks.into_iter().enumerate() {
        let source = ComplaintSource::ALL[i % ComplaintSource::ALL.len()];
        let lodged = plus(first, 2 * i as u64);
        let c = NewComplaint {
            id_number,
            category,
            source,
            complainant: who_of(source).into(),
            contact: format!("1390000{:04}", i + 1),
            summary: summary_of(category).into(),
            payment_line_id: line,
            case_id: case,
            lodged_on: lodged,
        };
        let t = db.lodge_complaint(&c, &county, ALL, &rules).await?;
        let town = if t.township.is_empty() {
            Owner::County
        } else {
            Owner::Township(t.township.clone())
        };
        let steps: Vec<(Transition, u64, &str)> = match i % 5 {
            0 => vec![
                (Transition::Start, 1, ""),
                (Transition::Resolve, 5, "已核实并补发，家长确认收到"),
                (Transition::Close, 7, "回访满意"),
            ],
            1 => vec![
                (Transition::Start, 1, ""),
                (Transition::Resolve, 3, "已电话答复"),
                (Transition::Reopen, 6, "家长表示仍未解决"),
            ],
            2 => vec![
                (Transition::Assign { owner: town }, 1, "请乡镇牵头核实"),
                (Transition::Start, 2, ""),
            ],
            3 => vec![
                (Transition::Start, 1, ""),
                (Transition::Resolve, 20, "已退还所收费用"),
            ],
            _ => Vec::new(),
        };
        for (tr, after, note) in steps {
            db.move_complaint(t.id, &tr, &county, ALL, plus(lodged, after), note)
                .await?;
        }
    }
    let on = NaiveDate::from_ymd_opt(2023, 12, 15).unwrap_or_default();
    let rows = zizhu_app::complaints::tickets_on(db, ALL, &ComplaintFilter::default(), on).await?;
    let s = zizhu_app::complaints::summary(&rows, on);
    println!(
        "  截至 {on}：{}",
        zizhu_app::complaints::summary_zh(&s, &clause)
    );
    let by_cat: Vec<String> = s
        .by_category
        .iter()
        .map(|(c, n)| format!("{} {n}", c.zh()))
        .collect();
    println!("  按类别：{}", by_cat.join("，"));
    let overdue = zizhu_app::complaints::overdue_tickets(&rows, on);
    if overdue.len() > 3 {
        println!("  超期未办结的前 3 件（全部见 zizhu complaint list --overdue --as-of {on}）：");
    }
    for (t, o) in overdue.iter().take(3) {
        println!(
            "  超期：工单 {} {}（{}），应于 {} 前办结，已超 {} 天，承办 {}",
            t.id,
            t.student_name,
            t.category.zh(),
            o.due,
            o.days_late,
            t.owner.zh()
        );
    }
    let from = NaiveDate::from_ymd_opt(2023, 9, 1).unwrap_or_default();
    let counts = db.complaint_counts_by_school(from, on).await?;
    let late = counts.values().filter(|c| c.overdue > 0).count();
    println!(
        "  纳入学校考评：{} 所学校有工单，其中 {late} 所有未按期办结的（zizhu complaint list --overdue --as-of {on}）",
        counts.len()
    );
    Ok(())
}
