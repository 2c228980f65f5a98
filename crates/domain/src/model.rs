//! The records the county's lists carry, as the importer hands them over after validation.
//! Every enum knows its Chinese label (what users read and what spreadsheets contain).

use crate::ids::IdNumber;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Declares a fieldless enum with its stable English key (used in the policy file and database)
/// and its Chinese label (used in spreadsheets, reports and the UI).
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $key:literal, $zh:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            /// Stable English key, as written in the policy file and stored in the database.
            pub fn key(self) -> &'static str { match self { $($name::$v => $key,)* } }
            /// Chinese label.
            pub fn zh(self) -> &'static str { match self { $($name::$v => $zh,)* } }
            /// Inverse of [`Self::key`].
            pub fn from_key(k: &str) -> Option<$name> { match k { $($key => Some($name::$v),)* _ => None } }
        }
    };
}
pub(crate) use labelled_enum;

labelled_enum! {
    /// School kind (学校类型).
    SchoolKind {
        Kindergarten = "kindergarten", "幼儿园";
        Primary = "primary", "小学";
        Junior = "junior", "初中";
        NineYear = "nine_year", "九年一贯制学校";
        Complete = "complete", "完全中学";
        Senior = "senior", "普通高中";
        Vocational = "vocational", "中职";
        Special = "special", "特殊教育学校";
    }
}

labelled_enum! {
    /// The level of education authority that approved an inclusive kindergarten (审批级别).
    /// Ordered from lowest to highest.
    ApprovalLevel {
        None = "none", "无";
        Township = "township", "乡镇";
        County = "county", "县级";
        City = "city", "市级";
        Province = "province", "省级";
    }
}

labelled_enum! {
    /// Stage of education (学段), derived from grade and school.
    Stage {
        Preschool = "preschool", "学前";
        Primary = "primary", "小学";
        Junior = "junior", "初中";
        Senior = "senior", "普通高中";
        Vocational = "vocational", "中职";
    }
}

labelled_enum! {
    /// Enrolment status in the registry (学籍状态).
    Status {
        Enrolled = "enrolled", "在读";
        Suspended = "suspended", "休学";
        TransferredOut = "transferred_out", "转出";
        Graduated = "graduated", "毕业";
        DroppedOut = "dropped_out", "辍学";
    }
}

labelled_enum! {
    /// The school's own recognition of family economic difficulty (家庭经济困难认定).
    Difficulty {
        Special = "special", "特别困难";
        Relative = "relative", "比较困难";
        General = "general", "一般困难";
        NotDifficult = "not_difficult", "不困难";
    }
}

labelled_enum! {
    /// Sex (性别), GB/T 2261.1.
    Sex {
        Male = "male", "男";
        Female = "female", "女";
    }
}

labelled_enum! {
    /// Rural or urban: household registration (户口性质 农业/非农业) or the area of a civil-affairs list.
    Area {
        Rural = "rural", "农村";
        Urban = "urban", "城镇";
    }
}

labelled_enum! {
    /// Poverty status of a registered-poor household (建档立卡/脱贫户 贫困状态).
    PovertyStatus {
        NotExited = "not_exited", "未脱贫";
        Exited = "exited", "已脱贫";
    }
}

labelled_enum! {
    /// The kinds of list the county imports (导入类型). The key is the `KIND` of `zizhu import KIND FILE`.
    ListKind {
        Schools = "schools", "学校";
        Students = "students", "学籍";
        PoorHouseholds = "poor_households", "建档立卡（脱贫户）";
        Dibao = "dibao", "低保";
        Tekun = "tekun", "特困供养";
        Disabled = "disabled", "残疾人";
        UrbanHardship = "urban_hardship", "城镇困难家庭";
        CollegeAdmissions = "college_admissions", "高考录取";
        Residents = "residents", "户籍适龄人口";
        Attendance = "attendance", "在校学生";
        /// 收款账户: who receives each student's cash aid, on which card (资金发放).
        PayeeAccounts = "payee_accounts", "收款账户";
        /// 师范“三定向”各类专业录取最低控制分数线 and the provincial floor, per year (三(二)).
        AdmissionLines = "admission_lines", "师范定向控制线";
        /// Applicants to the "三定向" plan with their 中考 scores, per year (三(二)).
        AdmissionApplicants = "admission_applicants", "师范定向考生";
        /// 零收费发放记录: the in-kind provisions of 三(一) a school issued, per school year.
        ZeroFeeIssues = "zero_fee_issues", "零收费发放记录";
        /// 教师名单: the county's teachers and the school each serves at (三(三)).
        Teachers = "teachers", "教师名单";
        /// 交流轮岗: teachers sent from one school to another for a period (三(三)).
        TeacherExchanges = "teacher_exchanges", "交流轮岗";
    }
}

labelled_enum! {
    /// A category that makes a student's family economically difficult, with the list it comes from
    /// (POLICY.md, ruling on 家庭经济困难). Stored per student and term by matching.
    Category {
        RegisteredPoor = "registered_poor", "建档立卡（脱贫户）";
        DibaoRural = "dibao_rural", "农村低保";
        DibaoUrban = "dibao_urban", "城镇低保";
        TekunRural = "tekun_rural", "农村特困供养";
        TekunUrban = "tekun_urban", "城镇特困供养";
        Disabled = "disabled", "持残疾人证";
        UrbanHardship = "urban_hardship", "城镇困难家庭";
        SchoolRecognized = "school_recognized", "学校认定家庭经济困难";
    }
}

/// A school (学校), from the county education bureau's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct School {
    /// National school code (学校标识码), 10 digits, kept as given.
    pub code: String,
    pub name: String,
    pub kind: SchoolKind,
    /// 公办 (true) or 民办 (false).
    pub public: bool,
    /// Township (乡镇) name as given.
    pub township: String,
    /// Is it an inclusive kindergarten (普惠性幼儿园)?
    pub inclusive: bool,
    /// Level of the authority that approved it (审批级别); `None` when not applicable.
    pub approval_level: ApprovalLevel,
    /// Urban (城区) or rural (农村) school; used later for teacher exchange.
    pub area: Option<Area>,
}

/// One row of the student registry (学籍) for a term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentRecord {
    pub id: IdNumber,
    pub name: String,
    /// 学籍号, stored as given (G/J/L prefixes), never derived from the ID.
    pub student_no: String,
    pub school_code: String,
    /// Grade as a number: kindergarten 0 (小班/中班/大班 alike), primary 1–6, junior 7–9, senior and
    /// vocational 10–12 (中职一年级 = 10).
    pub grade: u8,
    pub class: String,
    pub boarding: bool,
    /// In a special-education class (特教班).
    pub special_class: bool,
    /// Learning in a regular class (随班就读).
    pub regular_class_inclusion: bool,
    pub hukou: Option<Area>,
    /// Vocational major (专业), if any.
    pub major: String,
    /// Agriculture-related major (涉农专业).
    pub agri_major: bool,
    /// Full-time (全日制); true unless the file says otherwise.
    pub full_time: bool,
    pub status: Status,
    pub difficulty: Difficulty,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
}

/// A member of a registered-poor household (建档立卡户 / 脱贫户成员).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoorHouseholdMember {
    /// Household number (户编号).
    pub household_no: String,
    pub id: IdNumber,
    pub name: String,
    /// Relation to the household head (与户主关系), as given.
    pub relation: String,
    pub status: PovertyStatus,
    /// Year of exiting poverty (脱贫年度), when exited.
    pub exit_year: Option<i32>,
    pub township: String,
    pub village: String,
}

/// A person on a civil-affairs or trade-union list with a validity period: 低保, 特困供养, 城镇困难家庭.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssistanceEntry {
    pub id: IdNumber,
    pub name: String,
    /// Rural or urban (农村/城市). 城镇困难家庭 is always urban.
    pub area: Area,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A disabled person (残疾人), from the disabled persons' federation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisabledPerson {
    pub id: IdNumber,
    pub name: String,
    /// Disability certificate number (残疾人证号): the ID plus two digits.
    pub certificate_no: String,
    /// Category (残疾类别): 视力/听力/言语/肢体/智力/精神/多重.
    pub category: String,
    /// Grade (残疾等级) 1–4.
    pub grade: Option<u8>,
}

/// A college admission (高考录取).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollegeAdmission {
    pub id: IdNumber,
    pub name: String,
    /// Exam number (考生号).
    pub exam_no: String,
    pub college: String,
    /// Province of the college (院校所在省份), as given (e.g. 江西省 / 江西).
    pub college_province: String,
    pub year: i32,
}

/// A child of the county's school-age population (适龄人口), from the public-security household
/// registration extract (户籍) that the county compares with the registry (控辍保学, 二(二)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    pub id: IdNumber,
    pub name: String,
    pub sex: Option<Sex>,
    /// Township (乡镇) and village (村/社区) of the household registration, as given.
    pub township: String,
    pub village: String,
    /// Household number (户号), as given.
    pub household_no: String,
    /// Guardian (监护人) and a phone number to reach them, as given.
    pub guardian: String,
    pub guardian_phone: String,
    /// The school of the child's attendance zone (划片学校), 学校标识码, when the file gives one.
    pub zone_school: Option<String>,
    /// Special attention groups the file marks (重点关注群体): orphan (孤儿), de-facto unsupported
    /// child (事实无人抚养儿童), left-behind child (留守儿童), child in hardship (困境儿童), migrant
    /// workers' child (随迁子女). Disability and poor families come from their own lists.
    pub orphan: bool,
    pub unsupported: bool,
    pub left_behind: bool,
    pub hardship: bool,
    pub migrant: bool,
}

/// A student a school reports as actually in school (在校学生, the schools' attendance
/// return), for the term the import names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceEntry {
    /// The reporting school, 学校标识码.
    pub school_code: String,
    pub id: IdNumber,
    pub name: String,
}

impl ListKind {
    /// Lists kept per term, replaced term by term (学籍, 在校学生名单); the others are replaced
    /// whole (高考录取 year by year).
    pub fn per_term(self) -> bool {
        matches!(self, ListKind::Students | ListKind::Attendance)
    }
}

/// One validated row of any imported list, as the importer hands it to the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ListRecord {
    School(School),
    Student(StudentRecord),
    PoorMember(PoorHouseholdMember),
    /// 低保, 特困供养 or 城镇困难家庭 — which one is the import's [`ListKind`].
    Assistance(AssistanceEntry),
    Disabled(DisabledPerson),
    Admission(CollegeAdmission),
    Resident(Resident),
    Attendance(AttendanceEntry),
    PayeeAccount(crate::payment::PayeeAccount),
    AdmissionLine(crate::admission::CategoryLine),
    Applicant(crate::admission::Applicant),
    ZeroFeeIssue(crate::zero_fee::Issue),
    Teacher(crate::exchange::Teacher),
    TeacherExchange(crate::exchange::Assignment),
}

/// The stage (学段) and year within it (1-based) of a grade at a kind of school, or `None` when the
/// grade does not exist there (a data-quality finding). Grades follow [`StudentRecord::grade`]:
/// kindergarten 0, primary 1–6, junior 7–9, senior/vocational 10–12; at a junior, senior or
/// vocational school 1–3 also mean the first to third year of that school.
pub fn stage_of(kind: SchoolKind, grade: u8) -> Option<(Stage, u8)> {
    use SchoolKind as K;
    match (kind, grade) {
        (K::Kindergarten, 0..=3) => Some((Stage::Preschool, 1)),
        (K::Primary | K::NineYear | K::Special, 1..=6) => Some((Stage::Primary, grade)),
        (K::Junior | K::NineYear | K::Complete | K::Special, 7..=9) => {
            Some((Stage::Junior, grade - 6))
        }
        (K::Junior, 1..=3) => Some((Stage::Junior, grade)),
        (K::Senior | K::Complete, 10..=12) => Some((Stage::Senior, grade - 9)),
        (K::Senior, 1..=3) => Some((Stage::Senior, grade)),
        (K::Vocational, 10..=12) => Some((Stage::Vocational, grade - 9)),
        (K::Vocational, 1..=3) => Some((Stage::Vocational, grade)),
        (K::Special, 0) => Some((Stage::Preschool, 1)),
        _ => None,
    }
}

#[cfg(test)]
mod stage_tests {
    use super::*;

    #[test]
    fn stages_by_school_kind() {
        assert_eq!(stage_of(SchoolKind::NineYear, 8), Some((Stage::Junior, 2)));
        assert_eq!(stage_of(SchoolKind::NineYear, 3), Some((Stage::Primary, 3)));
        assert_eq!(
            stage_of(SchoolKind::Vocational, 1),
            Some((Stage::Vocational, 1))
        );
        assert_eq!(
            stage_of(SchoolKind::Vocational, 11),
            Some((Stage::Vocational, 2))
        );
        assert_eq!(stage_of(SchoolKind::Complete, 10), Some((Stage::Senior, 1)));
        assert_eq!(
            stage_of(SchoolKind::Complete, 2),
            None,
            "ambiguous at a 完全中学"
        );
        assert_eq!(stage_of(SchoolKind::Primary, 8), None);
        assert_eq!(
            stage_of(SchoolKind::Kindergarten, 0),
            Some((Stage::Preschool, 1))
        );
    }
}
