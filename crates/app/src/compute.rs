//! Compute a term (`zizhu compute --term 2023-autumn`): match every student of the term's registry
//! and every college admittee of the year against the department lists, evaluate the policy, and
//! store the categories, the entitlements (with clause and the facts used) and the data-quality
//! findings — all in one transaction, so a kill leaves the previous roster intact and a re-run
//! replaces it.

use crate::matching::{admission_facts, student_facts, ListIndex, MatchedCategory};
use crate::quality;
use crate::AppError;
use rustc_hash::FxHashMap;
use serde_json::json;
use zizhu_domain::ids::id_key;
use zizhu_domain::{Category, Fen, ListKind, School, StudentRecord, Term};
use zizhu_policy::{Grant, Policy, Subject, TermPolicy};
use zizhu_store::{
    Db, NewCategory, NewEntitlement, NewQualityIssue, NewTrace, RunMeta, RunSummary,
};

/// Rows read and written per round trip.
const PAGE: i64 = 10_000;

/// The most entries a map is sized for ahead of filling it (from stored row counts): twice a
/// province's registry.
pub(crate) const RESERVE_MAX: usize = 32_000_000;

/// Progress callback: (students done, students total).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// What a compute run did.
#[derive(Debug, Clone, Default)]
pub struct ComputeSummary {
    pub run_id: i64,
    pub term: Option<Term>,
    pub students: i64,
    pub admissions: i64,
    pub entitlements: i64,
    pub total: Fen,
    /// Per program id: (headcount, amount).
    pub by_program: Vec<(String, String, i64, Fen)>,
    pub quality_issues: i64,
}

/// Buffers rows and flushes them to the transaction in pages.
struct Out {
    cats: Vec<NewCategory>,
    ents: Vec<NewEntitlement>,
    dq: Vec<NewQualityIssue>,
    /// Findings handed to the writer so far.
    dq_sent: i64,
    /// To the writer task, which owns the transaction.
    send: tokio::sync::mpsc::Sender<Batch>,
}

/// Rows for the writer task.
enum Batch {
    Categories(Vec<NewCategory>),
    Entitlements(Vec<NewEntitlement>),
    Quality(Vec<NewQualityIssue>),
}

impl Out {
    /// Hands full buffers (all of them when `force`) to the writer. Fails only when the writer
    /// stopped, whose own error is then reported.
    async fn flush(&mut self, force: bool) -> bool {
        let full = PAGE as usize;
        let mut ok = true;
        if !self.cats.is_empty() && (force || self.cats.len() >= full) {
            ok &= self
                .send
                .send(Batch::Categories(std::mem::take(&mut self.cats)))
                .await
                .is_ok();
        }
        if !self.ents.is_empty() && (force || self.ents.len() >= full) {
            ok &= self
                .send
                .send(Batch::Entitlements(std::mem::take(&mut self.ents)))
                .await
                .is_ok();
        }
        if !self.dq.is_empty() && (force || self.dq.len() >= full) {
            self.dq_sent += self.dq.len() as i64;
            ok &= self
                .send
                .send(Batch::Quality(std::mem::take(&mut self.dq)))
                .await
                .is_ok();
        }
        ok
    }
}

/// Where a compute's rows go: the term's stored results (a run), or — to compare a locked
/// term's roster with what the lists say now — only the roster lines, kept in memory.
enum Sink {
    Store(zizhu_store::ComputeTx),
    Collect(Vec<NewEntitlement>),
}

/// Writes batches as they come, so evaluating the next page overlaps with writing this one.
fn spawn_writer(
    mut sink: Sink,
) -> (
    tokio::sync::mpsc::Sender<Batch>,
    tokio::task::JoinHandle<Result<Sink, AppError>>,
) {
    let (send, mut recv) = tokio::sync::mpsc::channel::<Batch>(2);
    let handle = tokio::spawn(async move {
        while let Some(b) = recv.recv().await {
            match (&mut sink, b) {
                (Sink::Store(tx), Batch::Categories(v)) => tx.insert_categories(&v).await?,
                (Sink::Store(tx), Batch::Entitlements(v)) => tx.insert_entitlements(&v).await?,
                (Sink::Store(tx), Batch::Quality(v)) => tx.insert_quality(&v).await?,
                (Sink::Collect(all), Batch::Entitlements(mut v)) => all.append(&mut v),
                (Sink::Collect(_), _) => {}
            }
        }
        Ok(sink)
    });
    (send, handle)
}

fn category_rows<'a>(
    id: &'a str,
    cats: &'a [MatchedCategory],
) -> impl Iterator<Item = NewCategory> + 'a {
    cats.iter().map(move |c| NewCategory {
        id_number: id.to_string(),
        category: c.category,
        list: c.list,
        import_id: c.import_id,
        row_no: c.row_no,
        detail: c.detail.clone(),
    })
}

/// A list row behind a category, as stored in an entitlement's facts.
#[derive(serde::Serialize)]
struct SourceDoc<'a> {
    category: &'a str,
    zh: &'a str,
    list: &'a str,
    import_id: i64,
    row: i64,
    detail: &'a str,
}

/// Builds the facts stored with an entitlement. The whole object gives the term and reference
/// date, the clause, the conditions that held, the amount rule, and the lists (import batch and
/// row) behind each category. All but the lists depend only on the grant's branch, amount rule,
/// supplements and the facts its `any` groups looked at: that part is a trace of the run, built
/// and stored once per distinct combination, and a line stores only its `sources` array.
struct Tracer<'a> {
    tp: &'a TermPolicy,
    /// Trace number of each combination seen.
    numbers: FxHashMap<(usize, usize, usize, u32, u64), u32>,
    /// The traces, numbered by position.
    traces: Vec<NewTrace>,
}

impl<'a> Tracer<'a> {
    fn new(tp: &'a TermPolicy) -> Tracer<'a> {
        Tracer {
            tp,
            numbers: FxHashMap::default(),
            traces: Vec::new(),
        }
    }

    /// The trace number of `g` and its line's own part of the facts.
    fn trace(
        &mut self,
        g: &Grant,
        facts: zizhu_policy::Facts,
        cats: &[MatchedCategory],
    ) -> (u32, String) {
        let tp = self.tp;
        let any = tp
            .programs
            .get(g.program)
            .and_then(|p| p.when.conjs.get(g.branch))
            .map(|c| c.any.iter().fold(0u64, |m, x| m | x))
            .unwrap_or(0);
        let key = (
            g.program,
            g.branch,
            g.amount_rule,
            g.supplements,
            facts.0 & any,
        );
        let traces = &mut self.traces;
        let no = *self.numbers.entry(key).or_insert_with(|| {
            let t = tp.trace(g, facts);
            let v = json!({"clause": t.clause, "conditions": t.conditions, "amount": t.amount})
                .to_string();
            // Without the braces: readers splice it with the line's sources into one object.
            let middle = v.get(1..v.len().saturating_sub(1)).unwrap_or_default();
            let trace_no = u32::try_from(traces.len()).unwrap_or(u32::MAX);
            traces.push(NewTrace {
                trace_no,
                body: format!(
                    "\"term\":\"{}\",\"reference_date\":\"{}\",{middle}",
                    tp.term, tp.reference_date
                ),
            });
            trace_no
        });
        let sources: Vec<SourceDoc<'_>> = cats
            .iter()
            .map(|c| SourceDoc {
                category: c.category.key(),
                zh: c.category.zh(),
                list: c.list.key(),
                import_id: c.import_id,
                row: c.row_no,
                detail: &c.detail,
            })
            .collect();
        let sources = serde_json::to_string(&sources).unwrap_or_else(|_| "[]".into());
        (no, sources)
    }
}

/// An ID key ([`id_key`]) as two 32-bit halves, high first.
type SeenKey = (u32, u32);

fn seen_key(k: u64) -> SeenKey {
    ((k >> 32) as u32, k as u32)
}

/// Computes one term and stores the result; returns the summary.
pub async fn compute_term(
    db: &Db,
    policy: &Policy,
    policy_sha256: &str,
    term: Term,
    actor: &str,
    progress: Progress<'_>,
) -> Result<ComputeSummary, AppError> {
    compute_term_from(db, policy, policy_sha256, term, actor, None, progress).await
}

/// [`compute_term`] for a user at `origin` (the web client's address), which the audit entry
/// records.
pub async fn compute_term_from(
    db: &Db,
    policy: &Policy,
    policy_sha256: &str,
    term: Term,
    actor: &str,
    origin: Option<&str>,
    progress: Progress<'_>,
) -> Result<ComputeSummary, AppError> {
    let who = (actor, origin);
    Ok(run(db, policy, policy_sha256, term, Some(who), progress)
        .await?
        .0)
}

/// The roster lines the lists and the policy give `term` now, without storing anything (the
/// term's stored results, locked or not, are left as they are).
pub async fn evaluate_term(
    db: &Db,
    policy: &Policy,
    term: Term,
) -> Result<Vec<NewEntitlement>, AppError> {
    Ok(run(db, policy, "", term, None, &|_, _| {})
        .await?
        .1
        .unwrap_or_default())
}

/// Computes `term`: stored as a run when `store` names who runs it, else only evaluated and the
/// roster lines returned.
async fn run(
    db: &Db,
    policy: &Policy,
    policy_sha256: &str,
    term: Term,
    store: Option<(&str, Option<&str>)>,
    progress: Progress<'_>,
) -> Result<(ComputeSummary, Option<Vec<NewEntitlement>>), AppError> {
    let (actor, origin) = store.unwrap_or(("", None));
    let t_start = std::time::Instant::now();
    let tp = policy.compile(term)?;
    let on = tp.reference_date;
    // The run's transaction first: no import replaces a list while this run reads them.
    let meta = RunMeta {
        origin: origin.map(str::to_string),
        term,
        policy_id: policy.file.policy.id.clone(),
        policy_version: policy.file.policy.version.clone(),
        policy_sha256: policy_sha256.to_string(),
        actor: actor.to_string(),
    };
    let t0 = std::time::Instant::now();
    let sink = match store {
        Some(_) => Sink::Store(db.begin_compute(&meta).await?),
        None => Sink::Collect(Vec::new()),
    };
    let (send, writer) = spawn_writer(sink);
    let t_begin = t0.elapsed();
    let schools: FxHashMap<String, School> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    // Filled a page at a time: only the compact entries are kept, never a whole list's rows.
    let mut index = ListIndex::new(on);
    let imports = db.imports().await?;
    for kind in [
        ListKind::PoorHouseholds,
        ListKind::Dibao,
        ListKind::Tekun,
        ListKind::UrbanHardship,
        ListKind::Disabled,
    ] {
        // The newest import of a list is its current version.
        if let Some(b) = imports.iter().find(|b| b.kind == kind) {
            index.reserve(kind, usize::try_from(b.rows).unwrap_or(0));
        }
    }
    db.each_poor_member(|p| index.add_poor(p)).await?;
    for kind in [ListKind::Dibao, ListKind::Tekun, ListKind::UrbanHardship] {
        db.each_assistance(kind, |e| index.add_assistance(kind, e))
            .await?;
    }
    db.each_disabled(|d| index.add_disabled(d)).await?;
    let once_programs: Vec<String> = tp
        .programs
        .iter()
        .filter(|p| p.once_per_person)
        .map(|p| p.id.clone())
        .collect();
    // Ruling 4: once-per-person programs already granted in earlier terms, as a bit mask per person.
    let mut prior: FxHashMap<u64, u32> = FxHashMap::default();
    for (id, program) in db.prior_grants(&once_programs, term).await? {
        if let (Some(k), Some(i)) = (id_key(&id), tp.program_index(&program)) {
            *prior.entry(k).or_default() |= 1 << i;
        }
    }
    // By ID key; an ID without one (none pass the import) has no earlier grant.
    let prior_mask = |key: u64| -> u32 {
        if prior.is_empty() {
            return 0;
        }
        prior.get(&key).copied().unwrap_or(0)
    };

    // The registry's size, for the seen-map and the progress: what the term's newest import
    // stored (an import replaces the term's registry) — counting 10 M rows again took PostgreSQL
    // 2-3 s of CPU (BENCHMARKS.md).
    let total_students = imports
        .iter()
        .find(|b| b.kind == ListKind::Students && b.term == Some(term))
        .map_or(0, |b| b.rows);
    let t_lists = t_start.elapsed();
    let (mut t_read, mut t_eval, mut t_write) = (
        std::time::Duration::ZERO,
        std::time::Duration::ZERO,
        std::time::Duration::ZERO,
    );
    let mut out = Out {
        cats: Vec::new(),
        ents: Vec::new(),
        dq: Vec::new(),
        dq_sent: 0,
        send,
    };
    let mut summary = ComputeSummary {
        term: Some(term),
        ..Default::default()
    };
    let mut per_program: Vec<(i64, Fen)> = vec![(0, Fen::ZERO); tp.programs.len()];
    // Every ID seen this term → the school of its enrolment that is paid (ruling 5), or
    // NOT_PAID when no enrolled row of it has come yet. One map of 12-byte entries serves both
    // questions; school codes are interned (a u32 instead of a string per person).
    const NOT_PAID: u32 = u32::MAX;
    // Sized once for the whole term (see `ListIndex::reserve`). Keys are split in two halves
    // (`SeenKey`): an entry is 12 bytes, not 16 (a u64 key aligns the pair to 8).
    let mut seen: FxHashMap<SeenKey, u32> = FxHashMap::default();
    // At most `RESERVE_MAX` ahead, and a refusal is no error: the count is stored data, and a
    // damaged one must not stop the run (the map then grows as it goes).
    let _ = seen.try_reserve(usize::try_from(total_students).map_or(0, |n| n.min(RESERVE_MAX)));
    let mut codes: Vec<String> = Vec::new();
    let mut code_ix: FxHashMap<String, u32> = FxHashMap::default();
    let mut grants = Vec::new();
    let mut tracer = Tracer::new(&tp);
    let mut done = 0u64;
    // The next pages are read while this one is evaluated and written (two cores).
    let mut pages = db.student_pages(term, PAGE as usize);
    loop {
        let t0 = std::time::Instant::now();
        let Some(page) = pages.recv().await.transpose()? else {
            break;
        };
        t_read += t0.elapsed();
        let t0 = std::time::Instant::now();
        for s in &page {
            let rec = &s.record;
            let id = rec.id.as_str();
            let key = id_key(id).unwrap_or(u64::MAX);
            let paid_at = seen.entry(seen_key(key)).or_insert(NOT_PAID);
            let school = schools.get(&rec.school_code);
            quality::check_student(rec, school, &s.row_no, &mut out.dq);
            let cats = index.categories_of_key(key, rec.difficulty, (s.import_id, s.row_no));
            let enrolled = rec.status == zizhu_domain::Status::Enrolled;
            if enrolled {
                if *paid_at != NOT_PAID {
                    // Ruling 5: counted at two schools in one term — paid once, reported.
                    let first = codes
                        .get(*paid_at as usize)
                        .map(String::as_str)
                        .unwrap_or_default();
                    out.dq.push(quality::duplicate(rec, first, s.row_no));
                    continue;
                }
                let ix = match code_ix.get(&rec.school_code) {
                    Some(ix) => *ix,
                    None => {
                        codes.push(rec.school_code.clone());
                        let ix = (codes.len() - 1) as u32;
                        code_ix.insert(rec.school_code.clone(), ix);
                        ix
                    }
                };
                *paid_at = ix;
            }
            out.cats.extend(category_rows(id, &cats));
            let poor = cats.iter().any(|c| c.category == Category::RegisteredPoor);
            let fi = student_facts(rec, school, &cats, poor && index.poor_exited_of_key(key));
            let facts = fi.facts();
            grants.clear();
            tp.evaluate(Subject::Student, facts, prior_mask(key), &mut grants);
            for g in &grants {
                push_grant(
                    &mut tracer,
                    g,
                    facts,
                    &cats,
                    rec,
                    &mut out,
                    &mut per_program,
                    &mut summary,
                );
            }
            summary.students += 1;
        }
        done += page.len() as u64;
        progress(done, (total_students.max(0) as u64).max(done));
        t_eval += t0.elapsed();
        let t0 = std::time::Instant::now();
        if !out.flush(false).await {
            break; // the writer failed: its error is reported below
        }
        t_write += t0.elapsed();
    }

    let t_after_loop = std::time::Instant::now();
    // College admissions of the year: paid in the term the policy says (autumn for 2023).
    let has_admission_programs = tp
        .programs
        .iter()
        .any(|p| p.subject == Subject::Admission && p.payable_this_term);
    if has_admission_programs {
        let admissions = db.admissions(term.year).await?;
        // A page of admittees at a time: their registry records, then their rows handed to the
        // writer, so neither grows with the province's admissions.
        for page in admissions.chunks(PAGE as usize) {
            let ids: Vec<String> = page
                .iter()
                .map(|a| a.record.id.as_str().to_string())
                .collect();
            let latest = db.latest_student_records(&ids, term).await?;
            for a in page {
                let id = a.record.id.as_str();
                let last = latest.get(id);
                let difficulty = last
                    .map(|s| s.record.difficulty)
                    .unwrap_or(zizhu_domain::Difficulty::NotDifficult);
                let cats = index.categories(
                    id,
                    difficulty,
                    last.map(|s| (s.import_id, s.row_no)).unwrap_or((0, 0)),
                );
                let facts = admission_facts(
                    &a.record.college_province,
                    &tp.province,
                    difficulty,
                    &cats,
                    index.poor_exited(id),
                )
                .facts();
                grants.clear();
                let key = id_key(id).unwrap_or(u64::MAX);
                tp.evaluate(Subject::Admission, facts, prior_mask(key), &mut grants);
                if last.is_none() && grants.is_empty() {
                    out.dq.push(quality::admittee_without_registry(
                        id,
                        &a.record.name,
                        a.import_id,
                        a.row_no,
                    ));
                }
                if !grants.is_empty()
                    && !id_key(id).is_some_and(|k| seen.contains_key(&seen_key(k)))
                {
                    out.cats.extend(category_rows(id, &cats));
                }
                let rec = admission_as_record(a, last.map(|s| &s.record));
                for g in &grants {
                    push_grant(
                        &mut tracer,
                        g,
                        facts,
                        &cats,
                        &rec,
                        &mut out,
                        &mut per_program,
                        &mut summary,
                    );
                }
                summary.admissions += 1;
            }
            if !out.flush(false).await {
                break; // the writer failed: its error is reported below
            }
        }
    }

    let t_admissions = t_after_loop.elapsed();
    let t0 = std::time::Instant::now();
    // Category-list members of compulsory school age not found in the registry (the dropout input).
    if !seen.is_empty() {
        let rules = policy.dropout_rules().ok();
        quality::missing_from_registry(
            &index,
            |k| seen.contains_key(&seen_key(k)),
            on,
            rules.as_ref(),
            &mut out.dq,
        );
    }
    let t_scan = t0.elapsed();
    let t_final = std::time::Instant::now();
    out.flush(true).await;
    summary.quality_issues = out.dq_sent;
    drop(out);
    let sink = writer
        .await
        .map_err(|e| AppError::Other(format!("写入计算结果失败：{e}")))??;
    for (i, p) in tp.programs.iter().enumerate() {
        if let Some((n, fen)) = per_program.get(i) {
            summary
                .by_program
                .push((p.id.clone(), p.name.clone(), *n, *fen));
        }
    }
    let mut tx = match sink {
        Sink::Store(tx) => tx,
        Sink::Collect(lines) => return Ok((summary, Some(lines))),
    };
    tx.insert_traces(&tracer.traces).await?;
    let run_id = tx
        .commit(RunSummary {
            students: summary.students,
            entitlements: summary.entitlements,
            total_fen: summary.total.0,
        })
        .await?;
    summary.run_id = run_id;
    tracing::info!(
        target: "zizhu::timing",
        lists = ?t_lists, begin = ?t_begin, read = ?t_read, evaluate = ?t_eval, write = ?t_write,
        admissions = ?t_admissions, scan = ?t_scan, finish = ?t_final.elapsed(), total = ?t_start.elapsed(),
        "compute {term}"
    );
    Ok((summary, None))
}

#[allow(clippy::too_many_arguments)]
fn push_grant(
    tracer: &mut Tracer<'_>,
    g: &Grant,
    facts: zizhu_policy::Facts,
    cats: &[MatchedCategory],
    rec: &StudentRecord,
    out: &mut Out,
    per_program: &mut [(i64, Fen)],
    summary: &mut ComputeSummary,
) {
    let tp = tracer.tp;
    let Some(p) = tp.programs.get(g.program) else {
        return;
    };
    let (trace, facts) = tracer.trace(g, facts, cats);
    out.ents.push(NewEntitlement {
        id_number: rec.id.as_str().to_string(),
        name: rec.name.clone(),
        student_no: rec.student_no.clone(),
        school_code: rec.school_code.clone(),
        program: p.id.clone(),
        program_name: p.name.clone(),
        clause: p.clause.clone(),
        amount_fen: g.amount.0,
        payee: p.payee.key().to_string(),
        facts,
        trace: Some(trace),
    });
    if let Some(x) = per_program.get_mut(g.program) {
        x.0 += 1;
        x.1 += g.amount;
    }
    summary.entitlements += 1;
    summary.total += g.amount;
}

/// An admittee as a roster line: name and ID from the admissions list, school from the last registry record.
fn admission_as_record(
    a: &zizhu_store::Sourced<zizhu_domain::CollegeAdmission>,
    last: Option<&StudentRecord>,
) -> StudentRecord {
    StudentRecord {
        id: a.record.id.clone(),
        name: a.record.name.clone(),
        student_no: last.map(|l| l.student_no.clone()).unwrap_or_default(),
        school_code: last.map(|l| l.school_code.clone()).unwrap_or_default(),
        grade: last.map(|l| l.grade).unwrap_or(12),
        class: String::new(),
        boarding: false,
        special_class: false,
        regular_class_inclusion: false,
        hukou: last.and_then(|l| l.hukou),
        major: String::new(),
        agri_major: false,
        full_time: true,
        status: zizhu_domain::Status::Graduated,
        difficulty: last
            .map(|l| l.difficulty)
            .unwrap_or(zizhu_domain::Difficulty::NotDifficult),
        birth_date: None,
        sex: None,
    }
}
