//! Teacher exchange (城区教师到农村学校交流轮岗, 三(三), migration 0018), as stored: the teacher list
//! and the exchange assignments.

use crate::error::{Ctx, StoreResult};
use crate::Db;
use chrono::NaiveDate;
use zizhu_domain::exchange::{Assignment, Teacher};

type RawTeacher = (String, String, String, Option<String>, Option<String>);
type RawAssignment = (String, String, String, String, NaiveDate, NaiveDate);

impl Db {
    /// The teacher list (教师名单), by school and ID.
    pub async fn teachers(&self) -> StoreResult<Vec<Teacher>> {
        let raw: Vec<RawTeacher> = db_run!(self, |pool| sqlx::query_as(
            "SELECT id_number, name, school_code, staff_no, stage FROM teacher \
             ORDER BY school_code, id_number"
        )
        .fetch_all(pool)
        .await)
        .ctx("读取教师名单")?;
        Ok(raw
            .into_iter()
            .map(|(id_number, name, school_code, staff_no, stage)| Teacher {
                id_number,
                name,
                school_code,
                staff_no,
                stage,
            })
            .collect())
    }

    /// Every exchange assignment (交流轮岗), by teacher and start.
    pub async fn teacher_exchanges(&self) -> StoreResult<Vec<Assignment>> {
        let raw: Vec<RawAssignment> = db_run!(self, |pool| sqlx::query_as(
            "SELECT id_number, name, from_school, to_school, start_date, end_date \
             FROM teacher_exchange ORDER BY id_number, start_date"
        )
        .fetch_all(pool)
        .await)
        .ctx("读取交流轮岗名单")?;
        Ok(raw
            .into_iter()
            .map(
                |(id_number, name, from_school, to_school, start, end)| Assignment {
                    id_number,
                    name,
                    from_school,
                    to_school,
                    start,
                    end,
                },
            )
            .collect())
    }
}
