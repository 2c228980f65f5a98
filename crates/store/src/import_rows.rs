//! The bulk `INSERT`s of each list kind, inside an import transaction. The import id and the
//! term are written as literals shared by every row; everything from the file is bound (as
//! `Arc<str>`, see `bind.rs`).

use crate::bind;
use crate::convert::term_seq;
use crate::error::{Ctx, StoreResult};
use crate::tx::{insert_chunks, Tx};
use std::collections::{BTreeSet, HashSet};
use zizhu_domain::{
    AssistanceEntry, CollegeAdmission, DisabledPerson, ListKind, PoorHouseholdMember, School,
    StudentRecord, Term,
};

/// Rows of one kind with their source row numbers.
type Rows<'a, T> = [(i64, &'a T)];

/// Deletes the previous version of the list `kind` at the start of an import: 学籍 rows of
/// `term`, the rows of the same assistance kind, or the whole list. 高考录取 is replaced year by
/// year in [`admissions`] instead.
pub(crate) async fn delete_previous(
    tx: &mut Tx,
    kind: ListKind,
    term: Option<Term>,
) -> StoreResult<()> {
    macro_rules! exec {
        ($sql:literal $(, $arg:expr)*) => {
            tx_run!(&mut *tx, |conn| sqlx::query($sql)
                $(.bind($arg))*
                .execute(conn)
                .await
                .map(|r| r.rows_affected()))
        };
    }
    let deleted = match kind {
        ListKind::Students => exec!(
            "DELETE FROM student WHERE term_seq = $1",
            term.map(term_seq)
        ),
        ListKind::Schools => exec!("DELETE FROM school"),
        ListKind::PoorHouseholds => exec!("DELETE FROM poor_member"),
        ListKind::Dibao | ListKind::Tekun | ListKind::UrbanHardship => {
            exec!("DELETE FROM assistance WHERE kind = $1", kind.key())
        }
        ListKind::Disabled => exec!("DELETE FROM disabled_person"),
        ListKind::CollegeAdmissions => Ok(0),
    };
    deleted.ctx("删除旧版名单").map(|_| ())
}

pub(crate) async fn schools(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, School>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO school (import_id, row_no, code, name, kind, is_public, \
        township, inclusive, approval_level, area) VALUES ";
    let consts = import_id.to_string();
    insert_chunks!(tx, "写入学校名单", HEAD, &consts, 9, rows, |q,
                                                                      (
        row_no,
        s,
    )| q
        .bind(*row_no)
        .bind(bind::text(&s.code))
        .bind(bind::text(&s.name))
        .bind(bind::school_kind(s.kind))
        .bind(s.public)
        .bind(bind::text(&s.township))
        .bind(s.inclusive)
        .bind(bind::approval_level(s.approval_level))
        .bind(s.area.map(bind::area)));
    Ok(())
}

pub(crate) async fn students(
    tx: &mut Tx,
    import_id: i64,
    term: Term,
    rows: &Rows<'_, StudentRecord>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO student (import_id, term, term_seq, row_no, id_number, name, \
        student_no, school_code, grade, class_name, boarding, special_class, \
        regular_class_inclusion, hukou, major, agri_major, full_time, status, difficulty, \
        birth_date, sex) VALUES ";
    // `term` displays as `2023-autumn`: digits, a hyphen and ASCII letters, safe as a literal.
    let consts = format!("{import_id},'{term}',{}", term_seq(term));
    insert_chunks!(tx, "写入学籍名单", HEAD, &consts, 18, rows, |q,
                                                                       (
        row_no,
        s,
    )| q
        .bind(*row_no)
        .bind(bind::text(s.id.as_str()))
        .bind(bind::text(&s.name))
        .bind(bind::text(&s.student_no))
        .bind(bind::text(&s.school_code))
        .bind(i64::from(s.grade))
        .bind(bind::text(&s.class))
        .bind(s.boarding)
        .bind(s.special_class)
        .bind(s.regular_class_inclusion)
        .bind(s.hukou.map(bind::area))
        .bind(bind::text(&s.major))
        .bind(s.agri_major)
        .bind(s.full_time)
        .bind(bind::status(s.status))
        .bind(bind::difficulty(s.difficulty))
        .bind(s.birth_date)
        .bind(s.sex.map(bind::sex)));
    Ok(())
}

pub(crate) async fn poor_members(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, PoorHouseholdMember>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO poor_member (import_id, row_no, household_no, id_number, \
        name, relation, status, exit_year, township, village) VALUES ";
    let consts = import_id.to_string();
    insert_chunks!(
        tx,
        "写入建档立卡名单",
        HEAD,
        &consts,
        9,
        rows,
        |q, (row_no, p)| q
            .bind(*row_no)
            .bind(bind::text(&p.household_no))
            .bind(bind::text(p.id.as_str()))
            .bind(bind::text(&p.name))
            .bind(bind::text(&p.relation))
            .bind(bind::poverty_status(p.status))
            .bind(p.exit_year.map(i64::from))
            .bind(bind::text(&p.township))
            .bind(bind::text(&p.village))
    );
    Ok(())
}

pub(crate) async fn assistance(
    tx: &mut Tx,
    import_id: i64,
    kind: ListKind,
    rows: &Rows<'_, AssistanceEntry>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO assistance (import_id, kind, row_no, id_number, name, area, \
        valid_from, valid_to) VALUES ";
    // ListKind keys are fixed ASCII identifiers.
    let consts = format!("{import_id},'{}'", kind.key());
    insert_chunks!(tx, "写入救助名单", HEAD, &consts, 6, rows, |q,
                                                                      (
        row_no,
        a,
    )| q
        .bind(*row_no)
        .bind(bind::text(a.id.as_str()))
        .bind(bind::text(&a.name))
        .bind(bind::area(a.area))
        .bind(a.valid_from)
        .bind(a.valid_to));
    Ok(())
}

pub(crate) async fn disabled(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, DisabledPerson>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO disabled_person (import_id, row_no, id_number, name, \
        certificate_no, category, grade) VALUES ";
    let consts = import_id.to_string();
    insert_chunks!(tx, "写入残疾人名单", HEAD, &consts, 6, rows, |q,
                                                                         (
        row_no,
        d,
    )| {
        q.bind(*row_no)
            .bind(bind::text(d.id.as_str()))
            .bind(bind::text(&d.name))
            .bind(bind::text(&d.certificate_no))
            .bind(bind::text(&d.category))
            .bind(d.grade.map(i64::from))
    });
    Ok(())
}

/// Deletes the previous rows of each year seen for the first time in this import, then inserts.
pub(crate) async fn admissions(
    tx: &mut Tx,
    import_id: i64,
    years_cleared: &mut HashSet<i32>,
    rows: &Rows<'_, CollegeAdmission>,
) -> StoreResult<()> {
    const DELETE: &str = "DELETE FROM college_admission WHERE year = $1";
    const HEAD: &str = "INSERT INTO college_admission (import_id, row_no, id_number, name, \
        exam_no, college, college_province, year) VALUES ";
    let new_years: BTreeSet<i32> = rows
        .iter()
        .map(|(_, a)| a.year)
        .filter(|y| !years_cleared.contains(y))
        .collect();
    for year in new_years {
        tx_run!(&mut *tx, |conn| sqlx::query(DELETE)
            .bind(i64::from(year))
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("删除旧版高考录取名单")?;
        years_cleared.insert(year);
    }
    let consts = import_id.to_string();
    insert_chunks!(
        tx,
        "写入高考录取名单",
        HEAD,
        &consts,
        7,
        rows,
        |q, (row_no, a)| q
            .bind(*row_no)
            .bind(bind::text(a.id.as_str()))
            .bind(bind::text(&a.name))
            .bind(bind::text(&a.exam_no))
            .bind(bind::text(&a.college))
            .bind(bind::text(&a.college_province))
            .bind(i64::from(a.year))
    );
    Ok(())
}
