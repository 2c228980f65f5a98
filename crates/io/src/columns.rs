//! The columns (列) each imported list has: canonical Chinese header, accepted aliases, and whether the
//! column is required. This table is the single place to add a header variant met in a county file.

use zizhu_domain::ListKind;

/// A field of an imported record. One field can appear in several lists (e.g. [`Field::Name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// 学校标识码: national school code.
    SchoolCode,
    /// 学校名称.
    SchoolName,
    /// 办学类型: school kind.
    SchoolKind,
    /// 办学性质: 公办/民办.
    Public,
    /// 所在乡镇 / 乡镇: township.
    Township,
    /// 是否普惠性幼儿园: inclusive kindergarten.
    Inclusive,
    /// 审批级别: approving authority's level.
    ApprovalLevel,
    /// 城乡类型 of a school.
    SchoolArea,
    /// 姓名.
    Name,
    /// 身份证件号.
    IdNumber,
    /// 学籍号.
    StudentNo,
    /// 年级.
    Grade,
    /// 班级.
    Class,
    /// 是否住校.
    Boarding,
    /// 是否特教班.
    SpecialClass,
    /// 是否随班就读.
    RegularClassInclusion,
    /// 户口性质.
    Hukou,
    /// 专业.
    Major,
    /// 是否涉农专业.
    AgriMajor,
    /// 学习形式: 全日制/非全日制.
    FullTime,
    /// 学籍状态.
    Status,
    /// 家庭经济困难认定.
    Difficulty,
    /// 出生日期.
    BirthDate,
    /// 性别.
    Sex,
    /// 户编号: household number.
    HouseholdNo,
    /// 与户主关系.
    Relation,
    /// 贫困状态.
    PovertyStatus,
    /// 脱贫年度.
    ExitYear,
    /// 村.
    Village,
    /// 城乡类别 of a civil-affairs list.
    Area,
    /// 开始日期.
    ValidFrom,
    /// 结束日期.
    ValidTo,
    /// 残疾人证号.
    CertificateNo,
    /// 残疾类别.
    DisabilityCategory,
    /// 残疾等级.
    DisabilityGrade,
    /// 考生号.
    ExamNo,
    /// 录取院校.
    College,
    /// 院校所在省份.
    CollegeProvince,
    /// 录取年份.
    AdmissionYear,
    /// 监护人.
    Guardian,
    /// 监护人联系电话.
    GuardianPhone,
    /// 划片学校（学区学校）标识码.
    ZoneSchool,
    /// 是否孤儿.
    Orphan,
    /// 是否事实无人抚养儿童.
    Unsupported,
    /// 是否留守儿童.
    LeftBehind,
    /// 是否困境儿童.
    Hardship,
    /// 是否随迁子女.
    Migrant,
    /// 领款人（持卡人）姓名.
    PayeeName,
    /// 账户类型: 银行卡, 社保卡, 学生资助卡, 存折.
    AccountKind,
    /// 卡号（账号）.
    AccountNo,
    /// 开户银行.
    Bank,
    /// 明细编号: a payment line's number in a bank file and its return.
    PaymentLine,
    /// 金额（元）.
    Amount,
    /// 处理结果: 成功 / 失败.
    Outcome,
    /// 失败原因.
    FailReason,
    /// 处理日期.
    PayDay,
    /// 年份 (招生年份).
    Year,
    /// 专业类别: the "三定向" category.
    Category,
    /// 最低控制分数线.
    ControlLine,
    /// 省定最低分: the provincial floor as a score.
    FloorScore,
    /// 录取计分科目总分.
    TotalScore,
    /// 总分比例 (%), the floor's proportion.
    Proportion,
    /// 中考成绩.
    ExamScore,
    /// 是否应届.
    FreshGraduate,
    /// 户籍是否在本县.
    HukouInCounty,
    /// 项目: a zero-fee item of 三(一).
    ZeroFeeItem,
    /// 发放日期.
    IssuedOn,
    /// 数量.
    Quantity,
    /// 承保单位: the insurer of a student accident insurance.
    Insurer,
    /// 保单号: its policy number.
    PolicyNo,
    /// 教职工号 (三(三)).
    StaffNo,
    /// 学段 a teacher teaches, as given.
    TeachingStage,
    /// 派出学校标识码.
    FromSchool,
    /// 接收学校标识码.
    ToSchool,
}

/// One column of a list: how it is recognised in a header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The field the column holds.
    pub field: Field,
    /// Canonical Chinese header, used in messages.
    pub label: &'static str,
    /// Other headers meaning the same column (matched after normalisation, see `header`).
    pub aliases: &'static [&'static str],
    /// A required column must be in the header, and its cells must not be empty.
    pub required: bool,
}

const fn req(field: Field, label: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        field,
        label,
        aliases,
        required: true,
    }
}

const fn opt(field: Field, label: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        field,
        label,
        aliases,
        required: false,
    }
}

/// Aliases of the ID column in the student list (canonical 身份证件号).
const STUDENT_ID_ALIASES: &[&str] = &[
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "身份证件号码",
];
/// Aliases of the ID column in the other lists (canonical 身份证号).
const ID_ALIASES: &[&str] = &[
    "身份证件号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "身份证件号码",
];

const SCHOOLS: &[ColumnSpec] = &[
    req(Field::SchoolCode, "学校标识码", &["学校代码", "学校识别码"]),
    req(Field::SchoolName, "学校名称", &["学校全称", "名称"]),
    req(Field::SchoolKind, "办学类型", &["学校类型", "学段类型"]),
    req(
        Field::Public,
        "办学性质",
        &["公办/民办", "举办者类型", "公民办", "性质"],
    ),
    req(
        Field::Township,
        "所在乡镇",
        &["乡镇", "乡镇（街道）", "所属乡镇"],
    ),
    opt(
        Field::Inclusive,
        "是否普惠性幼儿园",
        &["普惠性", "是否普惠"],
    ),
    opt(Field::ApprovalLevel, "审批级别", &["审批机关级别"]),
    opt(Field::SchoolArea, "城乡类型", &["城乡", "城乡分类"]),
];

const STUDENTS: &[ColumnSpec] = &[
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证件号", STUDENT_ID_ALIASES),
    req(Field::StudentNo, "学籍号", &["全国学籍号"]),
    req(Field::SchoolCode, "学校标识码", &["学校代码"]),
    req(Field::Grade, "年级", &[]),
    opt(Field::Class, "班级", &["班级名称"]),
    req(
        Field::Boarding,
        "是否住校",
        &["是否寄宿", "就读方式", "寄宿生"],
    ),
    opt(Field::SpecialClass, "是否特教班", &[]),
    opt(Field::RegularClassInclusion, "是否随班就读", &["随班就读"]),
    opt(Field::Hukou, "户口性质", &["户籍性质"]),
    opt(Field::Major, "专业", &["专业名称"]),
    opt(Field::AgriMajor, "是否涉农专业", &["涉农专业"]),
    opt(Field::FullTime, "学习形式", &[]),
    req(Field::Status, "学籍状态", &["状态", "在校状态"]),
    opt(
        Field::Difficulty,
        "家庭经济困难认定",
        &["困难认定", "认定等级", "家庭经济困难等级"],
    ),
    opt(Field::BirthDate, "出生日期", &[]),
    opt(Field::Sex, "性别", &[]),
];

const POOR_HOUSEHOLDS: &[ColumnSpec] = &[
    req(Field::HouseholdNo, "户编号", &["户码"]),
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证号", ID_ALIASES),
    opt(Field::Relation, "与户主关系", &["关系"]),
    req(
        Field::PovertyStatus,
        "贫困状态",
        &["脱贫状态", "户类型", "脱贫属性"],
    ),
    opt(Field::ExitYear, "脱贫年度", &["脱贫年份"]),
    opt(Field::Township, "乡镇", &[]),
    opt(Field::Village, "村", &["行政村", "村（社区）"]),
];

/// 低保 and 特困供养 share one shape.
const ASSISTANCE: &[ColumnSpec] = &[
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证号", ID_ALIASES),
    req(Field::Area, "城乡类别", &["城乡", "类别"]),
    opt(
        Field::ValidFrom,
        "开始日期",
        &["起始日期", "享受起始日期", "批准日期"],
    ),
    opt(
        Field::ValidTo,
        "结束日期",
        &["截止日期", "享受截止日期", "有效期至"],
    ),
];

const URBAN_HARDSHIP: &[ColumnSpec] = &[
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证号", ID_ALIASES),
    opt(
        Field::ValidFrom,
        "开始日期",
        &["起始日期", "享受起始日期", "批准日期"],
    ),
    opt(
        Field::ValidTo,
        "结束日期",
        &["截止日期", "享受截止日期", "有效期至"],
    ),
];

const DISABLED: &[ColumnSpec] = &[
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证号", ID_ALIASES),
    req(Field::CertificateNo, "残疾人证号", &["残疾证号"]),
    opt(Field::DisabilityCategory, "残疾类别", &["残疾类型"]),
    opt(Field::DisabilityGrade, "残疾等级", &["等级"]),
];

const COLLEGE_ADMISSIONS: &[ColumnSpec] = &[
    req(Field::ExamNo, "考生号", &["准考证号"]),
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证号", ID_ALIASES),
    req(Field::College, "录取院校", &["院校名称", "录取学校"]),
    req(
        Field::CollegeProvince,
        "院校所在省份",
        &["院校省份", "所在省份"],
    ),
    req(Field::AdmissionYear, "录取年份", &["年份", "年度"]),
];

/// 户籍适龄人口: the household-registration extract of the school-age population (控辍保学).
const RESIDENTS: &[ColumnSpec] = &[
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证号", ID_ALIASES),
    opt(Field::Sex, "性别", &[]),
    req(
        Field::Township,
        "乡镇",
        &["户籍所在乡镇", "所在乡镇", "乡镇（街道）"],
    ),
    opt(
        Field::Village,
        "村",
        &["行政村", "村（社区）", "户籍所在村"],
    ),
    opt(Field::HouseholdNo, "户号", &["户编号"]),
    opt(Field::Guardian, "监护人", &["监护人姓名", "户主"]),
    opt(
        Field::GuardianPhone,
        "联系电话",
        &["监护人电话", "监护人联系电话", "电话"],
    ),
    opt(
        Field::ZoneSchool,
        "划片学校标识码",
        &["学区学校标识码", "划片学校代码", "对口学校标识码"],
    ),
    opt(Field::Orphan, "是否孤儿", &["孤儿"]),
    opt(
        Field::Unsupported,
        "是否事实无人抚养儿童",
        &["事实无人抚养儿童"],
    ),
    opt(Field::LeftBehind, "是否留守儿童", &["留守儿童"]),
    opt(Field::Hardship, "是否困境儿童", &["困境儿童"]),
    opt(Field::Migrant, "是否随迁子女", &["随迁子女"]),
];

/// 在校学生名单: who each school reports as actually in school (到校情况).
const ATTENDANCE: &[ColumnSpec] = &[
    req(Field::SchoolCode, "学校标识码", &["学校代码"]),
    req(Field::Name, "姓名", &[]),
    req(Field::IdNumber, "身份证件号", STUDENT_ID_ALIASES),
];

/// 收款账户: each student's payee and account (资金发放). A file lists some students; their accounts
/// replace the ones on record, the others stay.
const PAYEE_ACCOUNTS: &[ColumnSpec] = &[
    req(Field::Name, "学生姓名", &["姓名"]),
    req(Field::IdNumber, "学生身份证件号", STUDENT_ID_ALIASES),
    req(
        Field::PayeeName,
        "领款人姓名",
        &["持卡人姓名", "收款人姓名", "户名", "账户名", "监护人姓名"],
    ),
    opt(Field::Relation, "与学生关系", &["领款人与学生关系"]),
    opt(Field::AccountKind, "账户类型", &["卡类型", "账户种类"]),
    req(
        Field::AccountNo,
        "卡号",
        &[
            "银行卡号",
            "账号",
            "银行账号",
            "社保卡号",
            "卡号（账号）",
            "资助卡号",
            "收款账号",
        ],
    ),
    req(
        Field::Bank,
        "开户银行",
        &["开户行", "发卡银行", "开户银行名称", "银行"],
    ),
];

/// 师范定向控制线 (三(二)): each year's minimum control line per "三定向" category, and the
/// provincial floor — given as a score, or as a proportion of the total score.
const ADMISSION_LINES: &[ColumnSpec] = &[
    req(Field::Year, "年份", &["招生年份", "年度"]),
    req(
        Field::Category,
        "专业类别",
        &["类别", "定向类别", "计划类别", "专业"],
    ),
    req(
        Field::ControlLine,
        "最低控制分数线",
        &["控制分数线", "最低控制线", "录取最低控制分数线"],
    ),
    opt(
        Field::FloorScore,
        "省定最低分",
        &["最低分数", "省中招委规定分数", "保底分"],
    ),
    opt(
        Field::TotalScore,
        "计分科目总分",
        &["总分", "录取计分科目总分"],
    ),
    opt(Field::Proportion, "总分比例", &["比例", "比例（%）"]),
];

/// 师范定向考生 (三(二)): applicants to the "三定向" plan with their 中考 scores.
const ADMISSION_APPLICANTS: &[ColumnSpec] = &[
    req(Field::Year, "年份", &["招生年份", "年度"]),
    req(Field::Name, "姓名", &["考生姓名"]),
    req(Field::IdNumber, "身份证件号", STUDENT_ID_ALIASES),
    req(
        Field::Category,
        "报考类别",
        &["专业类别", "定向类别", "报考专业"],
    ),
    req(Field::ExamScore, "中考成绩", &["成绩", "总分", "中考总分"]),
    req(Field::FreshGraduate, "是否应届", &["应届", "应届生"]),
    req(
        Field::HukouInCounty,
        "户籍在本县",
        &["户籍是否在本县", "本县户籍"],
    ),
];

/// 零收费发放记录 (三(一)): what a school issued to whom in a school year (学年). 学年 is the year
/// its autumn term begins in (`2023`, `2023学年`, `2023-2024`).
const ZERO_FEE_ISSUES: &[ColumnSpec] = &[
    req(Field::Year, "学年", &["学年度", "年度"]),
    req(Field::SchoolCode, "学校标识码", &["学校代码", "学校识别码"]),
    req(Field::IdNumber, "身份证件号", STUDENT_ID_ALIASES),
    req(Field::Name, "姓名", &["学生姓名"]),
    req(
        Field::ZeroFeeItem,
        "项目",
        &["发放项目", "零收费项目", "物品", "项目名称"],
    ),
    req(
        Field::IssuedOn,
        "发放日期",
        &["日期", "领取日期", "投保日期"],
    ),
    req(Field::Quantity, "数量", &["件数", "份数"]),
    opt(Field::Insurer, "承保单位", &["保险公司", "承保公司"]),
    opt(Field::PolicyNo, "保单号", &["保险单号", "保单号码"]),
];

/// 教师名单 (三(三)): the county's teachers and the school each serves at.
const TEACHERS: &[ColumnSpec] = &[
    req(Field::IdNumber, "身份证件号", STUDENT_ID_ALIASES),
    req(Field::Name, "姓名", &["教师姓名"]),
    req(
        Field::SchoolCode,
        "任职学校标识码",
        &["学校标识码", "学校代码", "任职学校代码"],
    ),
    opt(Field::StaffNo, "教职工号", &["工号", "教师编号"]),
    opt(Field::TeachingStage, "学段", &["任教学段"]),
];

/// 交流轮岗 (三(三)): each assignment of a teacher from one school to another.
const TEACHER_EXCHANGES: &[ColumnSpec] = &[
    req(Field::IdNumber, "身份证件号", STUDENT_ID_ALIASES),
    req(Field::Name, "姓名", &["教师姓名"]),
    req(
        Field::FromSchool,
        "派出学校标识码",
        &["派出学校代码", "原学校标识码"],
    ),
    req(
        Field::ToSchool,
        "接收学校标识码",
        &["接收学校代码", "交流学校标识码"],
    ),
    req(Field::ValidFrom, "开始日期", &["交流开始日期", "起始日期"]),
    req(Field::ValidTo, "结束日期", &["交流结束日期", "截止日期"]),
];

/// The columns of a list, in the order they are documented (required and optional mixed).
pub fn specs(kind: ListKind) -> &'static [ColumnSpec] {
    match kind {
        ListKind::Schools => SCHOOLS,
        ListKind::Students => STUDENTS,
        ListKind::PoorHouseholds => POOR_HOUSEHOLDS,
        ListKind::Dibao | ListKind::Tekun => ASSISTANCE,
        ListKind::UrbanHardship => URBAN_HARDSHIP,
        ListKind::Disabled => DISABLED,
        ListKind::CollegeAdmissions => COLLEGE_ADMISSIONS,
        ListKind::Residents => RESIDENTS,
        ListKind::Attendance => ATTENDANCE,
        ListKind::PayeeAccounts => PAYEE_ACCOUNTS,
        ListKind::AdmissionLines => ADMISSION_LINES,
        ListKind::AdmissionApplicants => ADMISSION_APPLICANTS,
        ListKind::ZeroFeeIssues => ZERO_FEE_ISSUES,
        ListKind::Teachers => TEACHERS,
        ListKind::TeacherExchanges => TEACHER_EXCHANGES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::normalize_header;
    use std::collections::HashSet;

    /// No two columns of one list may share a normalised header, or header matching is ambiguous.
    #[test]
    fn headers_unique_within_each_list() {
        for &kind in ListKind::ALL {
            let mut seen = HashSet::new();
            for spec in specs(kind) {
                for h in std::iter::once(&spec.label).chain(spec.aliases) {
                    assert!(seen.insert(normalize_header(h)), "{kind:?}: {h} twice");
                }
            }
        }
    }

    #[test]
    fn every_list_has_name_or_code_required() {
        for &kind in ListKind::ALL {
            assert!(
                specs(kind).iter().filter(|s| s.required).count() >= 2,
                "{kind:?}"
            );
        }
    }
}
