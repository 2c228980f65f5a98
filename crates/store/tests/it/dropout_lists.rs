//! The dropout scan's reads, on every backend: the registry in brief, the schools' returns of a
//! term, the population's and the poor list's ID numbers, and whole rows by ID.

use crate::support::*;
use zizhu_domain::{AttendanceEntry, IdNumber, ListKind, ListRecord, Resident, Status};
use zizhu_store::Db;

story!(scan_reads);

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
    let attend =
        |n: u32, school: &str| -> Result<ListRecord, Box<dyn std::error::Error + Send + Sync>> {
            Ok(ListRecord::Attendance(AttendanceEntry {
                school_code: school.into(),
                id: IdNumber::parse(&ids(n))?.0,
                name: "测试学生".into(),
            }))
        };
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
