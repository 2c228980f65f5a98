//! Everything stored about one person for one term, read at once (个人档案): the department-list
//! rows naming them, their registry rows and schools, the stored roster lines, the programs
//! already granted in earlier terms, and the names of the import batches these come from.
//! Used by `explain` and a person's page, where the cost is the number of round trips.

use crate::convert::{
    all, student_cols, term_seq, RawAdmission, RawAssistance, RawDisabled, RawPoor, RawSchool,
    RawStudent,
};
use crate::error::{Ctx, StoreError, StoreResult};
use crate::results::{entitlement_cols, entitlement_joins, entitlements, RawEntitlement};
use crate::{Db, EntitlementRow, PersonLists, StoredStudent};
use std::collections::HashSet;
use zizhu_domain::{School, Term};

/// What [`Db::person`] returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonRecords {
    /// Department-list rows whose ID number is the person's.
    pub lists: PersonLists,
    /// Registry rows of the term (two when enrolled twice), in file order.
    pub students: Vec<StoredStudent>,
    /// The schools of those rows that are on the school list.
    pub schools: Vec<School>,
    /// Stored roster lines of the term, in roster order.
    pub entitlements: Vec<EntitlementRow>,
    /// Programs granted to the person in any earlier term (for once-per-person programs).
    pub earlier_programs: HashSet<String>,
    /// Every import batch: id and file name (to name the source of each row).
    pub import_names: Vec<(i64, String)>,
}

/// One JSON value holding every part; each part is a JSON array of rows, each row an array in
/// the column order of its `Raw…` struct. `json(…)` keeps a subquery's text as JSON, not a string.
const SQLITE_JSON: &str = concat!(
    "SELECT json_array(\
    json((SELECT json_group_array(json_array(import_id, row_no, household_no, id_number, name, \
        relation, status, exit_year, township, village) ORDER BY id) \
        FROM poor_member WHERE id_number = $1)), \
    json((SELECT json_group_array(json_array(kind, import_id, row_no, id_number, name, area, \
        valid_from, valid_to) ORDER BY id) FROM assistance WHERE id_number = $1)), \
    json((SELECT json_group_array(json_array(import_id, row_no, id_number, name, certificate_no, \
        category, grade) ORDER BY id) FROM disabled_person WHERE id_number = $1)), \
    json((SELECT json_group_array(json_array(import_id, row_no, id_number, name, exam_no, college, \
        college_province, year) ORDER BY id) FROM college_admission WHERE id_number = $1)), ",
    "json((SELECT json_group_array(json_array(",
    student_cols!(),
    ") ORDER BY id) FROM student WHERE term_seq = $2 AND id_number = $1)), \
    json((SELECT json_group_array(json_array(code, name, kind, is_public, township, inclusive, \
        approval_level, area) ORDER BY code) FROM school WHERE code IN \
        (SELECT school_code FROM student WHERE term_seq = $2 AND id_number = $1))), \
    json((SELECT json_group_array(json_array(",
    entitlement_cols!(),
    ") ORDER BY e.id) FROM ",
    entitlement_joins!(),
    " WHERE e.term_seq = $2 AND e.id_number = $1)), \
    json((SELECT json_group_array(program) FROM (SELECT DISTINCT program FROM entitlement \
        WHERE id_number = $1 AND term_seq < $2))), \
    json((SELECT json_group_array(json_array(id, file_name) ORDER BY id) FROM import_batch)))"
);

/// The parts of [`SQLITE_JSON`], in order.
type SqliteParts = (
    Vec<RawPoor>,
    Vec<RawAssistance>,
    Vec<RawDisabled>,
    Vec<RawAdmission>,
    Vec<RawStudent>,
    Vec<RawSchool>,
    Vec<RawEntitlement>,
    Vec<String>,
    Vec<(i64, String)>,
);

impl Db {
    /// Everything stored about `id_number` for `term` ([`PersonRecords`]). On SQLite one query
    /// (each query costs a round trip to SQLite's worker thread); on PostgreSQL the parts are
    /// read side by side on the pool's connections.
    pub async fn person(&self, term: Term, id_number: &str) -> StoreResult<PersonRecords> {
        if let Db::Sqlite(pool) = self {
            let json: String = sqlx::query_scalar(SQLITE_JSON)
                .bind(id_number)
                .bind(term_seq(term))
                .fetch_one(pool)
                .await
                .ctx("读取个人档案")?;
            let parts: SqliteParts = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("个人档案数据无法解析：{e}")))?;
            let (poor, assist, disabled, admissions, students, schools, ents, earlier, imports) =
                parts;
            return Ok(PersonRecords {
                lists: PersonLists {
                    poor_members: all(poor)?,
                    assistance: assist
                        .into_iter()
                        .map(RawAssistance::convert)
                        .collect::<StoreResult<_>>()?,
                    disabled: all(disabled)?,
                    admissions: all(admissions)?,
                },
                students: all(students)?,
                schools: all(schools)?,
                entitlements: entitlements(ents)?,
                earlier_programs: earlier.into_iter().collect(),
                import_names: imports,
            });
        }
        let (lists, students, schools, entitlements, earlier_programs, imports) = tokio::try_join!(
            self.list_rows_for(id_number),
            self.students_for(term, id_number),
            self.schools_of(term, id_number),
            self.entitlements_for(term, id_number),
            self.earlier_programs(id_number, term),
            self.imports(),
        )?;
        Ok(PersonRecords {
            lists,
            students,
            schools,
            entitlements,
            earlier_programs,
            import_names: imports
                .into_iter()
                .map(|b| (b.id, b.file_name))
                .rev()
                .collect(),
        })
    }
}
