//! Imports: the new version of each list replaces the old one; a dropped or rolled-back import
//! changes nothing; rows keep their import id and row number.

use crate::support::*;
use zizhu_domain::{Area, ListKind, ListRecord};
use zizhu_store::{Db, StoreError};

story!(
    replace_per_kind,
    admissions_replace_by_year,
    rollback_on_drop,
    uncommitted_import_is_invisible,
    rejects_misuse
);

async fn replace_per_kind(db: &Db) -> TestResult {
    // Schools: the whole list is replaced.
    let s1 = import(
        db,
        meta(ListKind::Schools, "schools-v1.csv", None),
        vec![
            ListRecord::School(school("3601240001", "测试一中", "甲镇")),
            ListRecord::School(school("3601240002", "测试二中", "乙镇")),
        ],
    )
    .await?;
    let mut v2 = school("3601240003", "测试三中", "丙镇");
    v2.area = None;
    v2.public = false;
    import(
        db,
        meta(ListKind::Schools, "schools-v2.csv", None),
        vec![ListRecord::School(v2.clone())],
    )
    .await?;
    assert_eq!(db.schools().await?, vec![v2]);

    // Students: only the same term is replaced.
    import_students(db, autumn(2023), &[1, 2, 3], "3601240003").await?;
    import_students(db, spring(2024), &[4, 5], "3601240003").await?;
    let again = import_students(db, autumn(2023), &[6], "3601240003").await?;
    assert_eq!(db.student_count(autumn(2023)).await?, 1);
    assert_eq!(db.student_count(spring(2024)).await?, 2);
    let page = db.student_page(autumn(2023), 0, 100).await?;
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].record,
        student(6, "3601240003"),
        "round trip of every field"
    );
    assert_eq!(
        (page[0].import_id, page[0].row_no, page[0].term),
        (again, 2, autumn(2023))
    );

    // 低保 / 特困 / 城镇困难 share one table; each replaces only its own kind.
    import(
        db,
        meta(ListKind::Dibao, "dibao-v1.csv", None),
        vec![
            ListRecord::Assistance(assistance(10, Area::Rural)),
            ListRecord::Assistance(assistance(11, Area::Urban)),
        ],
    )
    .await?;
    import(
        db,
        meta(ListKind::Tekun, "tekun.csv", None),
        vec![ListRecord::Assistance(assistance(12, Area::Rural))],
    )
    .await?;
    import(
        db,
        meta(ListKind::UrbanHardship, "urban.csv", None),
        vec![ListRecord::Assistance(assistance(13, Area::Urban))],
    )
    .await?;
    let dibao2 = import(
        db,
        meta(ListKind::Dibao, "dibao-v2.csv", None),
        vec![ListRecord::Assistance(assistance(14, Area::Urban))],
    )
    .await?;
    let dibao = db.assistance(ListKind::Dibao).await?;
    assert_eq!(dibao.len(), 1);
    assert_eq!((dibao[0].import_id, dibao[0].row_no), (dibao2, 2));
    assert_eq!(dibao[0].record, assistance(14, Area::Urban));
    assert_eq!(db.assistance(ListKind::Tekun).await?.len(), 1);
    assert_eq!(
        db.assistance(ListKind::UrbanHardship).await?[0].record,
        assistance(13, Area::Urban)
    );

    // 建档立卡 and 残疾人: replaced wholesale, file order kept.
    import(
        db,
        meta(ListKind::PoorHouseholds, "poor-v1.csv", None),
        vec![ListRecord::PoorMember(poor(20))],
    )
    .await?;
    let poor2 = import(
        db,
        meta(ListKind::PoorHouseholds, "poor-v2.csv", None),
        vec![
            ListRecord::PoorMember(poor(22)),
            ListRecord::PoorMember(poor(21)),
        ],
    )
    .await?;
    let members = db.poor_members().await?;
    let got: Vec<_> = members
        .iter()
        .map(|m| (m.import_id, m.row_no, m.record.clone()))
        .collect();
    assert_eq!(got, vec![(poor2, 2, poor(22)), (poor2, 3, poor(21))]);
    import(
        db,
        meta(ListKind::Disabled, "disabled-v1.csv", None),
        vec![ListRecord::Disabled(disabled(30))],
    )
    .await?;
    let mut d31 = disabled(31);
    d31.grade = None;
    import(
        db,
        meta(ListKind::Disabled, "disabled-v2.csv", None),
        vec![ListRecord::Disabled(d31.clone())],
    )
    .await?;
    let d: Vec<_> = db.disabled().await?.into_iter().map(|s| s.record).collect();
    assert_eq!(d, vec![d31]);

    // The import batches, newest first, with what commit recorded.
    let imports = db.imports().await?;
    assert_eq!(imports.len(), 13);
    assert!(imports.windows(2).all(|w| w[0].id > w[1].id));
    assert_eq!(imports[0].kind, ListKind::Disabled);
    assert_eq!(imports[0].file_name, "disabled-v2.csv");
    assert_eq!((imports[0].rows, imports[0].warnings), (1, 0));
    let first = imports
        .iter()
        .find(|i| i.id == s1)
        .ok_or("first import listed")?;
    assert_eq!(
        (first.kind, first.rows, first.term),
        (ListKind::Schools, 2, None)
    );
    let students_again = db
        .import_by_sha(ListKind::Students, "sha-of-students-2023-autumn.csv")
        .await?;
    assert_eq!(
        students_again.map(|b| (b.id, b.term)),
        Some((again, Some(autumn(2023))))
    );
    assert_eq!(
        db.import_by_sha(ListKind::Dibao, "sha-of-students-2023-autumn.csv")
            .await?,
        None
    );
    Ok(())
}

async fn admissions_replace_by_year(db: &Db) -> TestResult {
    let first = import(
        db,
        meta(ListKind::CollegeAdmissions, "gk-2022-2023.csv", None),
        vec![
            ListRecord::Admission(admission(40, 2022)),
            ListRecord::Admission(admission(41, 2022)),
            ListRecord::Admission(admission(42, 2023)),
        ],
    )
    .await?;
    // A file of 2023 only, arriving in two batches: 2022 stays, 2023 is the new file's two rows
    // (the second batch must not delete the first batch's rows of the same year).
    let mut tx = db
        .begin_import(&meta(ListKind::CollegeAdmissions, "gk-2023.csv", None))
        .await?;
    tx.insert_batch(&[(2, ListRecord::Admission(admission(43, 2023)))])
        .await?;
    tx.insert_batch(&[(3, ListRecord::Admission(admission(44, 2023)))])
        .await?;
    assert_eq!(tx.inserted(), 2);
    let second = tx.commit(2, 1).await?;

    let y2022: Vec<_> = db
        .admissions(2022)
        .await?
        .into_iter()
        .map(|a| (a.import_id, a.row_no, a.record))
        .collect();
    assert_eq!(
        y2022,
        vec![
            (first, 2, admission(40, 2022)),
            (first, 3, admission(41, 2022))
        ]
    );
    let y2023: Vec<_> = db
        .admissions(2023)
        .await?
        .into_iter()
        .map(|a| (a.import_id, a.row_no, a.record))
        .collect();
    assert_eq!(
        y2023,
        vec![
            (second, 2, admission(43, 2023)),
            (second, 3, admission(44, 2023))
        ]
    );
    assert_eq!(db.admissions(2024).await?, vec![]);
    assert_eq!(db.imports().await?[0].warnings, 1);
    Ok(())
}

async fn rollback_on_drop(db: &Db) -> TestResult {
    import_students(db, autumn(2023), &[1, 2, 3], "S1").await?;
    import(
        db,
        meta(ListKind::Dibao, "dibao.csv", None),
        vec![ListRecord::Assistance(assistance(9, Area::Rural))],
    )
    .await?;
    let before_students = db.student_page(autumn(2023), 0, 100).await?;
    let before_imports = db.imports().await?;
    let before_audit = db.audit_entries(100).await?;

    // Dropped without commit, after deleting the old version and inserting new rows.
    {
        let mut tx = db
            .begin_import(&meta(ListKind::Students, "new.csv", Some(autumn(2023))))
            .await?;
        tx.insert_batch(&[(2, ListRecord::Student(student(7, "S1")))])
            .await?;
        tx.audit("note", "new.csv", "不应保留").await?;
        drop(tx);
    }
    // Explicit rollback.
    let mut tx = db
        .begin_import(&meta(ListKind::Dibao, "dibao-new.csv", None))
        .await?;
    tx.insert_batch(&[(2, ListRecord::Assistance(assistance(8, Area::Urban)))])
        .await?;
    tx.rollback().await?;

    assert_eq!(
        db.student_page(autumn(2023), 0, 100).await?,
        before_students
    );
    assert_eq!(db.imports().await?, before_imports);
    assert_eq!(db.audit_entries(100).await?, before_audit);
    let dibao: Vec<_> = db
        .assistance(ListKind::Dibao)
        .await?
        .into_iter()
        .map(|a| a.record)
        .collect();
    assert_eq!(dibao, vec![assistance(9, Area::Rural)]);

    // The write lock is released: a later import goes through.
    import_students(db, autumn(2023), &[5], "S1").await?;
    assert_eq!(db.student_count(autumn(2023)).await?, 1);
    Ok(())
}

async fn uncommitted_import_is_invisible(db: &Db) -> TestResult {
    if let Db::Sqlite(pool) = db {
        if pool.options().get_max_connections() == 1 {
            return Ok(()); // sqlite::memory: has one connection; the import holds it.
        }
    }
    import_students(db, autumn(2023), &[1, 2], "S1").await?;
    let mut tx = db
        .begin_import(&meta(ListKind::Students, "v2.csv", Some(autumn(2023))))
        .await?;
    tx.insert_batch(&[(2, ListRecord::Student(student(3, "S1")))])
        .await?;
    // Other connections still read the old version while the import runs…
    assert_eq!(db.student_count(autumn(2023)).await?, 2);
    assert_eq!(db.imports().await?.len(), 1);
    tx.commit(1, 0).await?;
    // …and the new one once it commits.
    let ids_now: Vec<String> = db
        .student_page(autumn(2023), 0, 10)
        .await?
        .into_iter()
        .map(|s| s.record.id.as_str().to_string())
        .collect();
    assert_eq!(ids_now, vec![ids(3)]);
    Ok(())
}

async fn rejects_misuse(db: &Db) -> TestResult {
    let no_term = db
        .begin_import(&meta(ListKind::Students, "s.csv", None))
        .await;
    assert!(matches!(no_term, Err(StoreError::Invalid(_))));

    import_students(db, autumn(2023), &[1], "S1").await?;
    let mut tx = db
        .begin_import(&meta(ListKind::Students, "s2.csv", Some(autumn(2023))))
        .await?;
    let wrong = tx
        .insert_batch(&[
            (2, ListRecord::Student(student(2, "S1"))),
            (3, ListRecord::School(school("1", "x", "y"))),
        ])
        .await;
    match wrong {
        Err(e @ StoreError::Invalid(_)) => {
            assert_eq!(e.to_string(), "学籍名单中出现了其他类型的记录（第 3 行）")
        }
        other => return Err(format!("expected Invalid, got {other:?}").into()),
    }
    tx.rollback().await?;
    assert_eq!(db.student_count(autumn(2023)).await?, 1);

    assert!(matches!(
        db.assistance(ListKind::Students).await,
        Err(StoreError::Invalid(_))
    ));

    // The same school code twice in one file violates the school list's uniqueness.
    let dup = import(
        db,
        meta(ListKind::Schools, "dup.csv", None),
        vec![
            ListRecord::School(school("1", "a", "t")),
            ListRecord::School(school("1", "b", "t")),
        ],
    )
    .await;
    assert!(
        matches!(dup, Err(StoreError::UniqueViolation { .. })),
        "{dup:?}"
    );
    Ok(())
}
