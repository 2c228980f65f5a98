//! The dropout scan's reads, on every backend: the registry in brief, the schools' returns of a
//! term, the population's and the poor list's ID numbers, and whole rows by ID.

use crate::support::*;
use zizhu_domain::{AttendanceEntry, IdNumber, ListKind, ListRecord, Resident, Status};
use zizhu_store::Db;

story!(scan_reads);
story!(returns_replaced_school_by_school);

fn resident(n: u32) -> Result<Resident, Box<dyn std::error::Error + Send + Sync>> {
    Ok(Resident {
        id: IdNumber::parse(&ids(n))?.0,
        name: "测试儿童".into(),
        sex: None,
        township: format!("镇{n}"),
        village: String::new(),
        household_no: String::new(),
        guardian: String::new(),
        guardian_phone: String::new(),
        zone_school: None,
        orphan: n.is_multiple_of(2),
        unsupported: false,
        left_behind: false,
        hardship: false,
        migrant: false,
    })
}

async fn scan_reads(db: &Db) -> TestResult {
    import_students(db, autumn(2023), &[1, 2, 3], "S1").await?;
    import_students(db, spring(2024), &[4], "S2").await?;
    let mut brief = Vec::new();
    db.each_registry_brief(autumn(2023), |r| {
        brief.push((r.id_number, r.school_code, r.status))
    })
    .await?;
    assert_eq!(
        brief,
        (1..=3)
            .map(|n| (ids(n), "S1".to_string(), Status::Enrolled))
            .collect::<Vec<_>>()
    );

    let rows = (10..15).map(resident).collect::<Result<Vec<_>, _>>()?;
    import(
        db,
        meta(ListKind::Residents, "r.csv", None),
        rows.into_iter().map(ListRecord::Resident).collect(),
    )
    .await?;
    import(
        db,
        meta(ListKind::Attendance, "a.csv", Some(autumn(2023))),
        vec![attend(1, "S1")?, attend(2, "S1")?],
    )
    .await?;
    import(
        db,
        meta(ListKind::Attendance, "b.csv", Some(spring(2024))),
        vec![attend(4, "S2")?],
    )
    .await?;
    let mut att = Vec::new();
    db.each_attendance_brief(autumn(2023), |s, id| att.push((s, id)))
        .await?;
    assert_eq!(
        att,
        vec![("S1".to_string(), ids(1)), ("S1".to_string(), ids(2))]
    );

    let mut res = Vec::new();
    db.each_resident_id(|id| res.push(id)).await?;
    assert_eq!(res, (10..15).map(ids).collect::<Vec<_>>());
    let got = db.residents_by_id(&[ids(12), ids(99)]).await?;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].record.township.as_str(), got[0].record.orphan),
        ("镇12", true)
    );

    import(
        db,
        meta(ListKind::PoorHouseholds, "p.csv", None),
        vec![
            ListRecord::PoorMember(poor(20)),
            ListRecord::PoorMember(poor(21)),
        ],
    )
    .await?;
    let mut poor_ids = Vec::new();
    db.each_poor_id(|id| poor_ids.push(id)).await?;
    assert_eq!(poor_ids, vec![ids(20), ids(21)]);
    let p = db.poor_members_by_id(&[ids(21)]).await?;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].record.id.as_str(), ids(21));
    Ok(())
}

fn attend(n: u32, school: &str) -> Result<ListRecord, Box<dyn std::error::Error + Send + Sync>> {
    Ok(ListRecord::Attendance(AttendanceEntry {
        school_code: school.into(),
        id: IdNumber::parse(&ids(n))?.0,
        name: "测试学生".into(),
    }))
}

/// Schools send their returns one by one: a school's new return for a term replaces that
/// school's old one only; other schools' returns and other terms stay. A file listing two
/// schools replaces both, even when one school's rows are split over several batches.
async fn returns_replaced_school_by_school(db: &Db) -> TestResult {
    let read = |term| async move {
        let mut att = Vec::new();
        db.each_attendance_brief(term, |s, id| att.push((s, id)))
            .await
            .map(|_| att)
    };
    let pair = |s: &str, n: u32| (s.to_string(), ids(n));
    let a = meta(ListKind::Attendance, "a.csv", Some(autumn(2023)));
    import(db, a.clone(), vec![attend(1, "S1")?, attend(2, "S1")?]).await?;
    import(db, a.clone(), vec![attend(3, "S2")?]).await?;
    import(
        db,
        meta(ListKind::Attendance, "c.csv", Some(spring(2024))),
        vec![attend(5, "S1")?],
    )
    .await?;
    let mut both = read(autumn(2023)).await?;
    both.sort();
    assert_eq!(both, vec![pair("S1", 1), pair("S1", 2), pair("S2", 3)]);

    // S1 sends a corrected return: child 2 has left, child 4 came.
    import(db, a.clone(), vec![attend(1, "S1")?, attend(4, "S1")?]).await?;
    let mut now = read(autumn(2023)).await?;
    now.sort();
    assert_eq!(now, vec![pair("S1", 1), pair("S1", 4), pair("S2", 3)]);
    assert_eq!(read(spring(2024)).await?, vec![pair("S1", 5)]);

    // One file, two schools, S2's rows in two batches: S2's old row goes, both new rows stay.
    let mut tx = db.begin_import(&a).await?;
    tx.insert_batch(&[(2, attend(6, "S2")?), (3, attend(7, "S1")?)])
        .await?;
    tx.insert_batch(&[(4, attend(8, "S2")?)]).await?;
    tx.commit(3, 0).await?;
    let mut last = read(autumn(2023)).await?;
    last.sort();
    assert_eq!(last, vec![pair("S1", 7), pair("S2", 6), pair("S2", 8)]);
    Ok(())
}
