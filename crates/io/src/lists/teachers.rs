//! The two lists of teacher exchange (三(三)): 教师名单 and 交流轮岗. What one row can tell is
//! checked here (ID, school codes, dates, the same school on both sides, an end before the start);
//! what needs other lists (unknown schools, overlapping assignments, the teacher list) at import.

use super::cells::RowCtx;
use super::records::{checked_school_code, Built};
use crate::columns::Field;
use zizhu_domain::exchange::{Assignment, Teacher};
use zizhu_domain::ListRecord;

/// A teacher: ID (GB 11643, checked like a student's), name, school, optional staff number and
/// stage.
pub(super) fn teacher(c: &mut RowCtx<'_>) -> Built {
    let id = c.id(Field::IdNumber);
    let name = c.name(Field::Name);
    let school = checked_school_code(c, Field::SchoolCode, true);
    let staff_no = c.as_given(Field::StaffNo, false);
    let stage = c.text(Field::TeachingStage, false);
    let dup_key = id
        .as_ref()
        .map(|i| (i.as_str().to_string(), Field::IdNumber, "身份证件号"));
    let record = match (id, name, school) {
        (Some(id), Some(name), Some(school_code)) => Some(ListRecord::Teacher(Teacher {
            id_number: id.as_str().to_string(),
            name,
            school_code,
            staff_no,
            stage,
        })),
        _ => None,
    };
    Built { record, dup_key }
}

/// An exchange assignment: both schools and both days; the end not before the start, the two
/// schools different.
pub(super) fn assignment(c: &mut RowCtx<'_>) -> Built {
    let id = c.id(Field::IdNumber);
    let name = c.name(Field::Name);
    let from = checked_school_code(c, Field::FromSchool, true);
    let to = checked_school_code(c, Field::ToSchool, true);
    let start = c.date(Field::ValidFrom, true);
    let end = c.date(Field::ValidTo, true);
    let mut ok = true;
    if let (Some(f), Some(t)) = (&from, &to) {
        if f == t {
            c.error(Field::ToSchool, "接收学校与派出学校相同，不是交流轮岗");
            ok = false;
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            c.error(Field::ValidTo, format!("结束日期早于开始日期（{s}）"));
            ok = false;
        }
    }
    let dup_key = match (&id, start) {
        (Some(i), Some(s)) => Some((
            format!("{}|{s}", i.as_str()),
            Field::ValidFrom,
            "同一教师同一开始日期的交流记录",
        )),
        _ => None,
    };
    let record = match (id, name, from, to, start, end) {
        (Some(id), Some(name), Some(from_school), Some(to_school), Some(start), Some(end))
            if ok =>
        {
            Some(ListRecord::TeacherExchange(Assignment {
                id_number: id.as_str().to_string(),
                name,
                from_school,
                to_school,
                start,
                end,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}
