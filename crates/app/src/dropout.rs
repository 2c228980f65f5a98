//! The dropout scan (控辍保学比对, 二(二)): the national "four checks, three comparisons" on the
//! county's lists, written to the one-student-one-file ledger.
//!
//! 1. Household registration (户籍适龄人口, and members of registered-poor households) with the
//!    registry (学籍): a child of compulsory age in no school's registry → 适龄未入学.
//! 2. The registry with the schools' returns (在校学生名单): 辍学 status, 休学 for too many terms,
//!    转出 with no school since, or enrolled but not on a return of a school that sent one.
//! 3. The result with the registered-poor households: the group 脱贫家庭 on each such suspect.
//!
//! Re-scanning is idempotent: a child with an open case gets no second one; an open case whose
//! child is no longer a suspect is flagged for verification, never dropped.

use crate::AppError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap, HashSet};
use zizhu_domain::dropout::{AttentionGroup, CaseState, DropoutRules, SuspectReason};
use zizhu_domain::ids::id_key;
use zizhu_domain::{stage_of, Stage, Status, Term};
use zizhu_store::{Actor, Db, NewCase, ScanSummary};

/// What a scan found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOutcome {
    pub scan_id: i64,
    pub term: Term,
    pub summary: ScanSummary,
    /// Suspects per reason (a child may have several).
    pub by_reason: Vec<(SuspectReason, i64)>,
    /// Schools in the registry with students of compulsory stage that sent no return for the
    /// term: their students could not be compared with attendance.
    pub schools_without_return: Vec<String>,
}

/// A registry row as the scan needs it.
#[derive(Debug, Clone)]
struct Enrolment {
    status: Status,
    school: String,
    compulsory_stage: bool,
}

/// A suspect being assembled.
#[derive(Debug, Clone)]
struct Suspect {
    case: NewCase,
    reasons: Vec<SuspectReason>,
}

/// Runs a scan as of `as_of` on the registry of `term` (by default the term containing it).
///
/// Errors: [`AppError`] when the policy has no `[dropout]` rules, or from the store.
pub async fn scan(
    db: &Db,
    rules: &DropoutRules,
    as_of: NaiveDate,
    term: Term,
    actor: &Actor,
) -> Result<ScanOutcome, AppError> {
    let schools: HashMap<String, zizhu_domain::School> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();

    // The registry of the term; a child enrolled twice counts as enrolled.
    let mut registry: HashMap<u64, Enrolment> = HashMap::new();
    let mut after = 0;
    loop {
        let page = db.student_page(term, after, 50_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for s in page {
            let r = &s.record;
            let Some(k) = id_key(r.id.as_str()) else {
                continue;
            };
            let stage = schools
                .get(&r.school_code)
                .and_then(|sc| stage_of(sc.kind, r.grade))
                .map(|(st, _)| st);
            let e = Enrolment {
                status: r.status,
                school: r.school_code.clone(),
                compulsory_stage: matches!(stage, Some(Stage::Primary | Stage::Junior))
                    || (stage.is_none() && (1..=9).contains(&r.grade)),
            };
            match registry.get(&k) {
                Some(old) if old.status == Status::Enrolled => {}
                _ => {
                    registry.insert(k, e);
                }
            }
        }
    }

    // The schools' returns: who is in school, and which schools sent one.
    let mut present: HashSet<u64> = HashSet::new();
    let mut reporting: HashSet<String> = HashSet::new();
    db.each_attendance(term, |a| {
        if let Some(k) = id_key(a.record.id.as_str()) {
            present.insert(k);
        }
        reporting.insert(a.record.school_code);
    })
    .await?;

    // 休学 in each of the previous terms that, with this one, make the limit.
    let mut suspended_before: Option<HashSet<String>> = None;
    let mut t = term;
    for _ in 1..rules.suspension_terms {
        t = t.previous();
        let ids = db.ids_with_status(t, Status::Suspended).await?;
        suspended_before = Some(match suspended_before {
            None => ids,
            Some(prev) => prev.intersection(&ids).cloned().collect(),
        });
    }

    let mut poor: HashMap<u64, zizhu_domain::PoorHouseholdMember> = HashMap::new();
    db.each_poor_member(|p| {
        if let Some(k) = id_key(p.record.id.as_str()) {
            poor.insert(k, p.record);
        }
    })
    .await?;
    let mut disabled: HashSet<u64> = HashSet::new();
    db.each_disabled(|d| {
        if let Some(k) = id_key(d.record.id.as_str()) {
            disabled.insert(k);
        }
    })
    .await?;

    // The registry-based reasons of one child (comparison 2).
    let registry_reasons = |id: &str, e: &Enrolment| -> Vec<SuspectReason> {
        let mut out = Vec::new();
        match e.status {
            Status::DroppedOut => out.push(SuspectReason::StatusDroppedOut),
            Status::Suspended => {
                let long = match &suspended_before {
                    None => true, // a limit of one term: suspended now is too long
                    Some(before) => before.contains(id),
                };
                if long {
                    out.push(SuspectReason::SuspendedTooLong);
                }
            }
            Status::TransferredOut => out.push(SuspectReason::TransferredUnreceived),
            Status::Enrolled => {
                let k = id_key(id).unwrap_or(0);
                if reporting.contains(&e.school) && !present.contains(&k) {
                    out.push(SuspectReason::AbsentFromAttendance);
                }
            }
            Status::Graduated => {}
        }
        out
    };

    let mut suspects: BTreeMap<String, Suspect> = BTreeMap::new();
    let mut population: HashSet<u64> = HashSet::new();
    let blank_case = |id: &str, name: &str| NewCase {
        id_number: id.to_string(),
        name: name.to_string(),
        sex: None,
        birth_date: None,
        township: String::new(),
        village: String::new(),
        household_no: String::new(),
        guardian: String::new(),
        guardian_phone: String::new(),
        school_code: String::new(),
        reasons: Vec::new(),
        groups: Vec::new(),
    };

    // Comparison 1 with the household registration, and 2 for those enrolled.
    let mut residents_err: Option<AppError> = None;
    db.each_resident(|r| {
        let c = r.record;
        let Some(birth) = c.id.birth_date() else {
            return;
        };
        if !rules.compulsory_age(birth, as_of) {
            return;
        }
        let id = c.id.as_str().to_string();
        let Some(k) = id_key(&id) else { return };
        population.insert(k);
        let reasons = match registry.get(&k) {
            None => vec![SuspectReason::NeverEnrolled],
            Some(e) => registry_reasons(&id, e),
        };
        if reasons.is_empty() {
            return;
        }
        let mut groups = Vec::new();
        for (flag, g) in [
            (c.orphan, AttentionGroup::Orphan),
            (c.unsupported, AttentionGroup::Unsupported),
            (c.left_behind, AttentionGroup::LeftBehind),
            (c.hardship, AttentionGroup::Hardship),
            (c.migrant, AttentionGroup::Migrant),
        ] {
            if flag {
                groups.push(g);
            }
        }
        let school = c
            .zone_school
            .clone()
            .or_else(|| registry.get(&k).map(|e| e.school.clone()))
            .unwrap_or_default();
        let case = NewCase {
            sex: c.sex.or_else(|| c.id.sex()),
            birth_date: Some(birth),
            township: c.township,
            village: c.village,
            household_no: c.household_no,
            guardian: c.guardian,
            guardian_phone: c.guardian_phone,
            school_code: school,
            groups,
            ..blank_case(&id, &c.name)
        };
        suspects.insert(id, Suspect { case, reasons });
    })
    .await
    .unwrap_or_else(|e| residents_err = Some(e.into()));
    if let Some(e) = residents_err {
        return Err(e);
    }

    // Members of registered-poor households of compulsory age are in the population too.
    for (k, p) in &poor {
        let Some(birth) = p.id.birth_date() else {
            continue;
        };
        if population.contains(k) || !rules.compulsory_age(birth, as_of) {
            continue;
        }
        population.insert(*k);
        let id = p.id.as_str();
        let reasons = match registry.get(k) {
            None => vec![SuspectReason::NeverEnrolled],
            Some(e) => registry_reasons(id, e),
        };
        if reasons.is_empty() {
            continue;
        }
        let case = NewCase {
            sex: p.id.sex(),
            birth_date: Some(birth),
            township: p.township.clone(),
            village: p.village.clone(),
            household_no: p.household_no.clone(),
            school_code: registry
                .get(k)
                .map(|e| e.school.clone())
                .unwrap_or_default(),
            ..blank_case(id, &p.name)
        };
        suspects.insert(id.to_string(), Suspect { case, reasons });
    }

    // Comparison 2 for every compulsory student of the registry (children registered
    // elsewhere, 随迁子女 without local 户籍, are compared too).
    let mut after = 0;
    loop {
        let page = db.student_page(term, after, 50_000).await?;
        let Some(last) = page.last() else { break };
        after = last.key;
        for s in page {
            let r = &s.record;
            let id = r.id.as_str();
            let Some(k) = id_key(id) else { continue };
            if suspects.contains_key(id) || population.contains(&k) {
                continue;
            }
            let Some(e) = registry.get(&k) else { continue };
            let of_age =
                r.id.birth_date()
                    .is_some_and(|b| rules.compulsory_age(b, as_of));
            if !(of_age || e.compulsory_stage) {
                continue;
            }
            population.insert(k);
            let reasons = registry_reasons(id, e);
            if reasons.is_empty() {
                continue;
            }
            let township = schools
                .get(&e.school)
                .map(|s| s.township.clone())
                .unwrap_or_default();
            let case = NewCase {
                sex: r.sex.or_else(|| r.id.sex()),
                birth_date: r.id.birth_date(),
                township,
                school_code: e.school.clone(),
                ..blank_case(id, &r.name)
            };
            suspects.insert(id.to_string(), Suspect { case, reasons });
        }
    }

    // Comparison 3 and the other lists' groups; the last school for those never enrolled now.
    let unplaced: Vec<String> = suspects
        .values()
        .filter(|s| s.case.school_code.is_empty())
        .map(|s| s.case.id_number.clone())
        .collect();
    let last = db.latest_student_records(&unplaced, term).await?;
    for s in suspects.values_mut() {
        let k = id_key(&s.case.id_number).unwrap_or(0);
        let mut groups = vec![];
        if let Some(p) = poor.get(&k) {
            groups.push(AttentionGroup::PoorFamily);
            if s.case.township.is_empty() {
                s.case.township = p.township.clone();
                s.case.village = p.village.clone();
            }
        }
        if disabled.contains(&k) {
            groups.push(AttentionGroup::Disabled);
        }
        groups.extend(s.case.groups.iter().copied());
        groups.sort();
        groups.dedup();
        s.case.groups = groups;
        s.reasons.sort();
        s.case.reasons = s.reasons.clone();
        if s.case.school_code.is_empty() {
            if let Some(l) = last.get(&s.case.id_number) {
                s.case.school_code = l.record.school_code.clone();
            }
        }
        if s.case.township.is_empty() {
            if let Some(sc) = schools.get(&s.case.school_code) {
                s.case.township = sc.township.clone();
            }
        }
    }

    // Into the ledger.
    let mut tx = db.begin_scan(as_of, term, actor).await?;
    let known = tx.known_cases().await?;
    let mut summary = ScanSummary {
        population: population.len() as i64,
        suspects: suspects.len() as i64,
        ..ScanSummary::default()
    };
    for (id, s) in &suspects {
        match known.get(id) {
            Some(k) if k.case.state != CaseState::Closed => {
                tx.refind(&k.case, &s.case.reasons, &s.case.groups).await?;
                summary.refound += 1;
            }
            Some(k) if k.closed_as_not_dropout => summary.refound += 1,
            _ => {
                tx.open_case(&s.case).await?;
                summary.opened += 1;
            }
        }
    }
    for (id, k) in &known {
        let watching = matches!(
            k.case.state,
            CaseState::Suspected
                | CaseState::Verifying
                | CaseState::Confirmed
                | CaseState::Persuading
        );
        if !watching || suspects.contains_key(id) {
            continue;
        }
        let key = id_key(id).unwrap_or(0);
        let why = match registry.get(&key) {
            Some(e) if e.status == Status::Enrolled => {
                format!("本学期学籍在读（学校 {}），且未发现缺勤", e.school)
            }
            _ => "不在本次比对的适龄人口和学籍中（可能已迁出或超龄）".to_string(),
        };
        tx.flag_recheck(&k.case, &why).await?;
        summary.recheck += 1;
    }
    let scan_id = tx.commit(summary).await?;

    let mut by_reason: BTreeMap<SuspectReason, i64> = BTreeMap::new();
    for s in suspects.values() {
        for r in &s.reasons {
            *by_reason.entry(*r).or_default() += 1;
        }
    }
    let mut schools_without_return: Vec<String> = registry
        .values()
        .filter(|e| e.compulsory_stage && !reporting.contains(&e.school))
        .map(|e| e.school.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    schools_without_return.sort();
    Ok(ScanOutcome {
        scan_id,
        term,
        summary,
        by_reason: by_reason.into_iter().collect(),
        schools_without_return,
    })
}
