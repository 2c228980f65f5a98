//! Copying a whole database to another backend (`zizhu migrate-store`, backup, restore): every
//! table arrives with its ids and the same checksum, reads give the same answers, new rows get
//! new ids afterwards, and a target that already holds data is refused untouched.

use crate::compute::{line, run, run_meta};
use crate::support::*;
use zizhu_domain::{Area, Category, ListKind, ListRecord};
use zizhu_store::{Db, NewCategory, NewEntitlement, NewQualityIssue, NewTrace, RunSummary};

story!(copy_round_trip, copy_refuses_a_target_with_data);

async fn fresh_memory() -> Result<Db, Box<dyn std::error::Error + Send + Sync>> {
    let db = Db::connect("sqlite::memory:").await?;
    db.migrate().await?;
    Ok(db)
}

/// Something in every table: lists of every kind, two terms of registry, two compute runs with
/// categories, roster lines and quality issues, and the audit entries all of these wrote.
async fn fill(db: &Db) -> TestResult {
    import(
        db,
        meta(ListKind::Schools, "schools.csv", None),
        vec![ListRecord::School(school("S1", "测试一中", "甲镇"))],
    )
    .await?;
    import_students(db, autumn(2023), &[1, 2, 3], "S1").await?;
    import_students(db, spring(2023), &[1], "S1").await?;
    // A web account (its audit entry has an after-value), copied with the county's data.
    let access = zizhu_domain::access::Access::new(
        zizhu_domain::access::Role::SchoolOfficer,
        None,
        Some("S1"),
    )?;
    db.add_user(&zizhu_store::NewUser {
        username: "s1.officer",
        display_name: "测试专干",
        access: &access,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
        created_by: "test",
    })
    .await?;
    assert!(
        db.add_api_token("s1.officer", "token-sha", "测试系统", "test")
            .await?
    );
    let poor_id = import(
        db,
        meta(ListKind::PoorHouseholds, "poor.csv", None),
        vec![ListRecord::PoorMember(poor(1))],
    )
    .await?;
    import(
        db,
        meta(ListKind::Dibao, "dibao.csv", None),
        vec![ListRecord::Assistance(assistance(2, Area::Rural))],
    )
    .await?;
    import(
        db,
        meta(ListKind::Disabled, "dis.csv", None),
        vec![ListRecord::Disabled(disabled(3))],
    )
    .await?;
    import(
        db,
        meta(ListKind::CollegeAdmissions, "gk.csv", None),
        vec![ListRecord::Admission(admission(1, 2023))],
    )
    .await?;
    // 回查监测 (四(二)): one gap, with the optional columns empty.
    db.record_recheck(
        autumn(2023),
        &[zizhu_store::NewGap {
            household_no: "HH00001".into(),
            id_number: ids(1),
            name: "测试学生1".into(),
            township: "甲镇".into(),
            school_code: "S1".into(),
            kind: zizhu_domain::recheck::GapKind::Unpaid,
            detail: "寄宿生生活补助（无收款账户）".into(),
        }],
        zizhu_store::PayActor {
            name: "county",
            origin: None,
        },
    )
    .await?;
    // 师范定向 (三(二)): one line with a floor by proportion (nullable columns both ways) and one
    // applicant.
    import(
        db,
        meta(ListKind::AdmissionLines, "lines.csv", None),
        vec![ListRecord::AdmissionLine(
            zizhu_domain::admission::CategoryLine {
                year: 2023,
                category: "小学全科教师".into(),
                control_line: zizhu_domain::admission::Score(5300),
                floor: zizhu_domain::admission::Floor::Proportion {
                    percent_bp: 6000,
                    total: zizhu_domain::admission::Score(8000),
                },
            },
        )],
    )
    .await?;
    import(
        db,
        meta(ListKind::AdmissionApplicants, "applicants.csv", None),
        vec![ListRecord::Applicant(zizhu_domain::admission::Applicant {
            year: 2023,
            id_number: ids(1),
            name: "测试学生1".into(),
            category: "小学全科教师".into(),
            score: zizhu_domain::admission::Score(5105),
            fresh_graduate: true,
            hukou_in_county: true,
        })],
    )
    .await?;
    // 零收费 (三(一)): an imported issue and one entered on the web (nullable columns both ways).
    import(
        db,
        meta(ListKind::ZeroFeeIssues, "zero-fee.csv", None),
        vec![ListRecord::ZeroFeeIssue(crate::zero_fee::issue(
            1,
            "S1",
            2023,
            zizhu_domain::zero_fee::ZeroFeeItem::AccidentInsurance,
        ))],
    )
    .await?;
    db.record_zero_fee_issue(
        &crate::zero_fee::issue(
            2,
            "S1",
            2023,
            zizhu_domain::zero_fee::ZeroFeeItem::SchoolUniform,
        ),
        zizhu_store::PayActor {
            name: "tester",
            origin: None,
        },
    )
    .await?;
    // 交流轮岗 (三(三)): one teacher with and one without the optional columns, one assignment.
    let teacher = |n: u32, staff: Option<&str>| {
        ListRecord::Teacher(zizhu_domain::exchange::Teacher {
            id_number: ids(n),
            name: format!("测试教师{n}"),
            school_code: "3607310001".into(),
            staff_no: staff.map(str::to_string),
            stage: staff.map(|_| "小学".to_string()),
        })
    };
    import(
        db,
        meta(ListKind::Teachers, "teachers.csv", None),
        vec![teacher(3, Some("T001")), teacher(4, None)],
    )
    .await?;
    import(
        db,
        meta(ListKind::TeacherExchanges, "exchanges.csv", None),
        vec![ListRecord::TeacherExchange(
            zizhu_domain::exchange::Assignment {
                id_number: ids(3),
                name: "测试教师3".into(),
                from_school: "3607310001".into(),
                to_school: "3607310002".into(),
                start: chrono::NaiveDate::from_ymd_opt(2023, 9, 1).unwrap_or_default(),
                end: chrono::NaiveDate::from_ymd_opt(2024, 7, 15).unwrap_or_default(),
            },
        )],
    )
    .await?;
    let cat = NewCategory {
        id_number: ids(1),
        category: Category::RegisteredPoor,
        list: ListKind::PoorHouseholds,
        import_id: poor_id,
        row_no: 2,
        detail: "已脱贫（2019年）".into(),
    };
    let issue = NewQualityIssue {
        code: "DQ-001".into(),
        id_number: Some(ids(2)),
        school_code: None,
        source: "学籍 第 3 行".into(),
        detail: "同一身份证件号在两所学校注册".into(),
    };
    run(
        db,
        run_meta(spring(2023), "v1"),
        std::slice::from_ref(&cat),
        &[line(1, "S1", "college_entrance_gov_aid", 500_000)],
        &[],
    )
    .await?;
    // The autumn run's lines share a trace (migration 0004); one line has none.
    let mut tx = db.begin_compute(&run_meta(autumn(2023), "v1")).await?;
    tx.insert_categories(&[cat]).await?;
    tx.insert_entitlements(&[
        NewEntitlement {
            facts: "[{\"row\":2}]".into(),
            trace: Some(0),
            payee: "guardian".into(),
            ..line(1, "S1", "boarding_living_subsidy", 62_500)
        },
        line(2, "S1", "nonboarding_living_subsidy", 31_250),
    ])
    .await?;
    tx.insert_traces(&[NewTrace {
        trace_no: 0,
        body: "\"clause\":\"二(一)2\"".into(),
    }])
    .await?;
    tx.insert_quality(&[issue]).await?;
    tx.commit(RunSummary::default()).await?;

    // Dropout control: the population, a term's returns, a case with its events.
    import(
        db,
        meta(ListKind::Residents, "residents.csv", None),
        vec![ListRecord::Resident(zizhu_domain::Resident {
            id: zizhu_domain::IdNumber::parse(&ids(5))?.0,
            name: "测试儿童戊".into(),
            sex: None,
            township: "甲镇".into(),
            village: "一村".into(),
            household_no: "H5".into(),
            guardian: String::new(),
            guardian_phone: String::new(),
            zone_school: Some("3607310001".into()),
            orphan: false,
            unsupported: false,
            left_behind: true,
            hardship: false,
            migrant: false,
        })],
    )
    .await?;
    import(
        db,
        meta(ListKind::Attendance, "attendance.csv", Some(autumn(2023))),
        vec![ListRecord::Attendance(zizhu_domain::AttendanceEntry {
            school_code: "S1".into(),
            id: zizhu_domain::IdNumber::parse(&ids(1))?.0,
            name: "测试学生".into(),
        })],
    )
    .await?;
    // A payee account (资金发放).
    import(
        db,
        meta(ListKind::PayeeAccounts, "accounts.csv", None),
        vec![ListRecord::PayeeAccount(
            zizhu_domain::payment::PayeeAccount {
                student_id: zizhu_domain::IdNumber::parse(&ids(1))?.0,
                student_name: "测试学生".into(),
                payee_name: "测试家长".into(),
                relation: "母亲".into(),
                kind: zizhu_domain::payment::AccountKind::BankCard,
                number: zizhu_domain::payment::AccountNo::parse(
                    zizhu_domain::payment::AccountKind::BankCard,
                    "6222020000000000018",
                )?,
                bank: "测试银行".into(),
            },
        )],
    )
    .await?;
    let case = crate::cases::open(db, &[crate::cases::child(5)]).await?;
    let actor = zizhu_store::Actor {
        name: "县资助中心".into(),
        level: zizhu_domain::dropout::UserLevel::County,
        origin: None,
    };
    let rules = zizhu_domain::dropout::DropoutRules {
        entry_age: 6,
        cutoff: (8, 31),
        years: 9,
        verify_days: 7,
        action_days: 30,
        home_teaching_days: 30,
        monitor_days: 120,
        close_days: 7,
        suspension_terms: 2,
    };
    let day = chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap_or_default();
    db.move_case(
        case[0],
        &zizhu_domain::dropout::Move::Verify,
        &actor,
        day,
        &rules,
        "",
    )
    .await?;
    // A school's confirmation of the autumn roster, its township's review (every school with
    // roster lines reviewed, as the lock requires) and the county's lock.
    let run = db.latest_run(autumn(2023)).await?.ok_or("run")?.id;
    use zizhu_domain::approval::SignoffStep::{Confirm, Review};
    let schools: std::collections::BTreeSet<String> = db
        .entitlement_totals(autumn(2023))
        .await?
        .into_iter()
        .map(|t| t.school_code)
        .collect();
    for s in &schools {
        db.signoff(autumn(2023), s, Confirm, run, None, "学校专干", "-", "")
            .await?;
        let confirmed = Some((Confirm, run));
        db.signoff(autumn(2023), s, Review, run, confirmed, "乡镇专干", "-", "")
            .await?;
    }
    db.lock_term(autumn(2023), run, "县资助中心", "-", "同意")
        .await?;
    // An adjustment after the lock (a student found eligible late).
    let late = zizhu_store::NewAdjustment {
        id_number: ids(3),
        name: "测试学生3".into(),
        school_code: "S1".into(),
        program: "boarding_living_subsidy".into(),
        program_name: "寄宿生生活补助".into(),
        clause: "二(一)2".into(),
        payee: "guardian".into(),
        kind: "back_pay",
        amount_fen: 62_500,
        before_fen: 0,
        after_fen: 62_500,
        reason: "锁定后新符合条件".into(),
    };
    let who0 = zizhu_store::PayActor {
        name: "县资助中心",
        origin: None,
    };
    db.record_adjustments(autumn(2023), run, &[late], 0, who0)
        .await?;
    // Paid: a batch of the locked roster, submitted, and the bank's return (the ledger).
    let who = zizhu_store::PayActor {
        name: "资助中心会计",
        origin: None,
    };
    let groups = [zizhu_store::BatchGroup {
        fund_source: "城乡义务教育经费保障机制资金".into(),
        paying_unit: "县学生资助管理中心".into(),
        programs: vec!["boarding_living_subsidy".into()],
        per_school: false,
    }];
    let batch = db.create_batches(autumn(2023), &groups, who).await?[0];
    db.prepare_bank_file(batch, who).await?;
    db.submit_batch(batch, who).await?;
    let line = db.batch_lines(batch).await?[0].id;
    let paid = zizhu_store::ReturnLine {
        line_id: line,
        outcome: zizhu_domain::payment::LineOutcome::Paid,
        reason: String::new(),
        on: chrono::NaiveDate::from_ymd_opt(2023, 11, 20).unwrap_or_default(),
    };
    db.record_return(batch, &[paid], who).await?;
    // Its family called back (回访).
    let drawn = db.drawable(autumn(2023)).await?;
    db.add_verifications(autumn(2023), &drawn, "test", who)
        .await?;
    // 群众反映问题 (四(三)): a ticket about the paid line's student, linked to the line, started
    // (its history has a from-state; the resolution day and case stay empty).
    let paid_to = db.batch_lines(batch).await?[0].id_number.clone();
    let county = zizhu_store::ComplaintActor {
        name: "county".into(),
        handler: zizhu_domain::complaint::Handler {
            level: zizhu_domain::dropout::UserLevel::County,
            unit: String::new(),
        },
        origin: None,
    };
    let all = zizhu_store::ScopeFilter {
        township: None,
        school: None,
    };
    let rules = zizhu_domain::complaint::ComplaintRules {
        days: [15, 15, 7, 15, 30],
        count: zizhu_domain::complaint::DayCount::Calendar,
        holidays: Default::default(),
        workdays: Default::default(),
    };
    let lodged = chrono::NaiveDate::from_ymd_opt(2023, 11, 21).unwrap_or_default();
    let ticket = zizhu_store::NewComplaint {
        id_number: paid_to,
        category: zizhu_domain::complaint::ComplaintCategory::WrongAmount,
        source: zizhu_domain::complaint::ComplaintSource::Teacher,
        complainant: "测试教师".into(),
        contact: "13800002222".into(),
        summary: "到账金额与公示不符".into(),
        payment_line_id: Some(line),
        case_id: None,
        lodged_on: lodged,
    };
    let t = db.lodge_complaint(&ticket, &county, all, &rules).await?;
    let start = zizhu_domain::complaint::Transition::Start;
    db.move_complaint(t.id, &start, &county, all, lodged, "")
        .await?;
    Ok(())
}

async fn copy_round_trip(target: &Db) -> TestResult {
    let source = fresh_memory().await?;
    fill(&source).await?;
    let seen = std::sync::Mutex::new(Vec::new());
    let copied = source
        .copy_to(
            target,
            &|table, n| {
                if let Ok(mut s) = seen.lock() {
                    s.push((table.to_string(), n));
                }
            },
            None,
        )
        .await?;
    // Every table has rows and the same figures on both sides.
    assert!(copied.iter().all(|t| t.rows > 0), "{copied:?}");
    assert_eq!(source.table_checksums().await?, copied);
    assert_eq!(target.table_checksums().await?, copied);
    let students = copied.iter().find(|t| t.table == "student").map(|t| t.rows);
    assert_eq!(students, Some(4));
    assert!(seen
        .lock()
        .map(|s| s.contains(&("student".to_string(), 4)))
        .unwrap_or(false));

    // The same answers from the copy.
    let term = autumn(2023);
    // 师范定向: the floor by proportion comes back whole; member 1's household exited poverty,
    // so it counts only when exited households do (三(二), policy include_exited).
    assert_eq!(
        target.admission_lines(2023).await?,
        source.admission_lines(2023).await?
    );
    assert_eq!(target.admission_applicants(2023).await?.len(), 1);
    let asked = [ids(1), ids(2)];
    assert_eq!(
        target.registered_poor_among(&asked, true).await?,
        [ids(1)].into_iter().collect()
    );
    assert!(target
        .registered_poor_among(&asked, false)
        .await?
        .is_empty());
    assert_eq!(target.admission_years().await?, vec![2023]);
    // (The web entry's time may lose its nanoseconds on PostgreSQL.)
    let brief = |v: Vec<zizhu_store::StoredIssue>| {
        v.into_iter()
            .map(|s| (s.id, s.issue, s.source, s.entered.map(|e| e.0)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        brief(target.zero_fee_issues(2023).await?),
        brief(source.zero_fee_issues(2023).await?)
    );
    assert_eq!(target.zero_fee_issues(2023).await?.len(), 2);
    // 交流轮岗: teachers (optional columns empty both ways) and the dated assignment.
    assert_eq!(target.teachers().await?, source.teachers().await?);
    assert_eq!(target.teachers().await?.len(), 2);
    assert_eq!(
        target.teacher_exchanges().await?,
        source.teacher_exchanges().await?
    );
    assert_eq!(target.teacher_exchanges().await?.len(), 1);
    assert_eq!(
        target.student_page(term, 0, 100).await?,
        source.student_page(term, 0, 100).await?
    );
    assert_eq!(
        target.entitlements(term, 0, 100).await?,
        source.entitlements(term, 0, 100).await?
    );
    assert_eq!(
        target.person(term, &ids(1)).await?,
        source.person(term, &ids(1)).await?
    );
    let ids_of = |v: Vec<zizhu_store::ImportBatchRow>| {
        v.into_iter()
            .map(|b| (b.id, b.kind, b.file_name, b.sha256, b.rows))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids_of(target.imports().await?),
        ids_of(source.imports().await?)
    );

    // New rows after the copy get ids past the copied ones (PostgreSQL sequences were moved).
    let last = target.imports().await?.first().map(|b| b.id).unwrap_or(0);
    let new_id = import_students(target, spring(2024), &[9], "S1").await?;
    assert!(new_id > last, "{new_id} > {last}");
    target.audit("测试员", "test", "copy", "after copy").await?;

    // And back to SQLite: the target's figures, now including the new rows.
    let back = fresh_memory().await?;
    let again = target.copy_to(&back, &|_, _| {}, None).await?;
    assert_eq!(back.table_checksums().await?, again);
    assert_eq!(target.table_checksums().await?, again);
    Ok(())
}

async fn copy_refuses_a_target_with_data(target: &Db) -> TestResult {
    let source = fresh_memory().await?;
    fill(&source).await?;
    import_students(target, autumn(2023), &[7], "S7").await?;
    let before = target.table_checksums().await?;
    let err = source.copy_to(target, &|_, _| {}, None).await.err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("目标数据库不是空的"), "{msg}");
    assert_eq!(target.table_checksums().await?, before, "nothing written");
    Ok(())
}
