//! Computed rosters: written in one transaction, a re-run replaces the term, read back paged,
//! per person and as totals; the unique (term, person, program) constraint; earlier grants.

use crate::support::*;
use std::collections::HashSet;
use zizhu_domain::{Area, Category, ListKind, ListRecord, Term};
use zizhu_store::{
    Db, NewCategory, NewEntitlement, NewQualityIssue, NewTrace, RunMeta, RunSummary, StoreError,
    TotalRow,
};

story!(
    compute_replace,
    unique_entitlement,
    two_terms_at_once,
    prior_grants,
    person_records,
    dangling_references,
    traces_spliced
);

pub(crate) fn run_meta(term: Term, version: &str) -> RunMeta {
    RunMeta {
        origin: None,
        term,
        policy_id: "jx-county-2023".into(),
        policy_version: version.into(),
        policy_sha256: format!("policy-sha-{version}"),
        actor: "计算员".into(),
    }
}

pub(crate) fn line(n: u32, school_code: &str, program: &str, amount_fen: i64) -> NewEntitlement {
    NewEntitlement {
        id_number: ids(n),
        name: format!("测试学生{n}"),
        student_no: format!("G{}", ids(n)),
        school_code: school_code.into(),
        program: program.into(),
        program_name: format!("{program}-名称"),
        clause: "二(一)2".into(),
        amount_fen,
        payee: "监护人".into(),
        facts: format!("{{\"n\":{n}}}"),
        trace: None,
    }
}

/// Writes one committed run; returns its id.
pub(crate) async fn run(
    db: &Db,
    meta: RunMeta,
    cats: &[NewCategory],
    lines: &[NewEntitlement],
    issues: &[NewQualityIssue],
) -> Result<i64, StoreError> {
    let mut tx = db.begin_compute(&meta).await?;
    tx.insert_categories(cats).await?;
    tx.insert_entitlements(lines).await?;
    tx.insert_quality(issues).await?;
    let total = lines.iter().map(|l| l.amount_fen).sum();
    let summary = RunSummary {
        students: 4,
        entitlements: lines.len() as i64,
        total_fen: total,
    };
    tx.commit(summary).await
}

async fn compute_replace(db: &Db) -> TestResult {
    import(
        db,
        meta(ListKind::Schools, "schools.csv", None),
        vec![
            ListRecord::School(school("S1", "测试一中", "甲镇")),
            ListRecord::School(school("S2", "测试二中", "乙镇")),
        ],
    )
    .await?;
    let stu = import_students(db, autumn(2023), &[1, 2, 3, 4], "S1").await?;
    let poor_import = import(
        db,
        meta(ListKind::PoorHouseholds, "poor.csv", None),
        vec![ListRecord::PoorMember(poor(1))],
    )
    .await?;

    let cats = vec![
        NewCategory {
            id_number: ids(1),
            category: Category::RegisteredPoor,
            list: ListKind::PoorHouseholds,
            import_id: poor_import,
            row_no: 2,
            detail: "已脱贫 2019".into(),
        },
        NewCategory {
            id_number: ids(1),
            category: Category::SchoolRecognized,
            list: ListKind::Students,
            import_id: stu,
            row_no: 2,
            detail: "特别困难".into(),
        },
        NewCategory {
            id_number: ids(2),
            category: Category::SchoolRecognized,
            list: ListKind::Students,
            import_id: stu,
            row_no: 3,
            detail: String::new(),
        },
    ];
    let lines = vec![
        line(1, "S1", "boarding_living_subsidy", 62_500),
        line(2, "S1", "boarding_living_subsidy", 62_500),
        line(3, "S1", "nonboarding_living_subsidy", 25_000),
        line(4, "S-UNKNOWN", "hs_national_grant", 125_000),
        line(5, "S2", "boarding_living_subsidy", 50_000),
    ];
    let issues = vec![NewQualityIssue {
        code: "E-DUP-001".into(),
        id_number: Some(ids(4)),
        school_code: None,
        source: "学籍 第 5 行".into(),
        detail: "学校代码不在学校名单中".into(),
    }];
    let run1 = run(db, run_meta(autumn(2023), "v1"), &cats, &lines, &issues).await?;
    let other_term = run(
        db,
        run_meta(spring(2024), "v1"),
        &[],
        &[line(1, "S1", "boarding_living_subsidy", 62_500)],
        &[],
    )
    .await?;

    // Paging through the roster.
    let mut pages = Vec::new();
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = db.entitlements(autumn(2023), after, 2).await?;
        pages.push(page.len());
        let Some(last) = page.last() else { break };
        after = last.key;
        all.extend(page);
    }
    assert_eq!(pages, vec![2, 2, 1, 0]);
    let got: Vec<(String, String, String, i64)> = all
        .iter()
        .map(|e| {
            (
                e.id_number.clone(),
                e.school_name.clone(),
                e.township.clone(),
                e.amount_fen,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (ids(1), "测试一中".into(), "甲镇".into(), 62_500),
            (ids(2), "测试一中".into(), "甲镇".into(), 62_500),
            (ids(3), "测试一中".into(), "甲镇".into(), 25_000),
            (ids(4), String::new(), String::new(), 125_000),
            (ids(5), "测试二中".into(), "乙镇".into(), 50_000),
        ]
    );
    let mine = db.entitlements_for(autumn(2023), &ids(1)).await?;
    assert_eq!(mine.len(), 1);
    let e = &mine[0];
    let want = line(1, "S1", "boarding_living_subsidy", 62_500);
    assert_eq!(
        (
            &e.name,
            &e.student_no,
            &e.program,
            &e.program_name,
            &e.clause,
            &e.payee,
            &e.facts,
            e.run_id,
            e.term
        ),
        (
            &want.name,
            &want.student_no,
            &want.program,
            &want.program_name,
            &want.clause,
            &want.payee,
            &want.facts,
            run1,
            autumn(2023)
        )
    );

    // Totals, worked by hand: S1 boarding 62 500 + 62 500; the unknown school has no township.
    let totals = db.entitlement_totals(autumn(2023)).await?;
    let t =
        |township: &str, code: &str, name: &str, program: &str, headcount, amount_fen| TotalRow {
            township: township.into(),
            school_code: code.into(),
            school_name: name.into(),
            program: program.into(),
            program_name: format!("{program}-名称"),
            headcount,
            amount_fen,
        };
    assert_eq!(
        totals,
        vec![
            t("", "S-UNKNOWN", "", "hs_national_grant", 1, 125_000),
            t(
                "乙镇",
                "S2",
                "测试二中",
                "boarding_living_subsidy",
                1,
                50_000
            ),
            t(
                "甲镇",
                "S1",
                "测试一中",
                "boarding_living_subsidy",
                2,
                125_000
            ),
            t(
                "甲镇",
                "S1",
                "测试一中",
                "nonboarding_living_subsidy",
                1,
                25_000
            ),
        ]
    );

    let c = db.categories_for(autumn(2023), &ids(1)).await?;
    let got: Vec<_> = c
        .iter()
        .map(|c| {
            (
                c.category,
                c.list,
                c.import_id,
                c.row_no,
                c.detail.as_str(),
                c.run_id,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Category::RegisteredPoor,
                ListKind::PoorHouseholds,
                poor_import,
                2,
                "已脱贫 2019",
                run1
            ),
            (
                Category::SchoolRecognized,
                ListKind::Students,
                stu,
                2,
                "特别困难",
                run1
            ),
        ]
    );
    let q = db.quality_issues(autumn(2023)).await?;
    assert_eq!(q.len(), 1);
    assert_eq!(
        (
            q[0].code.as_str(),
            q[0].id_number.clone(),
            q[0].school_code.clone()
        ),
        ("E-DUP-001", Some(ids(4)), None)
    );
    let r = db.latest_run(autumn(2023)).await?.ok_or("run recorded")?;
    assert_eq!(
        (r.id, r.students, r.entitlements, r.total_fen),
        (run1, 4, 5, 325_000)
    );
    assert_eq!(
        (
            r.policy_version.as_str(),
            r.policy_sha256.as_str(),
            r.actor.as_str()
        ),
        ("v1", "policy-sha-v1", "计算员")
    );
    assert!(r.finished_at >= r.started_at);

    // A re-run replaces the term, and only the term.
    let run2 = run(
        db,
        run_meta(autumn(2023), "v2"),
        &[],
        &[line(3, "S1", "nonboarding_living_subsidy", 25_000)],
        &[],
    )
    .await?;
    let after_rerun = db.entitlements(autumn(2023), 0, 100).await?;
    assert_eq!(
        after_rerun
            .iter()
            .map(|e| (e.id_number.clone(), e.run_id))
            .collect::<Vec<_>>(),
        vec![(ids(3), run2)]
    );
    assert!(db.categories_for(autumn(2023), &ids(1)).await?.is_empty());
    assert!(db.quality_issues(autumn(2023)).await?.is_empty());
    assert_eq!(
        db.latest_run(autumn(2023))
            .await?
            .map(|r| (r.id, r.policy_version)),
        Some((run2, "v2".into()))
    );
    let spring_lines = db.entitlements(spring(2024), 0, 100).await?;
    assert_eq!(
        spring_lines.iter().map(|e| e.run_id).collect::<Vec<_>>(),
        vec![other_term]
    );

    // A run dropped before commit leaves the previous results.
    {
        let mut tx = db.begin_compute(&run_meta(autumn(2023), "v3")).await?;
        tx.insert_entitlements(&[line(9, "S1", "x", 1)]).await?;
    }
    assert_eq!(db.entitlements(autumn(2023), 0, 100).await?, after_rerun);
    assert_eq!(db.latest_run(autumn(2023)).await?.map(|r| r.id), Some(run2));
    assert_eq!(db.latest_run(autumn(2020)).await?, None);
    Ok(())
}

/// Two computes of different terms at the same time both commit, each with its own lines (on
/// PostgreSQL each swaps its term's partition in turn; with stage tables made by `LIKE` the two
/// deadlocked at their swaps). On SQLite the second waits for the first's write lock.
async fn two_terms_at_once(db: &Db) -> TestResult {
    for round in 0..3 {
        let version = format!("v{round}");
        let first = [line(1, "S1", "boarding_living_subsidy", 62_500)];
        let second = [line(2, "S1", "boarding_living_subsidy", 1)];
        let (a, b) = tokio::join!(
            run(db, run_meta(autumn(2023), &version), &[], &first, &[],),
            run(db, run_meta(spring(2024), &version), &[], &second, &[]),
        );
        let (a, b) = (a?, b?);
        let autumn_lines = db.entitlements(autumn(2023), 0, 10).await?;
        let spring_lines = db.entitlements(spring(2024), 0, 10).await?;
        assert_eq!(
            autumn_lines.iter().map(|l| l.run_id).collect::<Vec<_>>(),
            vec![a]
        );
        assert_eq!(
            spring_lines.iter().map(|l| l.run_id).collect::<Vec<_>>(),
            vec![b]
        );
    }
    Ok(())
}

/// Writes each batch of lines in its own call, then commits; the first error, if any.
async fn write_then_commit(
    db: &Db,
    meta: RunMeta,
    batches: &[&[NewEntitlement]],
) -> Result<i64, StoreError> {
    let mut tx = db.begin_compute(&meta).await?;
    for b in batches {
        tx.insert_entitlements(b).await?;
    }
    tx.commit(RunSummary::default()).await
}

async fn unique_entitlement(db: &Db) -> TestResult {
    let first = run(
        db,
        run_meta(autumn(2023), "v1"),
        &[],
        &[line(1, "S1", "boarding_living_subsidy", 62_500)],
        &[],
    )
    .await?;

    // The same line twice, in two calls… The run is refused: on SQLite at the second write, on
    // PostgreSQL at the commit, where the run's own table gets its unique key (stage.rs); either
    // way nothing of it is kept.
    let again = write_then_commit(
        db,
        run_meta(autumn(2023), "v2"),
        &[
            &[line(2, "S1", "boarding_living_subsidy", 62_500)],
            &[line(2, "S1", "boarding_living_subsidy", 1)],
        ],
    )
    .await;
    let msg = again
        .as_ref()
        .map_err(ToString::to_string)
        .err()
        .unwrap_or_default();
    assert!(
        matches!(again, Err(StoreError::UniqueViolation { .. })),
        "{again:?}"
    );
    assert!(
        msg.starts_with("数据库错误：写入资助名单失败，记录重复"),
        "{msg}"
    );

    // …and twice in one batch.
    let twice = write_then_commit(
        db,
        run_meta(autumn(2023), "v3"),
        &[&[line(3, "S1", "p", 1), line(3, "S2", "p", 2)]],
    )
    .await;
    assert!(
        twice.as_ref().is_err_and(StoreError::is_unique_violation),
        "{twice:?}"
    );

    // The committed roster is untouched; the same person and program in another term is fine.
    let lines = db.entitlements(autumn(2023), 0, 10).await?;
    assert_eq!(
        lines
            .iter()
            .map(|e| (e.id_number.clone(), e.run_id))
            .collect::<Vec<_>>(),
        vec![(ids(1), first)]
    );
    run(
        db,
        run_meta(spring(2024), "v1"),
        &[],
        &[line(1, "S1", "boarding_living_subsidy", 62_500)],
        &[],
    )
    .await?;
    Ok(())
}

async fn prior_grants(db: &Db) -> TestResult {
    let college = "college_entrance_gov_aid";
    let boarding = "boarding_living_subsidy";
    run(
        db,
        run_meta(spring(2023), "v1"),
        &[],
        &[line(1, "S", college, 500_000)],
        &[],
    )
    .await?;
    run(
        db,
        run_meta(autumn(2023), "v1"),
        &[],
        &[
            line(2, "S", college, 500_000),
            line(1, "S", boarding, 62_500),
        ],
        &[],
    )
    .await?;
    run(
        db,
        run_meta(spring(2024), "v1"),
        &[],
        &[line(3, "S", college, 500_000)],
        &[],
    )
    .await?;

    let pair = |n: u32, p: &str| (ids(n), p.to_string());
    let before_2024 = db
        .prior_grants(&[college.to_string()], spring(2024))
        .await?;
    assert_eq!(
        before_2024,
        HashSet::from([pair(1, college), pair(2, college)])
    );
    let before_autumn = db
        .prior_grants(&[college.to_string()], autumn(2023))
        .await?;
    assert_eq!(before_autumn, HashSet::from([pair(1, college)]));
    let both = db
        .prior_grants(&[college.to_string(), boarding.to_string()], spring(2024))
        .await?;
    assert_eq!(
        both,
        HashSet::from([pair(1, college), pair(2, college), pair(1, boarding)])
    );
    assert!(db.prior_grants(&[], spring(2025)).await?.is_empty());
    assert!(db
        .prior_grants(&[college.to_string()], spring(2023))
        .await?
        .is_empty());
    Ok(())
}

/// `Db::person` (one query on SQLite, several side by side on PostgreSQL) gives exactly what the
/// single-purpose reads give, for a person on every list and for a person on none.
async fn person_records(db: &Db) -> TestResult {
    import(
        db,
        meta(ListKind::Schools, "schools.csv", None),
        vec![
            ListRecord::School(school("S1", "测试一中", "甲镇")),
            ListRecord::School(school("S2", "测试二中", "乙镇")),
        ],
    )
    .await?;
    // Person 1 enrolled twice in the term (two schools), once in another term.
    import(
        db,
        meta(ListKind::Students, "s.csv", Some(autumn(2023))),
        vec![
            ListRecord::Student(student(1, "S1")),
            ListRecord::Student(student(2, "S1")),
            ListRecord::Student(student(1, "S2")),
        ],
    )
    .await?;
    import_students(db, spring(2023), &[1], "S2").await?;
    import(
        db,
        meta(ListKind::PoorHouseholds, "poor.csv", None),
        vec![ListRecord::PoorMember(poor(1))],
    )
    .await?;
    import(
        db,
        meta(ListKind::Dibao, "dibao.csv", None),
        vec![ListRecord::Assistance(assistance(1, Area::Rural))],
    )
    .await?;
    import(
        db,
        meta(ListKind::Disabled, "dis.csv", None),
        vec![ListRecord::Disabled(disabled(1))],
    )
    .await?;
    import(
        db,
        meta(ListKind::CollegeAdmissions, "gk.csv", None),
        vec![ListRecord::Admission(admission(1, 2023))],
    )
    .await?;
    let college = "college_entrance_gov_aid";
    run(
        db,
        run_meta(spring(2023), "v1"),
        &[],
        &[line(1, "S2", college, 500_000)],
        &[],
    )
    .await?;
    run(
        db,
        run_meta(autumn(2023), "v1"),
        &[],
        &[
            line(1, "S1", "boarding_living_subsidy", 62_500),
            line(2, "S1", "boarding_living_subsidy", 62_500),
        ],
        &[],
    )
    .await?;

    let term = autumn(2023);
    let p = db.person(term, &ids(1)).await?;
    assert_eq!(p.lists, db.list_rows_for(&ids(1)).await?);
    assert_eq!(p.lists.poor_members.len(), 1);
    assert_eq!(p.lists.assistance.len(), 1);
    assert_eq!(p.lists.disabled.len(), 1);
    assert_eq!(p.lists.admissions.len(), 1);
    assert_eq!(p.students, db.students_for(term, &ids(1)).await?);
    assert_eq!(
        p.students
            .iter()
            .map(|s| s.record.school_code.as_str())
            .collect::<Vec<_>>(),
        vec!["S1", "S2"]
    );
    assert_eq!(
        p.schools,
        vec![
            school("S1", "测试一中", "甲镇"),
            school("S2", "测试二中", "乙镇")
        ]
    );
    assert_eq!(p.entitlements, db.entitlements_for(term, &ids(1)).await?);
    assert_eq!(p.entitlements.len(), 1);
    assert_eq!(p.entitlements[0].facts, "{\"n\":1}");
    assert_eq!(p.earlier_programs, HashSet::from([college.to_string()]));
    let imports: Vec<(i64, String)> = db
        .imports()
        .await?
        .into_iter()
        .rev()
        .map(|b| (b.id, b.file_name))
        .collect();
    assert_eq!(p.import_names, imports);
    assert_eq!(p.import_names.len(), 7);

    let nobody = db.person(term, &ids(77)).await?;
    assert_eq!(
        (
            nobody.lists,
            nobody.students,
            nobody.schools,
            nobody.entitlements,
            nobody.earlier_programs
        ),
        Default::default()
    );
    assert_eq!(nobody.import_names, imports);
    Ok(())
}

/// Migration 0003 dropped the foreign keys of computed results (bulk writes); the check that
/// replaces them finds nothing in what zizhu writes and finds a category naming a missing import.
async fn dangling_references(db: &Db) -> TestResult {
    let stu = import_students(db, autumn(2023), &[1, 2], "S1").await?;
    let cat = |import_id: i64| NewCategory {
        id_number: ids(1),
        category: Category::SchoolRecognized,
        list: ListKind::Students,
        import_id,
        row_no: 2,
        detail: "特别困难".into(),
    };
    run(
        db,
        run_meta(autumn(2023), "v1"),
        &[cat(stu)],
        &[line(1, "S1", "p", 100)],
        &[],
    )
    .await?;
    assert_eq!(db.dangling_references().await?, vec![]);

    run(
        db,
        run_meta(autumn(2023), "v2"),
        &[cat(stu + 1000)],
        &[line(1, "S1", "p", 100)],
        &[],
    )
    .await?;
    assert_eq!(
        db.dangling_references().await?,
        vec![("困难类别引用了不存在的导入批次", 1)]
    );
    Ok(())
}

/// Migration 0004: a line that names a trace of its run reads back with the whole facts object,
/// the trace's members followed by its own `sources`; a line without one keeps its facts as
/// written; a re-run of the term removes the old run's traces; a line naming a trace its run
/// does not have is found by the reference check.
async fn traces_spliced(db: &Db) -> TestResult {
    let traced = |n: u32, trace: u32| NewEntitlement {
        facts: format!("[{{\"row\":{n}}}]"),
        trace: Some(trace),
        ..line(n, "S1", "p", 100)
    };
    let traces = [
        NewTrace {
            trace_no: 0,
            body: "\"term\":\"2023秋\",\"clause\":\"二(一)2\"".into(),
        },
        NewTrace {
            trace_no: 1,
            body: "\"clause\":\"二(二)1\"".into(),
        },
    ];
    let mut tx = db.begin_compute(&run_meta(autumn(2023), "v1")).await?;
    tx.insert_entitlements(&[
        traced(1, 0),
        traced(2, 1),
        traced(3, 0),
        line(4, "S1", "p", 5),
    ])
    .await?;
    tx.insert_traces(&traces).await?;
    tx.commit(RunSummary::default()).await?;
    // A number is given once per run.
    let mut again = db.begin_compute(&run_meta(spring(2024), "v1")).await?;
    again.insert_traces(&traces[..1]).await?;
    assert!(again
        .insert_traces(&traces[..1])
        .await
        .unwrap_err()
        .is_unique_violation());
    again.rollback().await?;

    let facts = |rows: Vec<zizhu_store::EntitlementRow>| -> Vec<String> {
        rows.into_iter().map(|e| e.facts).collect()
    };
    let want = vec![
        "{\"term\":\"2023秋\",\"clause\":\"二(一)2\",\"sources\":[{\"row\":1}]}".to_string(),
        "{\"clause\":\"二(二)1\",\"sources\":[{\"row\":2}]}".to_string(),
        "{\"term\":\"2023秋\",\"clause\":\"二(一)2\",\"sources\":[{\"row\":3}]}".to_string(),
        "{\"n\":4}".to_string(),
    ];
    assert_eq!(facts(db.entitlements(autumn(2023), 0, 10).await?), want);
    // Per person, by both paths (PostgreSQL's queries, SQLite's one JSON query).
    assert_eq!(
        facts(db.entitlements_for(autumn(2023), &ids(2)).await?),
        want[1..2]
    );
    let person = db.person(autumn(2023), &ids(3)).await?;
    assert_eq!(facts(person.entitlements), want[2..3]);
    for w in &want {
        serde_json::from_str::<serde_json::Value>(w)?;
    }
    assert_eq!(db.dangling_references().await?, vec![]);

    // A re-run without traces: the old run's traces go with its lines.
    run(
        db,
        run_meta(autumn(2023), "v2"),
        &[],
        &[line(1, "S1", "p", 100)],
        &[],
    )
    .await?;
    assert_eq!(
        facts(db.entitlements(autumn(2023), 0, 10).await?),
        vec!["{\"n\":1}"]
    );
    let mut tx = db.begin_compute(&run_meta(autumn(2023), "v3")).await?;
    tx.insert_entitlements(&[traced(1, 7)]).await?;
    tx.commit(RunSummary::default()).await?;
    assert_eq!(
        db.dangling_references().await?,
        vec![("资助名单引用了不存在的资助依据", 1)]
    );
    // Read anyway: the line's own part, not an error.
    assert_eq!(
        facts(db.entitlements(autumn(2023), 0, 10).await?),
        vec!["[{\"row\":1}]"]
    );
    Ok(())
}
