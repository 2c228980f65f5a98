//! Reading the lists the dropout scan compares (控辍保学): the school-age population (户籍) and
//! the schools' returns of who is in school (在校学生名单), a page at a time.

use crate::convert::{from_row_by_position, id, key};
use crate::error::{StoreError, StoreResult};
use crate::rows::Sourced;
use crate::Db;
use zizhu_domain::{AttendanceEntry, Resident, Sex, Term};

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawResident {
    import_id: i64,
    row_no: i64,
    id_number: String,
    name: String,
    sex: Option<String>,
    township: String,
    village: String,
    household_no: String,
    guardian: String,
    guardian_phone: String,
    zone_school: Option<String>,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    orphan: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    unsupported: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    left_behind: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    hardship: bool,
    #[serde(deserialize_with = "crate::convert::int_bool")]
    migrant: bool,
}
from_row_by_position!(RawResident {
    import_id,
    row_no,
    id_number,
    name,
    sex,
    township,
    village,
    household_no,
    guardian,
    guardian_phone,
    zone_school,
    orphan,
    unsupported,
    left_behind,
    hardship,
    migrant
});

impl TryFrom<RawResident> for Sourced<Resident> {
    type Error = StoreError;
    fn try_from(r: RawResident) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: Resident {
                id: id(&r.id_number)?,
                name: r.name,
                sex: r
                    .sex
                    .as_deref()
                    .map(|s| key(s, Sex::from_key, "未知的性别"))
                    .transpose()?,
                township: r.township,
                village: r.village,
                household_no: r.household_no,
                guardian: r.guardian,
                guardian_phone: r.guardian_phone,
                zone_school: r.zone_school,
                orphan: r.orphan,
                unsupported: r.unsupported,
                left_behind: r.left_behind,
                hardship: r.hardship,
                migrant: r.migrant,
            },
        })
    }
}

/// Also read from a JSON array per row (SQLite bulk path), in column order.
#[derive(serde::Deserialize)]
pub(crate) struct RawAttendance {
    import_id: i64,
    row_no: i64,
    school_code: String,
    id_number: String,
    name: String,
}
from_row_by_position!(RawAttendance {
    import_id,
    row_no,
    school_code,
    id_number,
    name
});

impl TryFrom<RawAttendance> for Sourced<AttendanceEntry> {
    type Error = StoreError;
    fn try_from(r: RawAttendance) -> StoreResult<Self> {
        Ok(Sourced {
            import_id: r.import_id,
            row_no: r.row_no,
            record: AttendanceEntry {
                school_code: r.school_code,
                id: id(&r.id_number)?,
                name: r.name,
            },
        })
    }
}

impl Db {
    /// Hands each child of the school-age population (户籍适龄人口) to `f`, in file order, a
    /// page at a time.
    pub async fn each_resident(&self, f: impl FnMut(Sourced<Resident>)) -> StoreResult<()> {
        const COLS: &str = "import_id, row_no, id_number, name, sex, township, village, \
            household_no, guardian, guardian_phone, zone_school, orphan, unsupported, \
            left_behind, hardship, migrant";
        self.read_list(
            "resident",
            COLS,
            None,
            "读取户籍适龄人口名单",
            |r: RawResident| r.try_into(),
            f,
        )
        .await
    }

    /// Hands each row of the schools' returns of `term` (在校学生名单) to `f`, in file order.
    pub async fn each_attendance(
        &self,
        term: Term,
        f: impl FnMut(Sourced<AttendanceEntry>),
    ) -> StoreResult<()> {
        const COLS: &str = "import_id, row_no, school_code, id_number, name";
        let term = term.to_string();
        self.read_list(
            "attendance",
            COLS,
            Some(("term", term.as_str())),
            "读取在校学生名单",
            |r: RawAttendance| r.try_into(),
            f,
        )
        .await
    }
}
