//! Reading for the compute step: keyset paging, the newest registry row per person, a person's
//! rows across the department lists.

use crate::support::*;
use std::collections::HashSet;
use zizhu_domain::{Area, ListKind, ListRecord, Status, StudentRecord};
use zizhu_store::Db;

story!(
    keyset_paging,
    registry_stream,
    latest_student_records,
    person_across_lists
);

async fn keyset_paging(db: &Db) -> TestResult {
    let ns: Vec<u32> = (100..125).collect();
    import_students(db, autumn(2023), &ns, "S1").await?;
    import_students(db, spring(2024), &[1, 2, 3], "S1").await?;
    assert_eq!(db.student_count(autumn(2023)).await?, 25);
    assert_eq!(db.student_count(autumn(2022)).await?, 0);

    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = db.student_page(autumn(2023), after, 10).await?;
        sizes.push(page.len());
        let Some(last) = page.last() else { break };
        after = last.key;
        seen.extend(
            page.into_iter()
                .map(|s| (s.key, s.row_no, s.record.id.as_str().to_string())),
        );
    }
    assert_eq!(sizes, vec![10, 10, 5, 0]);
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "keys strictly increase"
    );
    let got: Vec<(i64, String)> = seen.into_iter().map(|(_, row, id)| (row, id)).collect();
    let want: Vec<(i64, String)> = ns
        .iter()
        .enumerate()
        .map(|(i, &n)| (i as i64 + 2, ids(n)))
        .collect();
    assert_eq!(
        got, want,
        "every row of the term once, in file order, none of another term"
    );
    Ok(())
}

/// The registry as compute streams it (`student_pages`: on PostgreSQL one binary copy with the
/// five yes/no columns packed into one integer) gives back every record as imported, in file
/// order and in pages of the size asked, with the class and major left out.
async fn registry_stream(db: &Db) -> TestResult {
    // Every combination of the five yes/no columns, with and without 户口, 出生日期 and 性别.
    let records: Vec<StudentRecord> = (0..40u32)
        .map(|n| {
            let mut r = student(200 + n, "S-STREAM");
            r.boarding = n & 1 != 0;
            r.special_class = n & 2 != 0;
            r.regular_class_inclusion = n & 4 != 0;
            r.agri_major = n & 8 != 0;
            r.full_time = n & 16 != 0;
            r.status = if n % 9 == 0 {
                Status::Suspended
            } else {
                Status::Enrolled
            };
            r
        })
        .collect();
    let import_id = import(
        db,
        meta(ListKind::Students, "stream.csv", Some(autumn(2023))),
        records.iter().cloned().map(ListRecord::Student).collect(),
    )
    .await?;
    import_students(db, spring(2024), &[1, 2, 3], "S-OTHER").await?;

    let mut pages = db.student_pages(autumn(2023), 15);
    let mut sizes = Vec::new();
    let mut got = Vec::new();
    while let Some(page) = pages.recv().await {
        let page = page?;
        sizes.push(page.len());
        got.extend(page);
    }
    assert_eq!(sizes, vec![15, 15, 10], "pages of the size asked");
    let want: Vec<(i64, i64, StudentRecord)> = (records.into_iter().enumerate())
        .map(|(i, r)| {
            let r = StudentRecord {
                class: String::new(),
                major: String::new(),
                ..r
            };
            (import_id, i as i64 + 2, r)
        })
        .collect();
    let got: Vec<(i64, i64, StudentRecord)> = (got.into_iter())
        .map(|s| (s.import_id, s.row_no, s.record))
        .collect();
    assert_eq!(
        got, want,
        "every record of the term as imported, in file order"
    );
    Ok(())
}

async fn latest_student_records(db: &Db) -> TestResult {
    // Person 1 in three terms (at a different school each), person 2 only after the cut-off,
    // person 3 only long before it, person 4 twice in the same term (a registry duplicate).
    import_students(db, autumn(2022), &[3], "S-2022A").await?;
    let spring23 = import(
        db,
        meta(ListKind::Students, "s23.csv", Some(spring(2023))),
        vec![ListRecord::Student(student(1, "S-2023S"))],
    )
    .await?;
    import(
        db,
        meta(ListKind::Students, "a23.csv", Some(autumn(2023))),
        vec![
            ListRecord::Student(student(4, "S-FIRST")),
            ListRecord::Student(student(1, "S-2023A")),
            ListRecord::Student(student(4, "S-SECOND")),
        ],
    )
    .await?;
    import_students(db, spring(2024), &[1, 2], "S-2024S").await?;

    let wanted = vec![ids(1), ids(2), ids(3), ids(4), ids(999)];
    let got = db.latest_student_records(&wanted, autumn(2023)).await?;
    let mut summary: Vec<(String, String, String)> = got
        .iter()
        .map(|(k, s)| (k.clone(), s.term.to_string(), s.record.school_code.clone()))
        .collect();
    summary.sort();
    let mut want = vec![
        (ids(1), "2023-autumn".to_string(), "S-2023A".to_string()),
        (ids(3), "2022-autumn".to_string(), "S-2022A".to_string()),
        (ids(4), "2023-autumn".to_string(), "S-FIRST".to_string()),
    ];
    want.sort();
    assert_eq!(summary, want);

    // Spring sorts before autumn of the same year (not alphabetically).
    let spring_only = db.latest_student_records(&[ids(1)], spring(2023)).await?;
    let p1 = spring_only.get(&ids(1)).ok_or("person 1 in 2023-spring")?;
    assert_eq!(
        (p1.term, p1.import_id, p1.row_no),
        (spring(2023), spring23, 2)
    );
    let newest = db
        .latest_student_records(&[ids(1), ids(2)], spring(2024))
        .await?;
    assert_eq!(newest.len(), 2);
    assert!(newest.values().all(|s| s.term == spring(2024)));

    // More IDs than one IN list holds: the ones that exist are still found.
    let mut many: Vec<String> = (10_000..15_000).map(ids).collect();
    many.push(ids(1));
    many.insert(0, ids(3));
    let found = db.latest_student_records(&many, autumn(2023)).await?;
    let keys: HashSet<&String> = found.keys().collect();
    assert_eq!(keys, HashSet::from([&ids(1), &ids(3)]));
    assert!(db
        .latest_student_records(&[], autumn(2023))
        .await?
        .is_empty());

    let dups = db.students_for(autumn(2023), &ids(4)).await?;
    let schools: Vec<&str> = dups.iter().map(|s| s.record.school_code.as_str()).collect();
    assert_eq!(schools, vec!["S-FIRST", "S-SECOND"]);
    Ok(())
}

async fn person_across_lists(db: &Db) -> TestResult {
    let poor_id = import(
        db,
        meta(ListKind::PoorHouseholds, "poor.csv", None),
        vec![
            ListRecord::PoorMember(poor(5)),
            ListRecord::PoorMember(poor(6)),
        ],
    )
    .await?;
    let dibao_id = import(
        db,
        meta(ListKind::Dibao, "dibao.csv", None),
        vec![ListRecord::Assistance(assistance(5, Area::Rural))],
    )
    .await?;
    let tekun_id = import(
        db,
        meta(ListKind::Tekun, "tekun.csv", None),
        vec![
            ListRecord::Assistance(assistance(6, Area::Rural)),
            ListRecord::Assistance(assistance(5, Area::Urban)),
        ],
    )
    .await?;
    import(
        db,
        meta(ListKind::Disabled, "dis.csv", None),
        vec![ListRecord::Disabled(disabled(5))],
    )
    .await?;
    import(
        db,
        meta(ListKind::CollegeAdmissions, "gk.csv", None),
        vec![
            ListRecord::Admission(admission(6, 2023)),
            ListRecord::Admission(admission(5, 2023)),
        ],
    )
    .await?;

    let lists = db.list_rows_for(&ids(5)).await?;
    let poor_rows: Vec<_> = lists
        .poor_members
        .iter()
        .map(|p| (p.import_id, p.row_no, p.record.clone()))
        .collect();
    assert_eq!(poor_rows, vec![(poor_id, 2, poor(5))]);
    let assist: Vec<_> = lists
        .assistance
        .iter()
        .map(|(k, a)| (*k, a.import_id, a.row_no, a.record.clone()))
        .collect();
    assert_eq!(
        assist,
        vec![
            (ListKind::Dibao, dibao_id, 2, assistance(5, Area::Rural)),
            (ListKind::Tekun, tekun_id, 3, assistance(5, Area::Urban)),
        ]
    );
    assert_eq!(
        lists
            .disabled
            .iter()
            .map(|d| d.record.clone())
            .collect::<Vec<_>>(),
        vec![disabled(5)]
    );
    assert_eq!(
        lists
            .admissions
            .iter()
            .map(|a| a.row_no)
            .collect::<Vec<_>>(),
        vec![3]
    );

    let nobody = db.list_rows_for(&ids(77)).await?;
    assert_eq!(nobody, zizhu_store::PersonLists::default());
    Ok(())
}
