//! Fixed tables of the demo: grade and class labels, vocational majors, colleges and their
//! provinces, village names, disability categories. Real institutions only, no real people.

use zizhu_domain::SchoolKind;

/// School-year level used inside the generator: 0–2 kindergarten 小班/中班/大班, 3–8 primary grades
/// 1–6, 9–11 junior grades 7–9, 12–14 senior or vocational years 1–3. Grade g (1–12) = level − 2.
pub(crate) type Level = u8;
/// Number of levels.
pub(crate) const LEVELS: usize = 15;

/// Which label style a file uses for grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GradeStyle {
    /// 七年级/八年级/九年级 (the spring workbook).
    Numbered,
    /// 初一/初二/初三 (the registration system's autumn export).
    Short,
}

const CN: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// The grade label (年级) of a level at a kind of school, as the importer's `parse_grade` reads it.
pub(crate) fn grade_label(kind: SchoolKind, level: Level, style: GradeStyle) -> String {
    let n = |i: u8| CN.get(usize::from(i)).copied().unwrap_or("一");
    match level {
        0 => "小班".into(),
        1 => "中班".into(),
        2 => "大班".into(),
        3..=8 => format!("{}年级", n(level - 3)),
        9..=11 if style == GradeStyle::Short => format!("初{}", n(level - 9)),
        9..=11 => format!("{}年级", n(level - 3)),
        _ if kind == SchoolKind::Vocational => format!("中职{}年级", n(level.saturating_sub(12))),
        _ => format!("高{}", n(level.saturating_sub(12))),
    }
}

/// Usual class size per level at a kind of school.
pub(crate) fn class_size(kind: SchoolKind, level: Level) -> usize {
    match (kind, level) {
        (SchoolKind::Special, _) => 12,
        (_, 0..=2) => 30,
        (_, 3..=8) => 45,
        _ => 50,
    }
}

/// The class name (班级) of the `index`-th student (0-based) of a level; vocational classes carry
/// the entry year and the major.
pub(crate) fn class_name(
    kind: SchoolKind,
    level: Level,
    index: usize,
    school_year: i32,
    major: Option<&str>,
) -> String {
    let k = index / class_size(kind, level) + 1;
    let n = |i: u8| CN.get(usize::from(i)).copied().unwrap_or("一");
    match (kind, level) {
        (SchoolKind::Special, _) => format!("培智{}年级({k})班", n(level.saturating_sub(3))),
        (_, 0) => format!("小{}班", k),
        (_, 1) => format!("中{}班", k),
        (_, 2) => format!("大{}班", k),
        (SchoolKind::Vocational, _) => {
            let entry = school_year - i32::from(level.saturating_sub(12));
            format!("{entry}级{}{k}班", major.unwrap_or(""))
        }
        _ => format!("{}({k})班", grade_label(kind, level, GradeStyle::Numbered)),
    }
}

/// Vocational majors (专业): (weight, name, agriculture-related 涉农). 30% of the weight is 涉农.
pub(crate) const MAJORS: [(u32, (&str, bool)); 10] = [
    (12, ("现代农艺技术", true)),
    (8, ("畜禽生产技术", true)),
    (6, ("果蔬花卉生产技术", true)),
    (4, ("农产品营销与储运", true)),
    (20, ("服装设计与工艺", false)),
    (15, ("计算机应用", false)),
    (12, ("电子商务", false)),
    (10, ("汽车运用与维修", false)),
    (8, ("幼儿保育", false)),
    (5, ("机电技术应用", false)),
];

/// College provinces with weights (60% in Jiangxi) and colleges there.
pub(crate) const PROVINCES: [(u32, usize); 8] = [
    (600, 0),
    (100, 1),
    (120, 2),
    (30, 3),
    (30, 4),
    (50, 5),
    (40, 6),
    (30, 7),
];
/// (province, colleges).
pub(crate) const COLLEGES: [(&str, &[&str]); 8] = [
    (
        "江西省",
        &[
            "南昌大学",
            "江西师范大学",
            "江西财经大学",
            "赣南师范大学",
            "江西理工大学",
            "东华理工大学",
            "赣南医科大学",
            "江西农业大学",
            "江西科技师范大学",
            "赣州师范高等专科学校",
            "江西应用技术职业学院",
            "赣南卫生健康职业学院",
        ],
    ),
    (
        "湖南省",
        &["湖南大学", "中南大学", "湖南师范大学", "长沙理工大学"],
    ),
    (
        "广东省",
        &[
            "华南理工大学",
            "中山大学",
            "广东工业大学",
            "深圳职业技术大学",
        ],
    ),
    ("北京市", &["北京师范大学", "中国农业大学"]),
    ("上海市", &["同济大学", "上海海事大学"]),
    ("湖北省", &["武汉大学", "华中农业大学"]),
    ("浙江省", &["浙江工业大学", "宁波大学"]),
    ("福建省", &["福州大学", "集美大学"]),
];
/// Admission batches (录取批次), an extra column.
pub(crate) const BATCHES: [&str; 3] = ["本科一批", "本科二批", "专科批"];

/// Village (村) names for household addresses.
pub(crate) const VILLAGES: [&str; 16] = [
    "上坪村",
    "下坝村",
    "新屋村",
    "石门村",
    "长岭村",
    "塘背村",
    "河口村",
    "高坑村",
    "岭下村",
    "坝头村",
    "中坊村",
    "田心村",
    "水头村",
    "樟树村",
    "松山村",
    "黄沙村",
];

/// Disability categories (残疾类别) in certificate-digit order: digit = index + 1.
pub(crate) const DISABILITY: [&str; 7] = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"];
/// Disability grade labels (残疾等级) 1–4.
pub(crate) const DISABILITY_GRADE: [&str; 4] = ["一级", "二级", "三级", "四级"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        use SchoolKind as K;
        assert_eq!(
            grade_label(K::Kindergarten, 0, GradeStyle::Numbered),
            "小班"
        );
        assert_eq!(grade_label(K::Primary, 3, GradeStyle::Short), "一年级");
        assert_eq!(grade_label(K::Junior, 9, GradeStyle::Numbered), "七年级");
        assert_eq!(grade_label(K::Junior, 11, GradeStyle::Short), "初三");
        assert_eq!(grade_label(K::Senior, 12, GradeStyle::Short), "高一");
        assert_eq!(
            grade_label(K::Vocational, 14, GradeStyle::Numbered),
            "中职三年级"
        );
        assert_eq!(class_name(K::Primary, 5, 46, 2022, None), "三年级(2)班");
        assert_eq!(
            class_name(K::Vocational, 13, 0, 2023, Some("电子商务")),
            "2022级电子商务1班"
        );
        assert_eq!(class_name(K::Kindergarten, 1, 61, 2023, None), "中3班");
        let agri: u32 = MAJORS.iter().filter(|(_, (_, a))| *a).map(|(w, _)| w).sum();
        let all: u32 = MAJORS.iter().map(|(w, _)| w).sum();
        assert_eq!(agri * 100 / all, 30);
        assert_eq!(PROVINCES.iter().map(|(w, _)| w).sum::<u32>(), 1000);
    }
}
