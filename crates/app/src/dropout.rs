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
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use zizhu_domain::dropout::{AttentionGroup, CaseState, DropoutRules, SuspectReason};
use zizhu_domain::ids::id_key;
use zizhu_domain::{stage_of, IdNumber, Stage, Status, Term};
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
    /// Cases of children monitored after returning to school who are suspects again (flagged
    /// 待核实), by case id.
    pub returned_again: Vec<i64>,
    /// Inputs the scan had none of: the comparisons they feed were not made.
    pub missing: Vec<MissingInput>,
}

/// A list the scan found empty, so a comparison could not be made (the scan still runs: the
/// others stand on their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingInput {
    /// No 户籍适龄人口 list: children never enrolled are found only among poor households.
    Residents,
    /// No 建档立卡 list: no 脱贫户辍学学生 comparison, and the group 脱贫家庭 is never set.
    PoorHouseholds,
    /// No school sent a 在校学生 return for the term: nobody is found absent.
    Returns,
    /// No registry for this earlier term: 休学 past the limit cannot be judged.
    EarlierRegistry(Term),
}

impl MissingInput {
    /// What was missing and what the scan could therefore not find, in Chinese.
    pub fn zh(&self) -> String {
        match self {
            MissingInput::Residents => "未导入户籍适龄人口名单（residents）：适龄未入学只在脱贫户成员中比对".into(),
            MissingInput::PoorHouseholds => "未导入建档立卡脱贫户名单（poor_households）：未做脱贫户辍学学生比对".into(),
            MissingInput::Returns => "本学期没有任何学校报送在校学生名单（attendance）：未做“学籍—在校”比对，无法发现在籍不在校".into(),
            MissingInput::EarlierRegistry(t) => format!(
                "{}未导入学籍：无法判断休学是否超过规定学期数，休学学生本次未列为疑似",
                t.label_zh()
            ),
        }
    }
}

/// A registry row as the scan needs it.
#[derive(Debug, Clone)]
struct Enrolment {
    status: Status,
    school: Arc<str>,
    /// In a primary or junior grade, or of compulsory age.
    compulsory: bool,
    compulsory_stage: bool,
    /// In a primary grade (a 毕业 there at compulsory age leaves junior school to go).
    primary: bool,
    /// 在读 and on the return of this school, or the school sent none.
    present: bool,
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
    let t0 = std::time::Instant::now();
    // Opened first: no import replaces a list while the scan reads them.
    let mut tx = db.begin_scan(as_of, term, actor).await?;
    if let Some(last) = tx.latest_earlier_scan().await? {
        if as_of < last {
            return Err(AppError::Other(format!(
                "比对基准日 {} 早于上次比对的基准日 {}：比对只能按时间向后进行（同一天可以重复比对）",
                as_of.format("%Y-%m-%d"),
                last.format("%Y-%m-%d")
            )));
        }
    }
    // Compulsory age from the birth date in the ID's digits (GB 11643-1999 §4.3).
    let (after, up_to) = rules.compulsory_births(as_of).unwrap_or((0, 0));
    let of_age = |k: u64| {
        let ymd = u32::try_from(k / 1000 % 100_000_000).unwrap_or(0);
        after < ymd && ymd <= up_to
    };
    let schools: HashMap<String, zizhu_domain::School> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();

    // The registry of the term, read once; a child enrolled twice counts as enrolled. Rows
    // that may make a suspect (not enrolled, or absent from their school's return) are kept.
    let registered = registry_rows(db, term).await?;
    let capacity = usize::try_from(registered).unwrap_or(0);
    // The schools' returns: who is in school, and which schools sent one.
    // Present means on the return of the child's own registry school (a child listed by
    // another school is still absent from their own).
    let mut present: FxHashSet<(u64, u64)> =
        FxHashSet::with_capacity_and_hasher(capacity, Default::default());
    let mut reporting: HashSet<String> = HashSet::new();
    // Returns come school by school: the school's number is worked out once per run of rows.
    let mut last_school: Option<(String, u64)> = None;
    db.each_attendance_brief(term, |school, id| {
        let number = match &last_school {
            Some((code, n)) if *code == school => *n,
            _ => {
                let n = school_number(&school);
                if !reporting.contains(&school) {
                    reporting.insert(school.clone());
                }
                last_school = Some((school, n));
                n
            }
        };
        if let Some(k) = id_key(&id) {
            present.insert((k, number));
        }
    })
    .await?;

    let mut registry: FxHashMap<u64, Enrolment> =
        FxHashMap::with_capacity_and_hasher(capacity, Default::default());
    let mut candidates: FxHashMap<u64, zizhu_store::RegistryBrief> = FxHashMap::default();
    let mut codes: HashMap<String, Arc<str>> = HashMap::new();
    // Rows come school by school: the school's kind, shared code and return are looked up
    // once per run of rows, not per row.
    let mut last: Option<(Arc<str>, Option<zizhu_domain::SchoolKind>, bool)> = None;
    db.each_registry_brief(term, |r| {
        let Some(k) = id_key(&r.id_number) else {
            return;
        };
        let (school, kind, reports) = match &last {
            Some((code, kind, reports)) if **code == *r.school_code => {
                (Arc::clone(code), *kind, *reports)
            }
            _ => {
                let code = match codes.get(&r.school_code) {
                    Some(a) => Arc::clone(a),
                    None => {
                        let a: Arc<str> = Arc::from(r.school_code.as_str());
                        codes.insert(r.school_code.clone(), Arc::clone(&a));
                        a
                    }
                };
                let kind = schools.get(&r.school_code).map(|sc| sc.kind);
                let reports = reporting.contains(&r.school_code);
                last = Some((Arc::clone(&code), kind, reports));
                (code, kind, reports)
            }
        };
        let stage = kind
            .and_then(|kind| stage_of(kind, r.grade))
            .map(|(st, _)| st);
        let compulsory_stage = matches!(stage, Some(Stage::Primary | Stage::Junior))
            || (stage.is_none() && (1..=9).contains(&r.grade));
        let of_age = of_age(k);
        let on_return = !reports || present.contains(&(k, school_number(&r.school_code)));
        let e = Enrolment {
            status: r.status,
            school,
            compulsory: compulsory_stage || of_age,
            compulsory_stage,
            primary: stage == Some(Stage::Primary)
                || (stage.is_none() && (1..=6).contains(&r.grade)),
            present: r.status == Status::Enrolled && on_return,
        };
        let maybe = r.status != Status::Enrolled || !on_return;
        if maybe {
            candidates.entry(k).or_insert(r);
        }
        // A child enrolled twice counts as enrolled, and as present if either school's return
        // lists them: the 在读 row present at its school wins, whatever the rows' order.
        match registry.get(&k) {
            Some(old) if old.status == Status::Enrolled && (old.present || !e.present) => {}
            _ => {
                registry.insert(k, e);
            }
        }
    })
    .await?;
    let t_registry = t0.elapsed();

    // 休学 in each of the previous terms that, with this one, make the limit.
    let mut suspended_before: Option<HashSet<String>> = None;
    let mut missing = Vec::new();
    if reporting.is_empty() {
        missing.push(MissingInput::Returns);
    }
    let mut t = term;
    for _ in 1..rules.suspension_terms {
        t = t.previous();
        if db.student_count(t).await? == 0 {
            missing.push(MissingInput::EarlierRegistry(t));
        }
        let ids = db.ids_with_status(t, Status::Suspended).await?;
        suspended_before = Some(match suspended_before {
            None => ids,
            Some(prev) => prev.intersection(&ids).cloned().collect(),
        });
    }

    let mut poor_ids: FxHashMap<u64, String> = FxHashMap::default();
    db.each_poor_id(|id| {
        if let Some(k) = id_key(&id) {
            poor_ids.entry(k).or_insert(id);
        }
    })
    .await?;
    let mut disabled: FxHashSet<u64> = FxHashSet::default();
    db.each_disabled(|d| {
        if let Some(k) = id_key(d.record.id.as_str()) {
            disabled.insert(k);
        }
    })
    .await?;

    let t_lists = t0.elapsed();
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
                if !e.present {
                    out.push(SuspectReason::AbsentFromAttendance);
                }
            }
            Status::Graduated => {
                if e.primary && id_key(id).is_some_and(of_age) {
                    out.push(SuspectReason::GraduatedNotPromoted);
                }
            }
        }
        out
    };

    let mut suspects: BTreeMap<String, Suspect> = BTreeMap::new();
    let mut population: FxHashSet<u64> =
        FxHashSet::with_capacity_and_hasher(capacity, Default::default());
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

    // Comparison 1 with the household registration, and 2 for those enrolled: every ID is
    // compared; the rows of the few suspects are read afterwards.
    let mut pending: Vec<(String, Vec<SuspectReason>)> = Vec::new();
    let mut residents = 0_u64;
    db.each_resident_id(|id| {
        residents += 1;
        let Some(k) = id_key(&id) else { return };
        let of_age = of_age(k);
        if !of_age || !population.insert(k) {
            return;
        }
        let reasons = match registry.get(&k) {
            None => vec![SuspectReason::NeverEnrolled],
            Some(e) => registry_reasons(&id, e),
        };
        if !reasons.is_empty() {
            pending.push((id, reasons));
        }
    })
    .await?;
    let ids: Vec<String> = pending.iter().map(|(id, _)| id.clone()).collect();
    let mut rows: HashMap<String, zizhu_domain::Resident> = HashMap::new();
    for r in db.residents_by_id(&ids).await? {
        rows.entry(r.record.id.as_str().to_string())
            .or_insert(r.record);
    }
    for (id, reasons) in pending {
        let (Some(c), Some(k)) = (rows.remove(&id), id_key(&id)) else {
            continue;
        };
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
        // The school that has the child on its registry owns the case (以校为主); a child on
        // none is the attendance-zone school's.
        let school = registry
            .get(&k)
            .map(|e| e.school.to_string())
            .or_else(|| c.zone_school.clone())
            .unwrap_or_default();
        let case = NewCase {
            sex: c.sex.or_else(|| c.id.sex()),
            birth_date: c.id.birth_date(),
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
    }

    if residents == 0 {
        missing.push(MissingInput::Residents);
    }
    if poor_ids.is_empty() {
        missing.push(MissingInput::PoorHouseholds);
    }
    let t_residents = t0.elapsed();
    // Members of registered-poor households of compulsory age are in the population too.
    let mut pending: Vec<(String, Vec<SuspectReason>)> = Vec::new();
    for (k, id) in &poor_ids {
        if !of_age(*k) || !population.insert(*k) {
            continue;
        }
        let reasons = match registry.get(k) {
            None => vec![SuspectReason::NeverEnrolled],
            Some(e) => registry_reasons(id, e),
        };
        if !reasons.is_empty() {
            pending.push((id.clone(), reasons));
        }
    }
    // The household rows of these and of every other suspect from a poor household.
    let mut wanted: Vec<String> = pending.iter().map(|(id, _)| id.clone()).collect();
    wanted.extend(
        suspects
            .keys()
            .filter(|id| id_key(id).is_some_and(|k| poor_ids.contains_key(&k)))
            .cloned(),
    );
    let mut poor: FxHashMap<u64, zizhu_domain::PoorHouseholdMember> = FxHashMap::default();
    for p in db.poor_members_by_id(&wanted).await? {
        if let Some(k) = id_key(p.record.id.as_str()) {
            poor.entry(k).or_insert(p.record);
        }
    }
    for (id, reasons) in pending {
        let Some(k) = id_key(&id) else { continue };
        let Some(p) = poor.get(&k) else { continue };
        let case = NewCase {
            sex: p.id.sex(),
            birth_date: p.id.birth_date(),
            township: p.township.clone(),
            village: p.village.clone(),
            household_no: p.household_no.clone(),
            school_code: registry
                .get(&k)
                .map(|e| e.school.to_string())
                .unwrap_or_default(),
            ..blank_case(&id, &p.name)
        };
        suspects.insert(id, Suspect { case, reasons });
    }

    // Comparison 2 for every compulsory student of the registry (children registered
    // elsewhere, 随迁子女 without local 户籍, are compared too): only the rows kept above can
    // make a suspect.
    for (k, r) in &candidates {
        let id = r.id_number.as_str();
        if suspects.contains_key(id) || population.contains(k) {
            continue;
        }
        let Some(e) = registry.get(k) else { continue };
        if !e.compulsory {
            continue;
        }
        let parsed = IdNumber::parse(id).ok().map(|(i, _)| i);
        let birth = parsed.as_ref().and_then(IdNumber::birth_date);
        let reasons = registry_reasons(id, e);
        if reasons.is_empty() {
            continue;
        }
        let township = schools
            .get(&*e.school)
            .map(|s| s.township.clone())
            .unwrap_or_default();
        let case = NewCase {
            sex: r.sex.or_else(|| parsed.as_ref().and_then(IdNumber::sex)),
            birth_date: birth,
            township,
            school_code: e.school.to_string(),
            ..blank_case(id, &r.name)
        };
        suspects.insert(id.to_string(), Suspect { case, reasons });
    }

    // Everyone of the registry who is of compulsory age or stage is in the population compared.
    for (k, e) in &registry {
        if e.compulsory {
            population.insert(*k);
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
        if poor_ids.contains_key(&k) {
            groups.push(AttentionGroup::PoorFamily);
        }
        if let Some(p) = poor.get(&k) {
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

    let t_compare = t0.elapsed();
    // Into the ledger.
    let known = tx.known_cases().await?;
    let mut summary = ScanSummary {
        population: population.len() as i64,
        suspects: suspects.len() as i64,
        ..ScanSummary::default()
    };
    let mut returned_again = Vec::new();
    for (id, s) in &suspects {
        match known.get(id) {
            Some(k) if k.case.state != CaseState::Closed => {
                let key = id_key(id).unwrap_or(0);
                let in_registry = registry.get(&key).map(|e| &*e.school);
                let relapse = tx
                    .refind(&k.case, &s.case.reasons, &s.case.groups, in_registry)
                    .await?;
                summary.refound += 1;
                if relapse {
                    returned_again.push(k.case.id);
                }
            }
            Some(k) if k.closed_as_not_dropout => summary.refound += 1,
            // Closed after the scan's day: on that day the case was open (a back-dated scan).
            Some(k) if k.case.state_since > as_of => summary.refound += 1,
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
    tracing::info!(
        target: "zizhu::timing",
        registry = ?t_registry, lists = ?t_lists, residents = ?t_residents, compared = ?t_compare,
        total = ?t0.elapsed(), "dropout scan (cumulative)"
    );

    let mut by_reason: BTreeMap<SuspectReason, i64> = BTreeMap::new();
    for s in suspects.values() {
        for r in &s.reasons {
            *by_reason.entry(*r).or_default() += 1;
        }
    }
    let mut schools_without_return: Vec<String> = registry
        .values()
        .filter(|e| e.compulsory_stage && !reporting.contains(&*e.school))
        .map(|e| e.school.to_string())
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
        returned_again,
        missing,
    })
}

/// The number of registry rows of `term`.
///
/// Errors: [`AppError::Other`] when there are none: every child would look never enrolled, so
/// neither the scan nor the school-age ledger is made.
pub(crate) async fn registry_rows(db: &Db, term: Term) -> Result<i64, AppError> {
    let registered = db.student_count(term).await?;
    if registered == 0 {
        return Err(AppError::Other(format!(
            "{}没有导入学籍，无法比对（会把每个适龄儿童都当作未入学）。请先导入该学期学籍，或用 --as-of/--term 指定已导入学籍的学期",
            term.label_zh()
        )));
    }
    Ok(registered)
}

/// A school code as a number for set keys (学校标识码 are 10 digits); any other text hashed.
pub(crate) fn school_number(code: &str) -> u64 {
    code.parse::<u64>().unwrap_or_else(|_| {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(code) | (1 << 63)
    })
}
