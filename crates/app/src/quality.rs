//! Data-quality findings (数据质量问题) of a compute run, each with a stable code, the person, the
//! school and the list it comes from. They never change an amount silently: a duplicate is paid
//! once and reported (ruling 5); everything else is reported for the officer to correct.

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashSet;
use zizhu_domain::{stage_of, ListKind, School, StudentRecord};
use zizhu_store::NewQualityIssue;

use crate::matching::ListIndex;

/// The finding codes and their Chinese titles.
pub const CODES: &[(&str, &str)] = &[
    ("DQ-001", "同一学期在两所学校重复在读（只发放一次）"),
    ("DQ-002", "学校标识码不在学校名单中"),
    ("DQ-003", "年级与学校类型不符"),
    ("DQ-004", "学籍出生日期与身份证号不一致"),
    ("DQ-005", "学籍性别与身份证号不一致"),
    (
        "DQ-006",
        "部门名单中的义务教育适龄儿童未在本学期学籍中（疑似失学辍学线索）",
    ),
    (
        "DQ-007",
        "录取新生未获资助，且在已导入的学籍中没有记录（学校认定的困难等级无从核对）",
    ),
];

/// Chinese title of a code.
pub fn title(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)
        .unwrap_or("其他")
}

fn issue(code: &str, rec: &StudentRecord, source: String, detail: String) -> NewQualityIssue {
    NewQualityIssue {
        code: code.to_string(),
        id_number: Some(rec.id.as_str().to_string()),
        school_code: Some(rec.school_code.clone()),
        source,
        detail,
    }
}

/// Checks one registry row against the school list and its own ID.
pub fn check_student(
    rec: &StudentRecord,
    school: Option<&School>,
    row_no: &i64,
    out: &mut Vec<NewQualityIssue>,
) {
    // Made only for a finding: formatting it for each of millions of clean rows was 3 % of a
    // compute's time.
    let src = || format!("学籍第{row_no}行");
    match school {
        None => out.push(issue(
            "DQ-002",
            rec,
            src(),
            format!(
                "{}（{}）的学校标识码 {} 不在学校名单中，无法确定学段",
                rec.name, rec.student_no, rec.school_code
            ),
        )),
        Some(s) => {
            if stage_of(s.kind, rec.grade).is_none() {
                out.push(issue(
                    "DQ-003",
                    rec,
                    src(),
                    format!(
                        "{}在{}（{}）登记为{}年级",
                        rec.name,
                        s.name,
                        s.kind.zh(),
                        rec.grade
                    ),
                ));
            }
        }
    }
    if let (Some(b), Some(idb)) = (rec.birth_date, rec.id.birth_date()) {
        if b != idb {
            out.push(issue(
                "DQ-004",
                rec,
                src(),
                format!("学籍出生日期 {b}，身份证号为 {idb}"),
            ));
        }
    }
    if let (Some(s), Some(ids)) = (rec.sex, rec.id.sex()) {
        if s != ids {
            out.push(issue(
                "DQ-005",
                rec,
                src(),
                format!("学籍性别 {}，身份证号为 {}", s.zh(), ids.zh()),
            ));
        }
    }
}

/// A college admittee granted nothing who has no registry row in any imported term up to this
/// one: the school's own recognition of hardship (学校认定) could not be read, so a grant resting
/// on it alone was not made. Usually the registry of the admittee's last high-school term was
/// not imported (a newcomer following README lost 53 admittees' grants so, without a word).
pub fn admittee_without_registry(
    id_number: &str,
    name: &str,
    import_id: i64,
    row_no: i64,
) -> NewQualityIssue {
    NewQualityIssue {
        code: "DQ-007".into(),
        id_number: Some(id_number.to_string()),
        school_code: None,
        source: format!("高考录取名单 第{import_id}批第{row_no}行"),
        detail: format!(
            "{name}在已导入的学籍（至本学期）中没有记录，本次未计发任何资助（基准日有效的困难名单中\
             也未认定）；若其家庭经济困难由学校认定，请导入其高中最后一个学期的学籍后重新计算"
        ),
    }
}

/// Ruling 5: the second enrolment of an ID already paid at `first_school` this term.
pub fn duplicate(rec: &StudentRecord, first_school: &str, row_no: i64) -> NewQualityIssue {
    issue(
        "DQ-001",
        rec,
        format!("学籍第{row_no}行"),
        format!(
            "{}同时在学校 {} 和 {} 在读；已按 {} 计发一次，请核实并注销重复学籍",
            rec.name, first_school, rec.school_code, first_school
        ),
    )
}

/// Is a child born on `birth` of compulsory-education age in the school year that contains `on`?
/// Default rule: 6 full years by 31 August of the school year's start, and not yet 15 then.
pub fn compulsory_age(birth: NaiveDate, on: NaiveDate) -> bool {
    let start_year = if on.month() >= 9 {
        on.year()
    } else {
        on.year() - 1
    };
    let Some(cutoff) = NaiveDate::from_ymd_opt(start_year, 8, 31) else {
        return false;
    };
    let mut age = cutoff.year() - birth.year();
    if (cutoff.month(), cutoff.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    (6..=14).contains(&age)
}

/// The birth date in an ID key ([`zizhu_domain::ids::id_key`]: digits 7-14 of the ID are
/// YYYYMMDD, GB 11643-1999 §4.3).
fn birth_of_key(key: u64) -> Option<NaiveDate> {
    let ymd = key / 1000 % 100_000_000;
    NaiveDate::from_ymd_opt(
        i32::try_from(ymd / 10_000).ok()?,
        u32::try_from(ymd / 100 % 100).ok()?,
        u32::try_from(ymd % 100).ok()?,
    )
}

/// People of compulsory school age on a department list who are not in the term's registry.
/// Compulsory age is the policy's `[dropout]` rule when the file has one (the scan uses the
/// same), else [`compulsory_age`].
pub fn missing_from_registry(
    index: &ListIndex,
    seen: impl Fn(u64) -> bool,
    on: NaiveDate,
    rules: Option<&zizhu_domain::dropout::DropoutRules>,
    out: &mut Vec<NewQualityIssue>,
) {
    let compulsory_age = |birth: NaiveDate, on: NaiveDate| match rules {
        Some(r) => r.compulsory_age(birth, on),
        None => compulsory_age(birth, on),
    };
    // Only children of compulsory age are kept (from the birth date inside the key, without
    // building the ID): a province's lists hold millions of adults not in the registry.
    let mut found: Vec<(u64, ListKind)> = index
        .people()
        .filter(|(k, _)| birth_of_key(*k).is_some_and(|b| compulsory_age(b, on)) && !seen(*k))
        .collect();
    found.sort_unstable();
    let mut reported: FxHashSet<u64> = FxHashSet::default();
    for (key, list) in found {
        if reported.contains(&key) {
            continue;
        }
        let Some(id) = index.id_of(key) else {
            continue;
        };
        let Some(birth) = id.birth_date() else {
            continue;
        };
        if compulsory_age(birth, on) {
            reported.insert(key);
            let (name, batch, row, extra) = index.describe(key, list).unwrap_or_default();
            out.push(NewQualityIssue {
                code: "DQ-006".into(),
                id_number: Some(id.as_str().to_string()),
                school_code: None,
                source: format!("{}名单 第{batch}批第{row}行", list.zh()),
                detail: format!(
                    "{name}，{extra}；出生于 {birth}，应在义务教育阶段，未在本学期学籍中找到"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_birth_date_is_read_from_the_key() {
        let key = zizhu_domain::ids::id_key("11010519491231002X");
        assert_eq!(
            key.and_then(birth_of_key),
            NaiveDate::from_ymd_opt(1949, 12, 31)
        );
        assert_eq!(birth_of_key(11010519491332002), None);
    }
    use zizhu_domain::IdNumber;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn record(id: &str, school: &str, grade: u8) -> StudentRecord {
        let id = IdNumber::parse(id)
            .map(|(i, _)| i)
            .unwrap_or_else(|e| panic!("{e}"));
        StudentRecord {
            birth_date: id.birth_date(),
            sex: id.sex(),
            id,
            name: "甲演一".into(),
            student_no: "G1".into(),
            school_code: school.into(),
            grade,
            class: String::new(),
            boarding: false,
            special_class: false,
            regular_class_inclusion: false,
            hukou: None,
            major: String::new(),
            agri_major: false,
            full_time: true,
            status: zizhu_domain::Status::Enrolled,
            difficulty: zizhu_domain::Difficulty::NotDifficult,
        }
    }

    fn school(kind: zizhu_domain::SchoolKind) -> School {
        School {
            code: "2136000001".into(),
            name: "演示学校".into(),
            kind,
            public: true,
            township: "贡江镇".into(),
            inclusive: false,
            approval_level: zizhu_domain::ApprovalLevel::None,
            area: None,
        }
    }

    #[test]
    fn registry_facts_contradicting_the_id_and_impossible_grades_are_reported() {
        // 11010519491231002X: born 1949-12-31, female (sequence 002 is even).
        let mut r = record("11010519491231002X", "2136000001", 8);
        r.birth_date = Some(d(1949, 12, 30));
        r.sex = Some(zizhu_domain::Sex::Male);
        let mut out = Vec::new();
        check_student(
            &r,
            Some(&school(zizhu_domain::SchoolKind::Primary)),
            &7,
            &mut out,
        );
        let codes: Vec<&str> = out.iter().map(|q| q.code.as_str()).collect();
        assert_eq!(codes, ["DQ-003", "DQ-004", "DQ-005"]);
        assert!(out[1].detail.contains("1949-12-31") && out[1].source.contains("第7行"));
        let mut out = Vec::new();
        check_student(&record("11010519491231002X", "9", 3), None, &1, &mut out);
        assert_eq!(
            out.iter().map(|q| q.code.as_str()).collect::<Vec<_>>(),
            ["DQ-002"]
        );
        let mut out = Vec::new();
        check_student(
            &record("11010519491231002X", "1", 3),
            Some(&school(zizhu_domain::SchoolKind::Primary)),
            &1,
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn compulsory_age_boundaries() {
        let autumn = d(2023, 10, 1);
        assert!(
            compulsory_age(d(2017, 8, 31), autumn),
            "6 on 31 Aug 2023: enters grade 1"
        );
        assert!(
            !compulsory_age(d(2017, 9, 1), autumn),
            "turns 6 after the cut-off"
        );
        assert!(compulsory_age(d(2008, 9, 1), autumn), "14 on 31 Aug 2023");
        assert!(!compulsory_age(d(2008, 8, 31), autumn), "15 on 31 Aug 2023");
        // Spring 2023 belongs to the school year that began in September 2022.
        assert!(compulsory_age(d(2016, 8, 31), d(2023, 3, 1)));
        assert!(!compulsory_age(d(2016, 9, 1), d(2023, 3, 1)));
    }
}
