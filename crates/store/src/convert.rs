//! Raw rows as the drivers decode them (plain strings, integers, booleans, dates) and their
//! checked conversion into domain types. Stored enum keys, terms and ID numbers are parsed
//! back; a value that does not parse is [`StoreError::Corrupt`], never a panic.

use crate::error::{StoreError, StoreResult};
use crate::rows::{ImportBatchRow, Sourced, StoredStudent};
use chrono::{DateTime, NaiveDate, Utc};
use zizhu_domain::{
    ApprovalLevel, Area, AssistanceEntry, CollegeAdmission, Difficulty, DisabledPerson, IdNumber,
    ListKind, PoorHouseholdMember, PovertyStatus, School, SchoolKind, Season, Sex, Status,
    StudentRecord, Term,
};

/// Chronological index of a term (`term_seq` column): year × 2 + (0 spring, 1 autumn).
pub(crate) fn term_seq(t: Term) -> i64 {
    let season = match t.season {
        Season::Spring => 0,
        Season::Autumn => 1,
    };
    i64::from(t.year) * 2 + season
}

/// Parses a stored term (`2023-autumn`).
pub(crate) fn term(s: &str) -> StoreResult<Term> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("学期“{s}”")))
}

/// Parses a stored enum key with `from_key`; `what` names the enum in Chinese.
pub(crate) fn key<T>(s: &str, from_key: fn(&str) -> Option<T>, what: &str) -> StoreResult<T> {
    from_key(s).ok_or_else(|| StoreError::Corrupt(format!("{what}“{s}”")))
}

pub(crate) fn opt_key<T>(
    s: Option<&str>,
    from_key: fn(&str) -> Option<T>,
    what: &str,
) -> StoreResult<Option<T>> {
    s.map(|s| key(s, from_key, what)).transpose()
}

/// Parses a stored ID number.
pub(crate) fn id(s: &str) -> StoreResult<IdNumber> {
    IdNumber::from_stored(s).map_err(|e| StoreError::Corrupt(format!("身份证件号“{s}”：{e}")))
}

pub(crate) fn small<T: TryFrom<i64>>(v: i64, what: &str) -> StoreResult<T> {
    T::try_from(v).map_err(|_| StoreError::Corrupt(format!("{what}“{v}”超出范围")))
}

/// Column list matching [`RawStudent`].
macro_rules! student_cols {
    () => {
        "id, import_id, row_no, term, id_number, name, student_no, school_code, grade, class_name, \
         boarding, special_class, regular_class_inclusion, hukou, major, agri_major, full_time, \
         status, difficulty, birth_date, sex"
    };
}
pub(crate) use student_cols;

/// `sqlx::FromRow` by column position, for both backends: the struct's fields in order are the
/// columns every query reading it selects, in that order (the SQLite JSON path relies on the
/// same order). sqlx's derived impl looks each column up by name for every row, which was a
/// seventh of a compute's time on PostgreSQL; a column of the wrong type is still an error.
macro_rules! from_row_by_position {
    ($t:ident { $($f:ident),* $(,)? }) => {
        from_row_by_position!(@one sqlx::postgres::PgRow, $t { $($f),* });
        from_row_by_position!(@one sqlx::sqlite::SqliteRow, $t { $($f),* });
        impl crate::copy_out::FromCopy for $t {
            fn from_copy(fields: &mut crate::copy_out::Fields<'_>) -> Result<Self, String> {
                Ok($t { $($f: fields.next()?,)* })
            }
        }
        impl crate::raw_sqlite::FromRaw for $t {
            fn from_raw(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                let mut column = 0usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                Ok($t { $($f: row.get(next())?,)* })
            }
        }
    };
    (@one $row:ty, $t:ident { $($f:ident),* }) => {
        impl<'r> sqlx::FromRow<'r, $row> for $t {
            fn from_row(row: &'r $row) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                let mut column = 0usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                Ok($t { $($f: row.try_get(next())?,)* })
            }
        }
    };
}
pub(crate) use from_row_by_position;

/// Also read from a JSON array per row (the SQLite bulk path in `lists.rs`), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawStudent {
    id: i64,
    import_id: i64,
    row_no: i64,
    term: String,
    id_number: String,
    name: String,
    student_no: String,
    school_code: String,
    grade: i64,
    class_name: String,
    #[serde(deserialize_with = "int_bool")]
    boarding: bool,
    #[serde(deserialize_with = "int_bool")]
    special_class: bool,
    #[serde(deserialize_with = "int_bool")]
    regular_class_inclusion: bool,
    hukou: Option<String>,
    major: String,
    #[serde(deserialize_with = "int_bool")]
    agri_major: bool,
    #[serde(deserialize_with = "int_bool")]
    full_time: bool,
    status: String,
    difficulty: String,
    birth_date: Option<NaiveDate>,
    sex: Option<String>,
}
from_row_by_position!(RawStudent {
    id,
    import_id,
    row_no,
    term,
    id_number,
    name,
    student_no,
    school_code,
    grade,
    class_name,
    boarding,
    special_class,
    regular_class_inclusion,
    hukou,
    major,
    agri_major,
    full_time,
    status,
    difficulty,
    birth_date,
    sex
});

/// SQLite's JSON functions write booleans as 0/1.
pub(crate) fn int_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::Deserialize;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::Number(n) => Ok(n.as_i64().unwrap_or(0) != 0),
        other => Err(serde::de::Error::custom(format!("not a boolean: {other}"))),
    }
}

impl TryFrom<RawStudent> for StoredStudent {
    type Error = StoreError;
    fn try_from(r: RawStudent) -> StoreResult<StoredStudent> {
        Ok(StoredStudent {
            key: r.id,
            term: term(&r.term)?,
            import_id: r.import_id,
            row_no: r.row_no,
            record: StudentRecord {
                id: id(&r.id_number)?,
                name: r.name,
                student_no: r.student_no,
                school_code: r.school_code,
                grade: small(r.grade, "年级")?,
                class: r.class_name,
                boarding: r.boarding,
                special_class: r.special_class,
                regular_class_inclusion: r.regular_class_inclusion,
                hukou: opt_key(r.hukou.as_deref(), Area::from_key, "户口性质")?,
                major: r.major,
                agri_major: r.agri_major,
                full_time: r.full_time,
                status: key(&r.status, Status::from_key, "学籍状态")?,
                difficulty: key(&r.difficulty, Difficulty::from_key, "困难认定")?,
                birth_date: r.birth_date,
                sex: opt_key(r.sex.as_deref(), Sex::from_key, "性别")?,
            },
        })
    }
}

/// Columns of [`CopyStudent`]: a registry row as compute reads it. The five yes/no columns
/// travel as one integer of bits ([`STUDENT_FLAGS`]): PostgreSQL's cost of a binary copy is
/// mostly per field sent, and the 10 M-row registry read took 20 % less of its time with them
/// packed (BENCHMARKS.md). The row id is not read: one statement streams the term, in id order.
/// (PostgreSQL gives `<<` and `|` the same precedence, left to right: hence the parentheses.)
pub(crate) const COPY_STUDENT_COLS: &str = "import_id, row_no, id_number, name, student_no, \
    school_code, grade, (boarding::int4 + (special_class::int4 << 1) + \
    (regular_class_inclusion::int4 << 2) + (agri_major::int4 << 3) + (full_time::int4 << 4)), \
    hukou, status, difficulty, birth_date, sex";

/// The bits of the packed column of [`COPY_STUDENT_COLS`], in its order: 寄宿, 特教班, 随班就读,
/// 涉农专业, 全日制.
const STUDENT_FLAGS: [u32; 5] = [0, 1, 2, 3, 4];

/// A registry row streamed for compute on PostgreSQL ([`crate::Db::student_pages`]), decoded
/// straight from the binary copy: the keys (status, difficulty, …) are read in place instead of
/// as owned text first, and the class and major, which compute does not use, and the term, which
/// the caller knows, are not read at all (three texts less per row of 10 M).
pub(crate) struct CopyStudent(pub(crate) Sourced<StudentRecord>);

impl crate::copy_out::FromCopy for CopyStudent {
    fn from_copy(f: &mut crate::copy_out::Fields<'_>) -> Result<Self, String> {
        let e = |e: StoreError| e.to_string();
        let import_id = f.next()?;
        let row_no = f.next()?;
        let id_number = id(f.next_str()?).map_err(e)?;
        let name = f.next()?;
        let student_no = f.next()?;
        let school_code = f.next()?;
        let grade = small(f.next()?, "年级").map_err(e)?;
        let flags: i32 = f.next()?;
        let [boarding, special_class, regular_class_inclusion, agri_major, full_time] =
            STUDENT_FLAGS.map(|bit| flags >> bit & 1 == 1);
        let hukou = opt_key(f.next_opt_str()?, Area::from_key, "户口性质").map_err(e)?;
        let status = key(f.next_str()?, Status::from_key, "学籍状态").map_err(e)?;
        let difficulty = key(f.next_str()?, Difficulty::from_key, "困难认定").map_err(e)?;
        let birth_date = f.next()?;
        let sex = opt_key(f.next_opt_str()?, Sex::from_key, "性别").map_err(e)?;
        Ok(CopyStudent(Sourced {
            import_id,
            row_no,
            record: StudentRecord {
                id: id_number,
                name,
                student_no,
                school_code,
                grade,
                class: String::new(),
                boarding,
                special_class,
                regular_class_inclusion,
                hukou,
                major: String::new(),
                agri_major,
                full_time,
                status,
                difficulty,
                birth_date,
                sex,
            },
        }))
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct RawSchool {
    code: String,
    name: String,
    kind: String,
    #[serde(deserialize_with = "int_bool")]
    is_public: bool,
    township: String,
    #[serde(deserialize_with = "int_bool")]
    inclusive: bool,
    approval_level: String,
    area: Option<String>,
}

impl TryFrom<RawSchool> for School {
    type Error = StoreError;
    fn try_from(r: RawSchool) -> StoreResult<School> {
        Ok(School {
            code: r.code,
            name: r.name,
            kind: key(&r.kind, SchoolKind::from_key, "学校类型")?,
            public: r.is_public,
            township: r.township,
            inclusive: r.inclusive,
            approval_level: key(&r.approval_level, ApprovalLevel::from_key, "审批级别")?,
            area: opt_key(r.area.as_deref(), Area::from_key, "城乡")?,
        })
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawPoor {
    import_id: i64,
    row_no: i64,
    household_no: String,
    id_number: String,
    name: String,
    relation: String,
    status: String,
    exit_year: Option<i64>,
    township: String,
    village: String,
}
from_row_by_position!(RawPoor {
    import_id,
    row_no,
    household_no,
    id_number,
    name,
    relation,
    status,
    exit_year,
    township,
    village
});

impl TryFrom<RawPoor> for Sourced<PoorHouseholdMember> {
    type Error = StoreError;
    fn try_from(r: RawPoor) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: PoorHouseholdMember {
                household_no: r.household_no,
                id: id(&r.id_number)?,
                name: r.name,
                relation: r.relation,
                status: key(&r.status, PovertyStatus::from_key, "贫困状态")?,
                exit_year: r.exit_year.map(|y| small(y, "脱贫年度")).transpose()?,
                township: r.township,
                village: r.village,
            },
        })
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawAssistance {
    pub(crate) kind: String,
    import_id: i64,
    row_no: i64,
    id_number: String,
    name: String,
    area: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}
from_row_by_position!(RawAssistance {
    kind,
    import_id,
    row_no,
    id_number,
    name,
    area,
    valid_from,
    valid_to
});

impl RawAssistance {
    /// The list kind and the sourced entry.
    pub(crate) fn convert(self) -> StoreResult<(ListKind, Sourced<AssistanceEntry>)> {
        let kind = key(&self.kind, ListKind::from_key, "名单类型")?;
        Ok((
            kind,
            Sourced {
                import_id: self.import_id,
                row_no: self.row_no,
                record: AssistanceEntry {
                    id: id(&self.id_number)?,
                    name: self.name,
                    area: key(&self.area, Area::from_key, "城乡")?,
                    valid_from: self.valid_from,
                    valid_to: self.valid_to,
                },
            },
        ))
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawDisabled {
    import_id: i64,
    row_no: i64,
    id_number: String,
    name: String,
    certificate_no: String,
    category: String,
    grade: Option<i64>,
}
from_row_by_position!(RawDisabled {
    import_id,
    row_no,
    id_number,
    name,
    certificate_no,
    category,
    grade
});

impl TryFrom<RawDisabled> for Sourced<DisabledPerson> {
    type Error = StoreError;
    fn try_from(r: RawDisabled) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: DisabledPerson {
                id: id(&r.id_number)?,
                name: r.name,
                certificate_no: r.certificate_no,
                category: r.category,
                grade: r.grade.map(|g| small(g, "残疾等级")).transpose()?,
            },
        })
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct RawAdmission {
    import_id: i64,
    row_no: i64,
    id_number: String,
    name: String,
    exam_no: String,
    college: String,
    college_province: String,
    year: i64,
}

impl TryFrom<RawAdmission> for Sourced<CollegeAdmission> {
    type Error = StoreError;
    fn try_from(r: RawAdmission) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: CollegeAdmission {
                id: id(&r.id_number)?,
                name: r.name,
                exam_no: r.exam_no,
                college: r.college,
                college_province: r.college_province,
                year: small(r.year, "录取年度")?,
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawImport {
    id: i64,
    kind: String,
    file_name: String,
    sha256: String,
    term: Option<String>,
    actor: String,
    imported_at: DateTime<Utc>,
    row_count: i64,
    warning_count: i64,
}

impl TryFrom<RawImport> for ImportBatchRow {
    type Error = StoreError;
    fn try_from(r: RawImport) -> StoreResult<Self> {
        Ok(ImportBatchRow {
            id: r.id,
            kind: key(&r.kind, ListKind::from_key, "名单类型")?,
            file_name: r.file_name,
            sha256: r.sha256,
            term: r.term.as_deref().map(term).transpose()?,
            actor: r.actor,
            imported_at: r.imported_at,
            rows: r.row_count,
            warnings: r.warning_count,
        })
    }
}

/// Converts every raw row, stopping at the first that does not parse.
pub(crate) fn all<R, T>(raw: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    raw.into_iter().map(T::try_from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_seq_orders_terms() {
        let s23 = term_seq(Term::new(2023, Season::Spring));
        let a23 = term_seq(Term::new(2023, Season::Autumn));
        let s24 = term_seq(Term::new(2024, Season::Spring));
        assert_eq!(s23, 4046);
        assert_eq!(a23, 4047);
        assert_eq!(s24, 4048);
    }

    #[test]
    fn bad_stored_values_are_corrupt_not_panics() {
        assert!(matches!(term("2023-winter"), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            key("boarding", Status::from_key, "学籍状态"),
            Err(StoreError::Corrupt(_))
        ));
        assert_eq!(
            key("enrolled", Status::from_key, "学籍状态").ok(),
            Some(Status::Enrolled)
        );
        assert!(matches!(
            small::<u8>(300, "年级"),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(id("not-an-id"), Err(StoreError::Corrupt(_))));
    }
}
