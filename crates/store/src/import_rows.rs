//! The bulk writes of each list kind, inside an import transaction (`bulk.rs`: bound INSERTs on
//! SQLite, COPY on PostgreSQL). The import id and the term are literals shared by every row;
//! everything from the file is a value.

use crate::bind;
use crate::bulk::{self, Lit, Target};
use crate::convert::term_seq;
use crate::error::{Ctx, StoreResult};
use crate::tx::Tx;
use std::collections::{BTreeSet, HashSet};
use zizhu_domain::{
    AssistanceEntry, AttendanceEntry, CollegeAdmission, DisabledPerson, ListKind,
    PoorHouseholdMember, Resident, School, StudentRecord, Term,
};

/// Rows of one kind with their source row numbers.
type Rows<'a, T> = [(i64, &'a T)];

/// Deletes the previous version of the list `kind` at the start of an import: 学籍 rows of
/// `term`, the rows of the same assistance kind, or the whole list. 高考录取 is replaced year by
/// year in [`admissions`] and 在校学生 school by school in [`attendance`] instead.
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
        // Replaced year by year and school by school as their rows arrive.
        ListKind::CollegeAdmissions
        | ListKind::Attendance
        | ListKind::PayeeAccounts
        | ListKind::AdmissionLines
        | ListKind::AdmissionApplicants
        | ListKind::ZeroFeeIssues => Ok(0),
        ListKind::Residents => exec!("DELETE FROM resident"),
        ListKind::Teachers => exec!("DELETE FROM teacher"),
        ListKind::TeacherExchanges => exec!("DELETE FROM teacher_exchange"),
    };
    deleted.ctx("删除旧版名单").map(|_| ())
}

/// The table that holds list `kind`.
pub(crate) fn table_of(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Schools => "school",
        ListKind::Students => "student",
        ListKind::PoorHouseholds => "poor_member",
        ListKind::Dibao | ListKind::Tekun | ListKind::UrbanHardship => "assistance",
        ListKind::Disabled => "disabled_person",
        ListKind::CollegeAdmissions => "college_admission",
        ListKind::Residents => "resident",
        ListKind::Attendance => "attendance",
        ListKind::PayeeAccounts => "payee_account",
        ListKind::AdmissionLines => "admission_line",
        ListKind::AdmissionApplicants => "admission_applicant",
        ListKind::ZeroFeeIssues => "zero_fee_issue",
        ListKind::Teachers => "teacher",
        ListKind::TeacherExchanges => "teacher_exchange",
    }
}

pub(crate) async fn residents(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, Resident>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO resident (import_id, row_no, id_number, name, sex, township, \
        village, household_no, guardian, guardian_phone, zone_school, orphan, unsupported, \
        left_behind, hardship, migrant) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入户籍适龄人口名单",
        lits: &[Lit::Int(import_id)],
        cols: 15,
    };
    bulk::write(tx, &target, rows, |w, (row_no, r)| {
        w.int(*row_no);
        w.text(r.id.as_str());
        w.text(&r.name);
        w.opt_key(r.sex.map(bind::sex));
        w.text(&r.township);
        w.text(&r.village);
        w.text(&r.household_no);
        w.text(&r.guardian);
        w.text(&r.guardian_phone);
        w.opt_text(r.zone_school.as_deref());
        w.bool(r.orphan);
        w.bool(r.unsupported);
        w.bool(r.left_behind);
        w.bool(r.hardship);
        w.bool(r.migrant);
    })
    .await
}

/// Deletes the term's previous rows of each school seen for the first time in this import (a
/// school's new return replaces its old one; other schools' returns stay), then inserts.
pub(crate) async fn attendance(
    tx: &mut Tx,
    import_id: i64,
    term: Term,
    schools_cleared: &mut HashSet<String>,
    rows: &Rows<'_, AttendanceEntry>,
) -> StoreResult<()> {
    const DELETE: &str = "DELETE FROM attendance WHERE term_seq = $1 AND school_code = $2";
    let new_schools: BTreeSet<&str> = rows
        .iter()
        .map(|(_, a)| a.school_code.as_str())
        .filter(|s| !schools_cleared.contains(*s))
        .collect();
    for school in new_schools {
        tx_run!(&mut *tx, |conn| sqlx::query(DELETE)
            .bind(term_seq(term))
            .bind(school)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .ctx("删除该校旧版在校学生名单")?;
        schools_cleared.insert(school.to_string());
    }
    const HEAD: &str = "INSERT INTO attendance (import_id, term, term_seq, row_no, school_code, \
        id_number, name) VALUES ";
    let term_key = term.to_string();
    let target = Target {
        head: HEAD,
        op: "写入在校学生名单",
        lits: &[
            Lit::Int(import_id),
            Lit::Key(&term_key),
            Lit::Int(term_seq(term)),
        ],
        cols: 4,
    };
    bulk::write(tx, &target, rows, |w, (row_no, a)| {
        w.int(*row_no);
        w.text(&a.school_code);
        w.text(a.id.as_str());
        w.text(&a.name);
    })
    .await
}

pub(crate) async fn schools(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, School>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO school (import_id, row_no, code, name, kind, is_public, \
        township, inclusive, approval_level, area) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入学校名单",
        lits: &[Lit::Int(import_id)],
        cols: 9,
    };
    bulk::write(tx, &target, rows, |w, (row_no, s)| {
        w.int(*row_no);
        w.text(&s.code);
        w.text(&s.name);
        w.key(bind::school_kind(s.kind));
        w.bool(s.public);
        w.text(&s.township);
        w.bool(s.inclusive);
        w.key(bind::approval_level(s.approval_level));
        w.opt_key(s.area.map(bind::area));
    })
    .await
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
    let term_key = term.to_string();
    let target = Target {
        head: HEAD,
        op: "写入学籍名单",
        lits: &[
            Lit::Int(import_id),
            Lit::Key(&term_key),
            Lit::Int(term_seq(term)),
        ],
        cols: 18,
    };
    bulk::write(tx, &target, rows, |w, (row_no, s)| {
        w.int(*row_no);
        w.text(s.id.as_str());
        w.text(&s.name);
        w.text(&s.student_no);
        w.text(&s.school_code);
        w.int(i64::from(s.grade));
        w.text(&s.class);
        w.bool(s.boarding);
        w.bool(s.special_class);
        w.bool(s.regular_class_inclusion);
        w.opt_key(s.hukou.map(bind::area));
        w.text(&s.major);
        w.bool(s.agri_major);
        w.bool(s.full_time);
        w.key(bind::status(s.status));
        w.key(bind::difficulty(s.difficulty));
        w.date(s.birth_date);
        w.opt_key(s.sex.map(bind::sex));
    })
    .await
}

pub(crate) async fn poor_members(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, PoorHouseholdMember>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO poor_member (import_id, row_no, household_no, id_number, \
        name, relation, status, exit_year, township, village) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入建档立卡名单",
        lits: &[Lit::Int(import_id)],
        cols: 9,
    };
    bulk::write(tx, &target, rows, |w, (row_no, p)| {
        w.int(*row_no);
        w.text(&p.household_no);
        w.text(p.id.as_str());
        w.text(&p.name);
        w.text(&p.relation);
        w.key(bind::poverty_status(p.status));
        w.opt_int(p.exit_year.map(i64::from));
        w.text(&p.township);
        w.text(&p.village);
    })
    .await
}

pub(crate) async fn assistance(
    tx: &mut Tx,
    import_id: i64,
    kind: ListKind,
    rows: &Rows<'_, AssistanceEntry>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO assistance (import_id, kind, row_no, id_number, name, area, \
        valid_from, valid_to) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入救助名单",
        lits: &[Lit::Int(import_id), Lit::Key(kind.key())],
        cols: 6,
    };
    bulk::write(tx, &target, rows, |w, (row_no, a)| {
        w.int(*row_no);
        w.text(a.id.as_str());
        w.text(&a.name);
        w.key(bind::area(a.area));
        w.date(a.valid_from);
        w.date(a.valid_to);
    })
    .await
}

pub(crate) async fn disabled(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, DisabledPerson>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO disabled_person (import_id, row_no, id_number, name, \
        certificate_no, category, grade) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入残疾人名单",
        lits: &[Lit::Int(import_id)],
        cols: 6,
    };
    bulk::write(tx, &target, rows, |w, (row_no, d)| {
        w.int(*row_no);
        w.text(d.id.as_str());
        w.text(&d.name);
        w.text(&d.certificate_no);
        w.text(&d.category);
        w.opt_int(d.grade.map(i64::from));
    })
    .await
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
    let target = Target {
        head: HEAD,
        op: "写入高考录取名单",
        lits: &[Lit::Int(import_id)],
        cols: 7,
    };
    bulk::write(tx, &target, rows, |w, (row_no, a)| {
        w.int(*row_no);
        w.text(a.id.as_str());
        w.text(&a.name);
        w.text(&a.exam_no);
        w.text(&a.college);
        w.text(&a.college_province);
        w.int(i64::from(a.year));
    })
    .await
}

/// Replaces the accounts of the students these rows name (a file need not list every student:
/// a school's list, or one correction), then inserts the rows.
pub(crate) async fn payee_accounts(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, zizhu_domain::payment::PayeeAccount>,
) -> StoreResult<()> {
    // One statement per 2,000 students, not one per row: a statement per row cost a round trip
    // and a plan each (a bulk transaction plans every statement afresh on PostgreSQL, tx.rs).
    let ids: Vec<&str> = rows.iter().map(|(_, a)| a.student_id.as_str()).collect();
    let p = tx.params();
    for chunk in ids.chunks(crate::lists::IN_CHUNK) {
        let sql = format!(
            "DELETE FROM payee_account WHERE id_number IN {}",
            crate::sql::placeholders(p, 1, chunk.len())
        );
        tx_run!(&mut *tx, |conn| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(conn).await.map(|r| r.rows_affected())
        })
        .ctx("替换旧的收款账户")?;
    }
    const HEAD: &str = "INSERT INTO payee_account (import_id, row_no, id_number, student_name, \
        payee_name, relation, account_kind, account_no, bank) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入收款账户",
        lits: &[Lit::Int(import_id)],
        cols: 8,
    };
    bulk::write(tx, &target, rows, |w, (row_no, a)| {
        w.int(*row_no);
        w.text(a.student_id.as_str());
        w.text(&a.student_name);
        w.text(&a.payee_name);
        w.text(&a.relation);
        w.text(a.kind.key());
        w.text(a.number.as_str());
        w.text(&a.bank);
    })
    .await
}

/// Deletes the rows of `table` of each year these rows name for the first time in this import
/// (a year's new list replaces its old one; other years stay).
async fn clear_years(
    tx: &mut Tx,
    table: &'static str,
    years: impl Iterator<Item = i32>,
    cleared: &mut HashSet<(&'static str, i32)>,
) -> StoreResult<()> {
    let years: BTreeSet<i32> = years.filter(|y| !cleared.contains(&(table, *y))).collect();
    let sql = format!("DELETE FROM {table} WHERE year = $1");
    for year in years {
        tx_run!(&mut *tx, |conn| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(i64::from(year))
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))
        .ctx("删除旧版名单")?;
        cleared.insert((table, year));
    }
    Ok(())
}

/// 师范定向控制线 (三(二)): replaces the years the rows name, then inserts.
pub(crate) async fn admission_lines(
    tx: &mut Tx,
    import_id: i64,
    cleared: &mut HashSet<(&'static str, i32)>,
    rows: &Rows<'_, zizhu_domain::admission::CategoryLine>,
) -> StoreResult<()> {
    use zizhu_domain::admission::Floor;
    clear_years(
        tx,
        "admission_line",
        rows.iter().map(|(_, l)| l.year),
        cleared,
    )
    .await?;
    const HEAD: &str = "INSERT INTO admission_line (import_id, row_no, year, category, \
        control_tenths, floor_kind, floor_tenths, percent_bp, total_tenths) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入师范定向控制线",
        lits: &[Lit::Int(import_id)],
        cols: 8,
    };
    bulk::write(tx, &target, rows, |w, (row_no, l)| {
        w.int(*row_no);
        w.int(i64::from(l.year));
        w.text(&l.category);
        w.int(l.control_line.0);
        match l.floor {
            Floor::Given(f) => {
                w.text("given");
                w.opt_int(Some(f.0));
                w.opt_int(None);
                w.opt_int(None);
            }
            Floor::Proportion { percent_bp, total } => {
                w.text("proportion");
                w.opt_int(None);
                w.opt_int(Some(percent_bp));
                w.opt_int(Some(total.0));
            }
        }
    })
    .await
}

/// 师范定向考生 (三(二)): replaces the years the rows name, then inserts.
pub(crate) async fn admission_applicants(
    tx: &mut Tx,
    import_id: i64,
    cleared: &mut HashSet<(&'static str, i32)>,
    rows: &Rows<'_, zizhu_domain::admission::Applicant>,
) -> StoreResult<()> {
    clear_years(
        tx,
        "admission_applicant",
        rows.iter().map(|(_, a)| a.year),
        cleared,
    )
    .await?;
    const HEAD: &str = "INSERT INTO admission_applicant (import_id, row_no, year, id_number, \
        name, category, score_tenths, fresh_graduate, hukou_in_county) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入师范定向考生名单",
        lits: &[Lit::Int(import_id)],
        cols: 8,
    };
    bulk::write(tx, &target, rows, |w, (row_no, a)| {
        w.int(*row_no);
        w.int(i64::from(a.year));
        w.text(&a.id_number);
        w.text(&a.name);
        w.text(&a.category);
        w.int(a.score.0);
        w.bool(a.fresh_graduate);
        w.bool(a.hukou_in_county);
    })
    .await
}

/// 教师名单 (三(三)): the whole list, replaced by each import.
pub(crate) async fn teachers(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, zizhu_domain::exchange::Teacher>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO teacher (import_id, row_no, id_number, name, school_code, \
        staff_no, stage) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入教师名单",
        lits: &[Lit::Int(import_id)],
        cols: 6,
    };
    bulk::write(tx, &target, rows, |w, (row_no, t)| {
        w.int(*row_no);
        w.text(&t.id_number);
        w.text(&t.name);
        w.text(&t.school_code);
        w.opt_text(t.staff_no.as_deref());
        w.opt_text(t.stage.as_deref());
    })
    .await
}

/// 交流轮岗 (三(三)): the whole list, replaced by each import.
pub(crate) async fn teacher_exchanges(
    tx: &mut Tx,
    import_id: i64,
    rows: &Rows<'_, zizhu_domain::exchange::Assignment>,
) -> StoreResult<()> {
    const HEAD: &str = "INSERT INTO teacher_exchange (import_id, row_no, id_number, name, \
        from_school, to_school, start_date, end_date) VALUES ";
    let target = Target {
        head: HEAD,
        op: "写入交流轮岗名单",
        lits: &[Lit::Int(import_id)],
        cols: 7,
    };
    bulk::write(tx, &target, rows, |w, (row_no, a)| {
        w.int(*row_no);
        w.text(&a.id_number);
        w.text(&a.name);
        w.text(&a.from_school);
        w.text(&a.to_school);
        w.date(Some(a.start));
        w.date(Some(a.end));
    })
    .await
}
