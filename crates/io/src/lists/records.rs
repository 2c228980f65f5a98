//! Building one domain record per list kind from a validated row (记录构建), plus the key used to find
//! duplicates inside one file.

use super::cells::RowCtx;
use crate::columns::Field;
use zizhu_domain::labels::{
    parse_approval_level, parse_area, parse_boarding, parse_bool, parse_difficulty,
    parse_full_time, parse_grade, parse_hukou, parse_poverty_status, parse_public,
    parse_school_kind, parse_sex, parse_status,
};
use zizhu_domain::{
    ApprovalLevel, Area, AssistanceEntry, AttendanceEntry, CollegeAdmission, Difficulty,
    DisabledPerson, IdNumber, ListKind, ListRecord, PoorHouseholdMember, Resident, School,
    SchoolKind, Status, StudentRecord,
};

const YES_NO: &str = "是、否";
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A record (if the row's fields all parsed) and its duplicate key (if the key fields parsed).
/// The record is discarded by the caller when the row has errors.
pub(crate) struct Built {
    pub record: Option<ListRecord>,
    /// Key identifying the same entry twice in one file, with the field to blame and how to name
    /// it in the message.
    pub dup_key: Option<(String, Field, &'static str)>,
}

/// Builds a record of `kind` from the row.
pub(crate) fn build(kind: ListKind, c: &mut RowCtx<'_>) -> Built {
    match kind {
        ListKind::Schools => school(c),
        ListKind::Students => student(c),
        ListKind::PoorHouseholds => poor_member(c),
        ListKind::Dibao | ListKind::Tekun => assistance(c, None),
        ListKind::UrbanHardship => assistance(c, Some(Area::Urban)),
        ListKind::Disabled => disabled(c),
        ListKind::CollegeAdmissions => admission(c),
        ListKind::Residents => resident(c),
        ListKind::Attendance => attendance(c),
        ListKind::PayeeAccounts => payee_account(c),
        ListKind::AdmissionLines => admission_line(c),
        ListKind::AdmissionApplicants => applicant(c),
        ListKind::ZeroFeeIssues => super::zero_fee::issue(c),
        ListKind::Teachers => super::teachers::teacher(c),
        ListKind::TeacherExchanges => super::teachers::assignment(c),
    }
}

/// A 中考 score: up to five digits and a half point at most (`612`, `612.5`).
fn score(
    c: &mut RowCtx<'_>,
    field: Field,
    required: bool,
) -> Option<zizhu_domain::admission::Score> {
    let s = c.text(field, required)?;
    match zizhu_domain::admission::Score::parse(&s) {
        None => {
            c.error(field, "不是分数，应为数字，最多一位小数，如 612 或 612.5");
            None
        }
        // No total of the admission subjects comes near: a typing error.
        Some(v) if v > zizhu_domain::admission::Score::points(1_500) => {
            c.error(field, "分数超过 1500，请核对");
            None
        }
        Some(v) => Some(v),
    }
}

/// One "三定向" category's line of a year: the floor is 省定最低分, or 计分科目总分 × 总分比例.
fn admission_line(c: &mut RowCtx<'_>) -> Built {
    use zizhu_domain::admission::{parse_percent, CategoryLine, Floor};
    let year = c.year(Field::Year, true, YEARS);
    let category = c.text(Field::Category, true);
    let control = score(c, Field::ControlLine, true);
    let given = score(c, Field::FloorScore, false);
    let total = score(c, Field::TotalScore, false);
    let percent_text = c.text(Field::Proportion, false);
    // Below 10 % no floor makes sense: "1" is more likely an Excel 100 % than 1 %.
    let percent = percent_text
        .as_deref()
        .and_then(parse_percent)
        .filter(|bp| *bp >= 1_000);
    if percent_text.is_some() && percent.is_none() {
        c.error(Field::Proportion, "不是 10%–100% 的比例，请写成 60% 或 0.6");
    }
    if total.is_some_and(|t| t.0 == 0) {
        c.error(Field::TotalScore, "计分科目总分不能为 0");
    }
    let floor = match (given, total, percent) {
        (Some(g), None, None) => Some(Floor::Given(g)),
        (None, Some(total), Some(percent_bp)) => Some(Floor::Proportion { percent_bp, total }),
        (Some(_), _, _) => {
            c.error(Field::FloorScore, "省定最低分与“总分 × 比例”只能填一种");
            None
        }
        (None, None, None) => {
            c.error(
                Field::FloorScore,
                "须填写省定最低分，或计分科目总分与总分比例（三(二)：不低于省中招委规定的分数）",
            );
            None
        }
        // A proportion that did not parse was named already.
        (None, _, None) if percent_text.is_some() => None,
        (None, _, _) => {
            c.error(Field::TotalScore, "计分科目总分与总分比例须同时填写");
            None
        }
    };
    let dup_key = match (&year, &category) {
        (Some(y), Some(k)) => Some((format!("{y}|{k}"), Field::Category, "同一年份的专业类别")),
        _ => None,
    };
    // The floor is what the lowering may not go below: above the control line itself it is a
    // mistake in the file (the line would be raised, not lowered).
    let floor_above = matches!((control, floor), (Some(line), Some(f)) if f.score() > line);
    if let (true, Some(f)) = (floor_above, floor) {
        c.error(
            Field::ControlLine,
            format!("低于省定最低分 {}，请核对", f.score()),
        );
    }
    let record = match (year, category, control, floor) {
        (Some(year), Some(category), Some(control_line), Some(floor)) if !floor_above => {
            Some(ListRecord::AdmissionLine(CategoryLine {
                year,
                category,
                control_line,
                floor,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

/// An applicant to the "三定向" plan with the conditions of 三(二) the admissions office records.
fn applicant(c: &mut RowCtx<'_>) -> Built {
    let year = c.year(Field::Year, true, YEARS);
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let category = c.text(Field::Category, true);
    let score = score(c, Field::ExamScore, true);
    let fresh = c.label(Field::FreshGraduate, true, parse_bool, YES_NO);
    let hukou = c.label(Field::HukouInCounty, true, parse_bool, YES_NO);
    let dup_key = match (&id, year) {
        (Some(i), Some(y)) => Some((
            format!("{}|{y}", i.as_str()),
            Field::IdNumber,
            "同一年份内身份证件号",
        )),
        _ => None,
    };
    let record = match (year, name, id, category, score, fresh, hukou) {
        (
            Some(year),
            Some(name),
            Some(id),
            Some(category),
            Some(score),
            Some(fresh),
            Some(hukou),
        ) => Some(ListRecord::Applicant(zizhu_domain::admission::Applicant {
            year,
            id_number: id.as_str().to_string(),
            name,
            category,
            score,
            fresh_graduate: fresh,
            hukou_in_county: hukou,
        })),
        _ => None,
    };
    Built { record, dup_key }
}

/// A payee account: the card number is read as given (a numeric cell over 15 digits was cut by
/// Excel and is refused), then checked for its kind's length and check digit.
fn payee_account(c: &mut RowCtx<'_>) -> Built {
    use zizhu_domain::payment::{AccountKind, AccountNo, PayeeAccount};
    let student_name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let payee_name = c.name(Field::PayeeName);
    let relation = c.text(Field::Relation, false).unwrap_or_default();
    // These go into the bank's file as they are: no spreadsheet formula, no long text.
    let plain = |c: &mut RowCtx<'_>, field: Field, v: &str| {
        if v.starts_with(['=', '+', '-', '@']) {
            c.error(field, "不能以 = + - @ 开头（会被表格软件当作公式）");
        } else if v.chars().count() > 50 {
            c.error(field, "过长（最多 50 个字）");
        }
    };
    plain(c, Field::Relation, &relation);
    let kind = c
        .label(
            Field::AccountKind,
            false,
            |s| {
                AccountKind::ALL
                    .iter()
                    .copied()
                    .find(|k| k.zh() == s || k.key() == s)
            },
            &zh_list(AccountKind::ALL, AccountKind::zh),
        )
        .unwrap_or(AccountKind::BankCard);
    let number =
        c.as_given(Field::AccountNo, true)
            .and_then(|raw| match AccountNo::parse(kind, &raw) {
                Ok(n) => Some(n),
                Err(e) => {
                    c.error(Field::AccountNo, e.to_string());
                    // A card number is personal data: the report shows it masked.
                    if let Some(last) = c.errors.last_mut() {
                        last.value = zizhu_domain::payment::mask(&last.value);
                    }
                    None
                }
            });
    let bank = c.text(Field::Bank, true);
    if let Some(b) = &bank {
        plain(c, Field::Bank, b);
    }
    let dup_key = id_key(&id);
    let record = match (student_name, id, payee_name, number, bank) {
        (Some(student_name), Some(student_id), Some(payee_name), Some(number), Some(bank)) => {
            Some(ListRecord::PayeeAccount(PayeeAccount {
                student_id,
                student_name,
                payee_name,
                relation,
                kind,
                number,
                bank,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

fn resident(c: &mut RowCtx<'_>) -> Built {
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let sex = c.label(Field::Sex, false, parse_sex, "男、女");
    let township = c.text(Field::Township, true);
    let village = c.text(Field::Village, false).unwrap_or_default();
    let household_no = c.as_given(Field::HouseholdNo, false).unwrap_or_default();
    let guardian = c.text(Field::Guardian, false).unwrap_or_default();
    let guardian_phone = c.as_given(Field::GuardianPhone, false).unwrap_or_default();
    let zone_school = optional_school_code(c, Field::ZoneSchool);
    let mut flag = |f: Field| c.label(f, false, parse_bool, YES_NO).unwrap_or(false);
    let orphan = flag(Field::Orphan);
    let unsupported = flag(Field::Unsupported);
    let left_behind = flag(Field::LeftBehind);
    let hardship = flag(Field::Hardship);
    let migrant = flag(Field::Migrant);
    let dup_key = id_key(&id);
    let record = match (name, id, township) {
        (Some(name), Some(id), Some(township)) => Some(ListRecord::Resident(Resident {
            id,
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
            migrant,
        })),
        _ => None,
    };
    Built { record, dup_key }
}

fn attendance(c: &mut RowCtx<'_>) -> Built {
    let school_code = school_code(c);
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let dup_key = id_key(&id);
    let record = match (school_code, name, id) {
        (Some(school_code), Some(name), Some(id)) => {
            Some(ListRecord::Attendance(AttendanceEntry {
                school_code,
                id,
                name,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

fn id_key(id: &Option<IdNumber>) -> Option<(String, Field, &'static str)> {
    id.as_ref()
        .map(|i| (i.as_str().to_string(), Field::IdNumber, "身份证件号"))
}

fn zh_list<T: Copy>(all: &[T], zh: fn(T) -> &'static str) -> String {
    all.iter().map(|&v| zh(v)).collect::<Vec<_>>().join("、")
}

/// 学校标识码 is 10 digits.
pub(super) fn school_code(c: &mut RowCtx<'_>) -> Option<String> {
    checked_school_code(c, Field::SchoolCode, true)
}

/// An optional column holding a 学校标识码 (e.g. 划片学校标识码): checked when given.
fn optional_school_code(c: &mut RowCtx<'_>, field: Field) -> Option<String> {
    checked_school_code(c, field, false)
}

pub(super) fn checked_school_code(
    c: &mut RowCtx<'_>,
    field: Field,
    required: bool,
) -> Option<String> {
    let code = c.code(field, required)?;
    if code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()) {
        Some(code)
    } else {
        c.error(field, format!("学校标识码应为10位数字，实为“{code}”"));
        None
    }
}

/// 城乡类型 of a school (NBS 城乡分类 words included): 城区/镇区 → urban, 乡村/农村 → rural.
fn parse_school_area(s: &str) -> Option<Area> {
    match s.trim() {
        "城区" | "主城区" | "城乡结合区" | "镇区" | "镇中心区" | "镇乡结合区" | "城镇" | "城市" => {
            Some(Area::Urban)
        }
        "乡村" | "农村" | "乡中心区" | "村庄" => Some(Area::Rural),
        other => parse_area(other),
    }
}

fn school(c: &mut RowCtx<'_>) -> Built {
    let code = school_code(c);
    let name = c.text(Field::SchoolName, true);
    let kind = c.label(
        Field::SchoolKind,
        true,
        parse_school_kind,
        &zh_list(SchoolKind::ALL, SchoolKind::zh),
    );
    let public = c.label(Field::Public, true, parse_public, "公办、民办");
    let township = c.text(Field::Township, true);
    let inclusive = c.label(Field::Inclusive, false, parse_bool, YES_NO);
    let approval = c.label(
        Field::ApprovalLevel,
        false,
        parse_approval_level,
        "省级、市级、县级、乡镇、无",
    );
    let area = c.label(
        Field::SchoolArea,
        false,
        parse_school_area,
        "城区、镇区、乡村",
    );
    let dup_key = code.clone().map(|k| (k, Field::SchoolCode, "学校标识码"));
    let record = match (code, name, kind, public, township) {
        (Some(code), Some(name), Some(kind), Some(public), Some(township)) => {
            Some(ListRecord::School(School {
                code,
                name,
                kind,
                public,
                township,
                inclusive: inclusive.unwrap_or(false),
                approval_level: approval.unwrap_or(ApprovalLevel::None),
                area,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

fn student(c: &mut RowCtx<'_>) -> Built {
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let student_no = c.as_given(Field::StudentNo, true);
    let school_code = school_code(c);
    let grade = c.label(
        Field::Grade,
        true,
        parse_grade,
        "小班、中班、大班、一年级…九年级、初一…初三、高一…高三、中职一年级…中职三年级，或数字0–12",
    );
    let class = c.text(Field::Class, false).unwrap_or_default();
    let boarding = c.label(Field::Boarding, true, parse_boarding, "是、否、住校、走读");
    let special_class = c
        .label(Field::SpecialClass, false, parse_bool, YES_NO)
        .unwrap_or(false);
    let inclusion = c
        .label(Field::RegularClassInclusion, false, parse_bool, YES_NO)
        .unwrap_or(false);
    let hukou = c
        .label(
            Field::Hukou,
            false,
            parse_hukou,
            "农业户口、非农业户口、居民户口",
        )
        .flatten();
    let major = c.text(Field::Major, false).unwrap_or_default();
    let agri_major = c
        .label(Field::AgriMajor, false, parse_bool, YES_NO)
        .unwrap_or(false);
    let full_time = c
        .label(Field::FullTime, false, parse_full_time, "全日制、非全日制")
        .unwrap_or(true);
    let status = c.label(
        Field::Status,
        true,
        parse_status,
        &zh_list(Status::ALL, Status::zh),
    );
    let difficulty = c
        .label(
            Field::Difficulty,
            false,
            parse_difficulty,
            &zh_list(Difficulty::ALL, Difficulty::zh),
        )
        .unwrap_or(Difficulty::NotDifficult);
    let birth = c.date(Field::BirthDate, false);
    let sex = c.label(Field::Sex, false, parse_sex, "男、女");
    if let Some(id) = &id {
        if let (Some(given), Some(from_id)) = (birth, id.birth_date()) {
            if given != from_id {
                // Kept as registered and reported by the compute step (data quality DQ-004):
                // one wrong cell must not block a whole county's registry.
                c.warn(
                    Field::BirthDate,
                    format!(
                        "出生日期与身份证号不一致（身份证为{}），已按学籍登记值保留，计算时列入数据质量报告",
                        from_id.format("%Y-%m-%d")
                    ),
                );
            }
        }
        if let (Some(given), Some(from_id)) = (sex, id.sex()) {
            if given != from_id {
                c.warn(
                    Field::Sex,
                    format!(
                        "性别与身份证号不一致（身份证为{}），已按学籍登记值保留，计算时列入数据质量报告",
                        from_id.zh()
                    ),
                );
            }
        }
    }
    let dup_key = match (&id, &school_code) {
        (Some(i), Some(s)) => Some((
            format!("{s}|{}", i.as_str()),
            Field::IdNumber,
            "同一学校内身份证件号",
        )),
        _ => None,
    };
    let record = match (name, id, student_no, school_code, grade, boarding, status) {
        (
            Some(name),
            Some(id),
            Some(student_no),
            Some(school_code),
            Some(grade),
            Some(boarding),
            Some(status),
        ) => {
            let birth_date = birth.or_else(|| id.birth_date());
            let sex = sex.or_else(|| id.sex());
            Some(ListRecord::Student(StudentRecord {
                id,
                name,
                student_no,
                school_code,
                grade,
                class,
                boarding,
                special_class,
                regular_class_inclusion: inclusion,
                hukou,
                major,
                agri_major,
                full_time,
                status,
                difficulty,
                birth_date,
                sex,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

fn poor_member(c: &mut RowCtx<'_>) -> Built {
    let household_no = c.code(Field::HouseholdNo, true);
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let relation = c.text(Field::Relation, false).unwrap_or_default();
    let status = c.label(
        Field::PovertyStatus,
        true,
        parse_poverty_status,
        "未脱贫、已脱贫",
    );
    // 精准扶贫 began in 2013/2014; a 脱贫年度 after this year has not happened yet.
    let exit_year = c.year(
        Field::ExitYear,
        false,
        2013..=chrono::Datelike::year(&chrono::Local::now()),
    );
    let township = c.text(Field::Township, false).unwrap_or_default();
    let village = c.text(Field::Village, false).unwrap_or_default();
    let dup_key = id_key(&id);
    let record = match (household_no, name, id, status) {
        (Some(household_no), Some(name), Some(id), Some(status)) => {
            Some(ListRecord::PoorMember(PoorHouseholdMember {
                household_no,
                id,
                name,
                relation,
                status,
                exit_year,
                township,
                village,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

/// 低保 / 特困供养 (area from the file) and 城镇困难家庭 (`fixed_area` = urban).
fn assistance(c: &mut RowCtx<'_>, fixed_area: Option<Area>) -> Built {
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let area = match fixed_area {
        Some(a) => Some(a),
        None => c.label(Field::Area, true, parse_area, "农村、城市"),
    };
    let valid_from = c.date(Field::ValidFrom, false);
    let valid_to = c.date(Field::ValidTo, false);
    if let (Some(from), Some(to)) = (valid_from, valid_to) {
        if to < from {
            c.error(
                Field::ValidTo,
                format!("结束日期早于开始日期（{}）", from.format("%Y-%m-%d")),
            );
        }
    }
    let dup_key = id_key(&id);
    let record = match (name, id, area) {
        (Some(name), Some(id), Some(area)) => Some(ListRecord::Assistance(AssistanceEntry {
            id,
            name,
            area,
            valid_from,
            valid_to,
        })),
        _ => None,
    };
    Built { record, dup_key }
}

/// 残疾等级: 一级…四级, 1–4, `1级`.
fn parse_disability_grade(s: &str) -> Option<u8> {
    let s = s.trim();
    let s = s.strip_suffix('级').unwrap_or(s);
    match s {
        "一" | "1" => Some(1),
        "二" | "2" => Some(2),
        "三" | "3" => Some(3),
        "四" | "4" => Some(4),
        _ => None,
    }
}

fn disabled(c: &mut RowCtx<'_>) -> Built {
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let cert = c.code(Field::CertificateNo, true);
    let category = c.text(Field::DisabilityCategory, false).unwrap_or_default();
    let grade = c.label(
        Field::DisabilityGrade,
        false,
        parse_disability_grade,
        "一级、二级、三级、四级（或1–4）",
    );
    if let (Some(id), Some(cert)) = (&id, &cert) {
        let upper = cert.to_uppercase();
        let ok = upper
            .strip_prefix(id.as_str())
            .is_some_and(|rest| rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            c.warn(
                Field::CertificateNo,
                format!(
                    "残疾人证号应为身份证号加2位数字（身份证号为{}），请核对",
                    id.as_str()
                ),
            );
        }
    }
    let dup_key = id_key(&id);
    let record = match (name, id, cert) {
        (Some(name), Some(id), Some(certificate_no)) => {
            Some(ListRecord::Disabled(DisabledPerson {
                id,
                name,
                certificate_no,
                category,
                grade,
            }))
        }
        _ => None,
    };
    Built { record, dup_key }
}

fn admission(c: &mut RowCtx<'_>) -> Built {
    let exam_no = c.code(Field::ExamNo, true);
    let name = c.name(Field::Name);
    let id = c.id(Field::IdNumber);
    let college = c.text(Field::College, true);
    // Stored as the canonical province name: 省内/省外 decides 500 or 1000 元 (二(一)3).
    let province = match c.text(Field::CollegeProvince, true) {
        Some(p) => match zizhu_domain::ids::province_by_name(&p) {
            Some(full) => Some(full.to_string()),
            None => {
                c.error(
                    Field::CollegeProvince,
                    "无法识别的省份名称，请填写如“江西省”或“江西”",
                );
                None
            }
        },
        None => None,
    };
    let year = c.year(Field::AdmissionYear, true, YEARS);
    let dup_key = match (&id, year) {
        (Some(i), Some(y)) => Some((
            format!("{}|{y}", i.as_str()),
            Field::IdNumber,
            "同一录取年份内身份证件号",
        )),
        _ => None,
    };
    let record = match (exam_no, name, id, college, province, year) {
        (
            Some(exam_no),
            Some(name),
            Some(id),
            Some(college),
            Some(college_province),
            Some(year),
        ) => Some(ListRecord::Admission(CollegeAdmission {
            id,
            name,
            exam_no,
            college,
            college_province,
            year,
        })),
        _ => None,
    };
    Built { record, dup_key }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disability_grades() {
        assert_eq!(parse_disability_grade("一级"), Some(1));
        assert_eq!(parse_disability_grade("4"), Some(4));
        assert_eq!(parse_disability_grade("2级"), Some(2));
        assert_eq!(parse_disability_grade("五级"), None);
    }

    #[test]
    fn school_areas() {
        assert_eq!(parse_school_area("镇区"), Some(Area::Urban));
        assert_eq!(parse_school_area("城区"), Some(Area::Urban));
        assert_eq!(parse_school_area("乡村"), Some(Area::Rural));
        assert_eq!(parse_school_area("农村"), Some(Area::Rural));
        assert_eq!(parse_school_area("山区"), None);
    }
}
