//! Zero fees for registered-poor compulsory students (零收费, 三(一)): who is owed each in-kind
//! provision of a school year, what the schools issued, and the coverage per school — eligible,
//! issued per item, complete, missing, and issues to students not owed them.
//!
//! 学年 `year` is the autumn term of `year` and the spring term after it. Who is owed is decided
//! on the autumn term's registry and lists, with the facts the compute step builds
//! ([`crate::matching`]) and the policy file's `[[provision]]` conditions (the same engine as the
//! programs: an exited household counts while `keep_policy_after_exit` holds).

use crate::matching::{student_facts, ListIndex};
use crate::AppError;
use std::collections::{HashMap, HashSet};
use zizhu_domain::zero_fee::{
    coverage as school_coverage, in_school_year, total, Issue, ItemRule, Owed, SchoolCoverage,
    ZeroFeeItem,
};
use zizhu_domain::{Fen, ListKind, Season, Status, Term};
use zizhu_policy::Policy;
use zizhu_store::{Db, PayActor};

/// Registry rows read per round trip.
const PAGE: i64 = 10_000;

/// One item as the policy file gives it for the year.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    pub item: ZeroFeeItem,
    pub name: String,
    pub clause: String,
    pub unit_value: Fen,
    /// `校服折算值 120元/套（报告用折算值）`.
    pub explanation: String,
}

/// A school year's zero-fee coverage.
#[derive(Debug, Clone)]
pub struct ZeroFeeReport {
    pub year: i32,
    /// The term whose facts decide who is owed (the autumn term of `year`).
    pub term: Term,
    pub reference_date: chrono::NaiveDate,
    pub items: Vec<ItemInfo>,
    /// Per school (by code), with the school's name and township where known.
    pub schools: Vec<SchoolRow>,
    pub total: SchoolCoverage,
    /// Issues on record for the year.
    pub issues: usize,
}

/// One school's coverage with its name and township.
#[derive(Debug, Clone)]
pub struct SchoolRow {
    pub name: String,
    pub township: String,
    pub coverage: SchoolCoverage,
}

/// Per-school figures of a school year for the school evaluation (二(二)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolFigures {
    pub school_code: String,
    /// Students owed at least one item.
    pub eligible: u32,
    /// Students who received every item they are owed.
    pub complete: u32,
    /// Per item: (students owed it, students owed it who received it).
    pub issued: Vec<(ZeroFeeItem, u32, u32)>,
}

/// The term whose facts decide school year `year`: its autumn term.
pub fn facts_term(year: i32) -> Term {
    Term::new(year, Season::Autumn)
}

/// Who is owed which provision in school year `year`: every student enrolled in the autumn
/// registry (a student at two schools counts once, at the first, ruling 5) for whom a
/// `[[provision]]` condition holds.
///
/// Errors: the policy does not cover the autumn term or has no `[[provision]]`; the store's.
pub async fn owed(
    db: &Db,
    policy: &Policy,
    year: i32,
) -> Result<(Vec<Owed>, Vec<ItemInfo>, chrono::NaiveDate), AppError> {
    let term = facts_term(year);
    let tp = policy.compile(term)?;
    if tp.provisions.is_empty() {
        return Err(AppError::Other(
            "政策文件没有零收费项目（[[provision]]，三(一)）".into(),
        ));
    }
    let items: Vec<ItemInfo> = tp
        .provisions
        .iter()
        .map(|p| ItemInfo {
            item: p.item,
            name: p.name.clone(),
            clause: p.clause.clone(),
            unit_value: p.unit_value,
            explanation: p.explanation.clone(),
        })
        .collect();
    let schools: HashMap<String, zizhu_domain::School> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let mut index = ListIndex::new(tp.reference_date);
    db.each_poor_member(|p| index.add_poor(p)).await?;
    for kind in [ListKind::Dibao, ListKind::Tekun, ListKind::UrbanHardship] {
        db.each_assistance(kind, |e| index.add_assistance(kind, e))
            .await?;
    }
    db.each_disabled(|d| index.add_disabled(d)).await?;
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut after = 0;
    loop {
        let page = db.student_page(term, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for s in &page {
            let rec = &s.record;
            let id = rec.id.as_str();
            if rec.status != Status::Enrolled || !seen.insert(id.to_string()) {
                continue;
            }
            let cats = index.categories(id, rec.difficulty, (s.import_id, s.row_no));
            let school = schools.get(&rec.school_code);
            let facts = student_facts(rec, school, &cats, index.poor_exited(id)).facts();
            let owed_items: Vec<ZeroFeeItem> = tp
                .provisions
                .iter()
                .filter(|p| p.when.holds(facts.0))
                .map(|p| p.item)
                .collect();
            if !owed_items.is_empty() {
                out.push(Owed {
                    id_number: id.to_string(),
                    name: rec.name.clone(),
                    school_code: rec.school_code.clone(),
                    items: owed_items,
                });
            }
        }
    }
    Ok((out, items, tp.reference_date))
}

/// The coverage of school year `year`, school by school, with the county's total.
pub async fn evaluate(db: &Db, policy: &Policy, year: i32) -> Result<ZeroFeeReport, AppError> {
    let (owed, items, reference_date) = owed(db, policy, year).await?;
    let issues: Vec<Issue> = db
        .zero_fee_issues(year)
        .await?
        .into_iter()
        .map(|s| s.issue)
        .collect();
    let rules: Vec<ItemRule> = items
        .iter()
        .map(|i| ItemRule {
            item: i.item,
            clause: i.clause.clone(),
            unit_value: i.unit_value,
        })
        .collect();
    let names: HashMap<String, (String, String)> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, (s.name, s.township)))
        .collect();
    let per_school = school_coverage(&owed, &issues, &rules);
    let total = total(&per_school);
    let schools = per_school
        .into_iter()
        .map(|c| {
            let (name, township) = names
                .get(&c.school_code)
                .cloned()
                .unwrap_or_else(|| ("（不在学校名单中）".into(), String::new()));
            SchoolRow {
                name,
                township,
                coverage: c,
            }
        })
        .collect();
    Ok(ZeroFeeReport {
        year,
        term: facts_term(year),
        reference_date,
        items,
        schools,
        total,
        issues: issues.len(),
    })
}

/// Per-school figures of school year `year` for the school evaluation (二(二)): eligible,
/// complete and, per item, owed and issued.
pub async fn coverage(db: &Db, policy: &Policy, year: i32) -> Result<Vec<SchoolFigures>, AppError> {
    let r = evaluate(db, policy, year).await?;
    Ok(r.schools
        .into_iter()
        .map(|s| SchoolFigures {
            school_code: s.coverage.school_code,
            eligible: s.coverage.eligible,
            complete: s.coverage.complete,
            issued: s
                .coverage
                .items
                .iter()
                .map(|(i, c)| (*i, c.owed, c.issued))
                .collect(),
        })
        .collect())
}

/// Checks one issue entered on the web or through the API and records it (audited): the date in
/// its school year, a quantity of 1 to 20, insurer and policy number for an insurance (and none
/// for another item), a school on the school list, a valid ID and name.
pub async fn record(db: &Db, issue: &Issue, who: PayActor<'_>) -> Result<i64, AppError> {
    let bad = |m: String| Err(AppError::Other(m));
    if !in_school_year(issue.issued_on, issue.school_year) {
        return bad(format!(
            "发放日期 {} 不在{}学年内（{}年9月1日至{}年8月31日）",
            issue.issued_on,
            issue.school_year,
            issue.school_year,
            issue.school_year + 1
        ));
    }
    if !(1..=20).contains(&issue.quantity) {
        return bad("数量应为 1 至 20 的整数".into());
    }
    if zizhu_domain::IdNumber::parse(&issue.id_number).is_err() {
        return bad("身份证件号无效".into());
    }
    zizhu_domain::text::check_typed("姓名", &issue.name, 50).map_err(AppError::Other)?;
    if issue.name.trim().is_empty() {
        return bad("请填写学生姓名".into());
    }
    let insured = issue.insurer.is_some() || issue.policy_no.is_some();
    if issue.item.is_insurance() {
        match (&issue.insurer, &issue.policy_no) {
            (Some(i), Some(p)) if !i.trim().is_empty() && !p.trim().is_empty() => {
                zizhu_domain::text::check_typed("承保单位", i, 100).map_err(AppError::Other)?;
                zizhu_domain::text::check_typed("保单号", p, 60).map_err(AppError::Other)?;
            }
            _ => return bad("学生意外伤害保险须填写承保单位和保单号（三(一)3）".into()),
        }
    } else if insured {
        return bad("只有学生意外伤害保险填写承保单位和保单号".into());
    }
    if !db
        .schools()
        .await?
        .iter()
        .any(|s| s.code == issue.school_code)
    {
        return bad(format!("学校标识码 {} 不在学校名单中", issue.school_code));
    }
    // The student is the recording school's, by its registry of the school year (autumn or
    // spring), under the registry's name: a school records only what it issued to its own
    // students (review: a school raised another township's coverage with a stranger's ID).
    let school = zizhu_store::ScopeFilter {
        township: None,
        school: Some(&issue.school_code),
    };
    let mut registered: Option<String> = None;
    for term in [
        facts_term(issue.school_year),
        Term::new(issue.school_year + 1, Season::Spring),
    ] {
        let found = db
            .search_students(school, term, &issue.id_number, 5)
            .await?
            .into_iter()
            .find(|s| s.id_number == issue.id_number);
        if let Some(s) = found {
            registered = Some(s.name);
            break;
        }
    }
    match registered {
        None => {
            return bad(format!(
                "{}学年学校 {} 的学籍中没有这名学生（身份证件号 {}）：只能登记本校学生的发放",
                issue.school_year,
                issue.school_code,
                crate::zero_fee_report::masked_id(&issue.id_number)
            ))
        }
        Some(name) if name.trim() != issue.name.trim() => {
            return bad(format!(
                "姓名与学籍不符：学籍中该身份证件号的学生姓名为“{}”",
                name.trim()
            ))
        }
        Some(_) => {}
    }
    Ok(db.record_zero_fee_issue(issue, who).await?)
}

/// Per (school, school year) of an imported file: its first row and its row count.
pub type PairRows = std::collections::BTreeMap<(String, i32), (usize, i64)>;

/// A note per (school, school year) pair an import of 零收费发放记录 replaces that has rows on
/// record, at the pair's first row; flagged when the file has under a third of them (a wrong
/// 学年 column replaces a whole year of a school).
pub fn replacement_notes(
    old: &std::collections::BTreeMap<(String, i32), i64>,
    new: &PairRows,
) -> Vec<zizhu_io::lists::RowError> {
    new.iter()
        .filter_map(|((school, year), (row, n))| {
            let before = old.get(&(school.clone(), *year)).copied().unwrap_or(0);
            (before > 0).then(|| zizhu_io::lists::RowError {
                row: *row,
                column: "学校标识码".into(),
                value: school.clone(),
                reason: format!(
                    "替换该校{year}学年已有的 {before} 条发放记录（文件中该校该学年 {n} 行）{}",
                    if n * 3 < before {
                        "，相差很大：请确认“学年”列无误"
                    } else {
                        ""
                    }
                ),
            })
        })
        .collect()
}
