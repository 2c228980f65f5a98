//! The rows the store hands back: list records with their provenance, the computed roster of a
//! term, runs, imports and audit entries.

use chrono::{DateTime, Utc};
use zizhu_domain::{
    AssistanceEntry, Category, CollegeAdmission, DisabledPerson, ListKind, PoorHouseholdMember,
    StudentRecord, Term,
};

/// A list record with where it came from: the import batch (导入批次) and the row number in that
/// file, so every category and amount can be traced to a list and a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub import_id: i64,
    /// Row number in the source file, as the importer gave it.
    pub row_no: i64,
    pub record: T,
}

/// A student registry row (学籍) of one term.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStudent {
    /// Row id; increasing within a term, for keyset paging ([`crate::Db::student_page`]).
    pub key: i64,
    pub term: Term,
    pub import_id: i64,
    pub row_no: i64,
    pub record: StudentRecord,
}

/// One imported file (导入批次).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportBatchRow {
    pub id: i64,
    pub kind: ListKind,
    pub file_name: String,
    /// SHA-256 of the file, lower-case hex as the caller gave it.
    pub sha256: String,
    pub term: Option<Term>,
    pub actor: String,
    pub imported_at: DateTime<Utc>,
    /// Rows stored, and warnings the importer reported, as given to [`crate::ImportTx::commit`].
    pub rows: i64,
    pub warnings: i64,
}

/// A stored family-difficulty category (家庭经济困难类别) of a student in a term.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRow {
    pub key: i64,
    pub run_id: i64,
    pub term: Term,
    pub id_number: String,
    pub category: Category,
    /// The list that gave the category.
    pub list: ListKind,
    pub import_id: i64,
    pub row_no: i64,
    pub detail: String,
}

/// One line of the aid roster (资助名单) with the school's name and township joined in.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitlementRow {
    /// Row id, for keyset paging ([`crate::Db::entitlements`]).
    pub key: i64,
    pub run_id: i64,
    pub term: Term,
    pub id_number: String,
    pub name: String,
    pub student_no: String,
    pub school_code: String,
    /// School name and township (乡镇); empty when the school code is not in the school list.
    pub school_name: String,
    pub township: String,
    pub program: String,
    pub program_name: String,
    /// Policy clause, e.g. `二(一)2`.
    pub clause: String,
    /// Amount for the term, in fen.
    pub amount_fen: i64,
    pub payee: String,
    /// The facts the decision used, as JSON text.
    pub facts: String,
}

/// Roster totals per township, school and program (汇总).
#[derive(Debug, Clone, PartialEq)]
pub struct TotalRow {
    /// Empty when the school is not in the school list.
    pub township: String,
    pub school_code: String,
    pub school_name: String,
    pub program: String,
    pub program_name: String,
    /// Number of roster lines (one per student, since a student has a program once a term).
    pub headcount: i64,
    /// Sum in fen.
    pub amount_fen: i64,
}

/// A data-quality issue (数据质量问题) found by a compute run.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityRow {
    pub key: i64,
    pub run_id: i64,
    pub term: Term,
    /// Stable issue code, e.g. `E-DUP-001`.
    pub code: String,
    pub id_number: Option<String>,
    pub school_code: Option<String>,
    /// Where it was found (list and row, as the caller described it).
    pub source: String,
    pub detail: String,
}

/// A compute run (计算批次).
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub term: Term,
    pub policy_id: String,
    pub policy_version: String,
    pub policy_sha256: String,
    pub actor: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub students: i64,
    pub entitlements: i64,
    /// Sum of the roster, in fen.
    pub total_fen: i64,
}

/// An audit-log entry (审计日志).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    /// The client's address of a web action; None from the command line.
    pub origin: Option<String>,
    /// What a change replaced, and what it made.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Every department-list row that mentions one person (for `explain`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonLists {
    pub poor_members: Vec<Sourced<PoorHouseholdMember>>,
    /// 低保 / 特困供养 / 城镇困难家庭 rows, each with its list kind.
    pub assistance: Vec<(ListKind, Sourced<AssistanceEntry>)>,
    pub disabled: Vec<Sourced<DisabledPerson>>,
    pub admissions: Vec<Sourced<CollegeAdmission>>,
}

/// One school's registry and aid of a term (学校资助概况), for the schools page and the
/// dashboard's coverage (一个不落, 二(一)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchoolStat {
    pub school_code: String,
    /// Registry rows in reading (在读) at the school.
    pub enrolled: i64,
    /// Of them, students with a family-difficulty category of the term's compute (困难学生).
    pub hardship: i64,
    /// Of those, students with no roster line at all in the term (困难但未纳入资助).
    pub hardship_unaided: i64,
    /// People with at least one roster line at this school (college admittees included).
    pub aided: i64,
}
