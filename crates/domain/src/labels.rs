//! Chinese labels in spreadsheet cells (中文标签识别): the common ways county files write yes/no,
//! school kinds, statuses, difficulty tiers, household registration and grades.
//!
//! Every parser first applies [`clean_cell`](crate::text::clean_cell), then drops all whitespace and lower-cases Latin
//! letters, so `Ｙ`, ` 是 `, `县（区）级` and `TRUE` are recognised. `None` means "not recognised":
//! the importer turns it into an error listing the allowed values. Blank cells are `None` too;
//! whether a blank means a default is the importer's decision.

use crate::model::{ApprovalLevel, Area, Difficulty, PovertyStatus, SchoolKind, Sex, Status};
use crate::text::clean_cell_cow;
use std::borrow::Cow;

/// The comparison key of a cell: cleaned, without any whitespace, Latin letters lower-cased.
fn key(s: &str) -> Cow<'_, str> {
    match clean_cell_cow(s) {
        Cow::Borrowed(b) if !b.chars().any(|c| c.is_whitespace() || c.is_uppercase()) => {
            Cow::Borrowed(b)
        }
        c => Cow::Owned(
            c.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect(),
        ),
    }
}

/// Yes/no (是否): `是/否`, `Y/N`, `yes/no`, `1/0`, `√/×` (also `✓ ✔ / ✗ ✘`), `有/无`,
/// `true/false`, `对/错`, any case.
pub fn parse_bool(s: &str) -> Option<bool> {
    match &*key(s) {
        "是" | "y" | "yes" | "1" | "√" | "✓" | "✔" | "有" | "true" | "对" => Some(true),
        "否" | "n" | "no" | "0" | "×" | "✗" | "✘" | "无" | "false" | "错" => Some(false),
        _ => None,
    }
}

/// Boarding (是否住校/寄宿): anything [`parse_bool`] accepts, plus `住校/寄宿/寄宿生/住校生/住宿`
/// → `true` and `走读/非寄宿/走读生/非住校` → `false`.
pub fn parse_boarding(s: &str) -> Option<bool> {
    match &*key(s) {
        "住校" | "寄宿" | "寄宿生" | "住校生" | "住宿" => Some(true),
        "走读" | "非寄宿" | "走读生" | "非住校" => Some(false),
        _ => parse_bool(s),
    }
}

/// School kind (学校类型 / 办学类型).
pub fn parse_school_kind(s: &str) -> Option<SchoolKind> {
    Some(match &*key(s) {
        "幼儿园" => SchoolKind::Kindergarten,
        "小学" | "普通小学" => SchoolKind::Primary,
        "初中" | "初级中学" | "普通初中" => SchoolKind::Junior,
        "九年一贯制" | "九年一贯制学校" => SchoolKind::NineYear,
        "完全中学" | "完中" => SchoolKind::Complete,
        "普通高中" | "高级中学" | "高中" => SchoolKind::Senior,
        "中职" | "中等职业学校" | "职业中学" | "职业高中" | "职高" | "中专" | "中等专业学校"
        | "技工学校" => SchoolKind::Vocational,
        "特殊教育学校" | "特教学校" => SchoolKind::Special,
        _ => return None,
    })
}

/// Public or private (办学性质): `公办/公立` → `true`, `民办/私立` → `false`.
pub fn parse_public(s: &str) -> Option<bool> {
    match &*key(s) {
        "公办" | "公立" => Some(true),
        "民办" | "私立" => Some(false),
        _ => None,
    }
}

/// Level of the authority that approved an inclusive kindergarten (审批级别):
/// `省级/省`, `市级/市/地市级/设区市级`, `县级/县/区级/县(区)级/县区级`, `乡镇/乡/镇/乡级/镇级/乡镇级`,
/// `无/空`.
pub fn parse_approval_level(s: &str) -> Option<ApprovalLevel> {
    Some(match &*key(s) {
        "省级" | "省" => ApprovalLevel::Province,
        "市级" | "市" | "地市级" | "设区市级" => ApprovalLevel::City,
        "县级" | "县" | "区级" | "县(区)级" | "县区级" => ApprovalLevel::County,
        "乡镇" | "乡" | "镇" | "乡级" | "镇级" | "乡镇级" => ApprovalLevel::Township,
        "无" | "空" => ApprovalLevel::None,
        _ => return None,
    })
}

/// Enrolment status (学籍状态): `在读/在校/正常` → Enrolled, `休学`, `转出/转学`, `毕业/结业`,
/// `辍学/失学` (each also with a leading `已`, e.g. `已毕业`).
pub fn parse_status(s: &str) -> Option<Status> {
    let k = key(s);
    let k = k.strip_prefix('已').unwrap_or(&k);
    Some(match k {
        "在读" | "在校" | "正常" => Status::Enrolled,
        "休学" => Status::Suspended,
        "转出" | "转学" => Status::TransferredOut,
        "毕业" | "结业" => Status::Graduated,
        "辍学" | "失学" => Status::DroppedOut,
        _ => return None,
    })
}

/// The school's recognition of family economic difficulty (家庭经济困难认定):
/// `特别困难/特困` → Special (in this column `特困` means 特别困难, not 特困供养),
/// `比较困难/困难` → Relative, `一般困难` → General, `不困难/非困难/否/无` → NotDifficult.
pub fn parse_difficulty(s: &str) -> Option<Difficulty> {
    Some(match &*key(s) {
        "特别困难" | "特困" => Difficulty::Special,
        "比较困难" | "困难" => Difficulty::Relative,
        "一般困难" => Difficulty::General,
        "不困难" | "非困难" | "否" | "无" => Difficulty::NotDifficult,
        _ => return None,
    })
}

/// Household registration (户口性质). Three outcomes:
/// - `Some(Some(Area::Rural))`: `农业/农业户口/农业家庭户口/农村/农村户口`;
/// - `Some(Some(Area::Urban))`: `非农业/非农业户口/非农业家庭户口/城镇/城市/城镇户口/城市户口`;
/// - `Some(None)`: recognised but unknown — `居民/居民户口/居民家庭户口` (since the 2014 hukou
///   reform many places no longer distinguish rural and urban; the student's `hukou` is `None`);
/// - `None`: not recognised (an import error).
pub fn parse_hukou(s: &str) -> Option<Option<Area>> {
    match &*key(s) {
        "农业" | "农业户口" | "农业家庭户口" | "农村" | "农村户口" => {
            Some(Some(Area::Rural))
        }
        "非农业" | "非农业户口" | "非农业家庭户口" | "城镇" | "城市" | "城镇户口" | "城市户口" => {
            Some(Some(Area::Urban))
        }
        "居民" | "居民户口" | "居民家庭户口" => Some(None),
        _ => None,
    }
}

/// Rural or urban on a civil-affairs list (城乡类别): `农村/乡村/农业` → Rural,
/// `城市/城镇/城区/非农业` → Urban.
pub fn parse_area(s: &str) -> Option<Area> {
    match &*key(s) {
        "农村" | "乡村" | "农业" => Some(Area::Rural),
        "城市" | "城镇" | "城区" | "非农业" => Some(Area::Urban),
        _ => None,
    }
}

/// Poverty status of a registered-poor household (贫困状态 / 脱贫状态):
/// `未脱贫/贫困/贫困户/未出列` → NotExited; `已脱贫/脱贫/脱贫户/稳定脱贫/已标注脱贫/标注脱贫` → Exited.
pub fn parse_poverty_status(s: &str) -> Option<PovertyStatus> {
    match &*key(s) {
        "未脱贫" | "贫困" | "贫困户" | "未出列" => Some(PovertyStatus::NotExited),
        "已脱贫" | "脱贫" | "脱贫户" | "稳定脱贫" | "已标注脱贫" | "标注脱贫" => {
            Some(PovertyStatus::Exited)
        }
        _ => None,
    }
}

/// Does the cell name the registered-poor list (建档立卡)? The list was renamed after 2021
/// (脱贫户 / 脱贫家庭), so all of `建档立卡`, `建档立卡户`, `建档立卡贫困户`, `建档立卡家庭`,
/// `建档立卡贫困家庭`, `脱贫家庭`, `脱贫户`, `脱贫人口`, `原建档立卡` name the same list.
/// Anything else (`低保`, `监测户` …) is `false`.
pub fn parse_poor_list_name(s: &str) -> bool {
    matches!(
        &*key(s),
        "建档立卡"
            | "建档立卡户"
            | "建档立卡贫困户"
            | "建档立卡家庭"
            | "建档立卡贫困家庭"
            | "脱贫家庭"
            | "脱贫户"
            | "脱贫人口"
            | "原建档立卡"
    )
}

/// Sex (性别, GB/T 2261.1 codes): `男/男性/1` → Male, `女/女性/2` → Female.
pub fn parse_sex(s: &str) -> Option<Sex> {
    match &*key(s) {
        "男" | "男性" | "1" => Some(Sex::Male),
        "女" | "女性" | "2" => Some(Sex::Female),
        _ => None,
    }
}

/// Full-time study (学习形式): `全日制` → `true`, `非全日制/业余` → `false`; a yes/no column
/// (是否全日制) is read with [`parse_bool`].
pub fn parse_full_time(s: &str) -> Option<bool> {
    match &*key(s) {
        "全日制" => Some(true),
        "非全日制" | "业余" => Some(false),
        _ => parse_bool(s),
    }
}

/// Chinese numerals 一…十二 (and ASCII digits) as used in grade names.
fn grade_number(s: &str) -> Option<u8> {
    if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    Some(match s {
        "一" => 1,
        "二" => 2,
        "三" => 3,
        "四" => 4,
        "五" => 5,
        "六" => 6,
        "七" => 7,
        "八" => 8,
        "九" => 9,
        "十" => 10,
        "十一" => 11,
        "十二" => 12,
        _ => return None,
    })
}

/// Grade (年级) as a number 0–12:
/// - kindergarten `小班/中班/大班/托班/学前班/幼儿园` → 0 (preschool is one stage for the policy);
/// - `一年级`…`六年级`, `1年级`… → 1–6; `七年级`…`九年级`, `初一/初二/初三` → 7–9;
///   `十年级`…`十二年级`, `高一/高二/高三` → 10–12;
/// - with a stage prefix the number counts within the stage: `小学三年级` → 3, `初中一年级` → 7,
///   `高中二年级` → 11, `中职一年级/中职1年级` → 10 … `中职三年级` → 12 (`初中七年级` → 7 also works);
/// - plain numbers `0`–`12` as they are.
///
/// A bare `一年级`/`1` is returned as 1 even at a vocational or senior school: the compute step,
/// which knows the school kind, maps 1–3 to 10–12 there.
pub fn parse_grade(s: &str) -> Option<u8> {
    let k = key(s);
    match &*k {
        "小班" | "中班" | "大班" | "托班" | "学前班" | "幼儿园" => return Some(0),
        "初一" => return Some(7),
        "初二" => return Some(8),
        "初三" => return Some(9),
        "高一" => return Some(10),
        "高二" => return Some(11),
        "高三" => return Some(12),
        _ => {}
    }
    if !k.is_empty() && k.len() <= 2 && k.bytes().all(|b| b.is_ascii_digit()) {
        return k.parse::<u8>().ok().filter(|g| *g <= 12);
    }
    // (prefix, grades before the stage, grades in the stage)
    const STAGES: &[(&str, u8, u8)] = &[
        ("小学", 0, 6),
        ("初中", 6, 3),
        ("高中", 9, 3),
        ("中职", 9, 3),
        ("", 0, 12),
    ];
    let body = k.strip_suffix("年级")?;
    STAGES.iter().find_map(|&(prefix, before, count)| {
        let n = grade_number(body.strip_prefix(prefix)?)?;
        if (1..=count).contains(&n) {
            Some(before + n)
        } else if n > before && n <= before + count {
            Some(n)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every `(input, expected)` row of a table against `f`.
    fn table<T: PartialEq + std::fmt::Debug>(f: fn(&str) -> T, rows: &[(&str, T)]) {
        for (input, want) in rows {
            assert_eq!(&f(input), want, "input {input:?}");
        }
    }

    #[test]
    #[rustfmt::skip]
    fn bools() {
        use Some as S;
        table(
            parse_bool,
            &[
                ("是", S(true)), ("否", S(false)), ("Y", S(true)), ("y", S(true)),
                ("N", S(false)), ("n", S(false)), ("Ｙ", S(true)), ("yes", S(true)),
                ("No", S(false)), ("1", S(true)), ("0", S(false)), ("１", S(true)),
                ("√", S(true)), ("×", S(false)), ("✓", S(true)), ("✔", S(true)),
                ("✗", S(false)), ("✘", S(false)), ("有", S(true)), ("无", S(false)),
                ("true", S(true)), ("TRUE", S(true)), ("True", S(true)), ("false", S(false)),
                ("FALSE", S(false)), ("对", S(true)), ("错", S(false)), (" 是 ", S(true)),
                ("\u{3000}否", S(false)), ("", None), ("2", None), ("是否", None), ("x", None),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn boarding() {
        use Some as S;
        table(
            parse_boarding,
            &[
                ("住校", S(true)), ("寄宿", S(true)), ("寄宿生", S(true)), ("住校生", S(true)),
                ("住宿", S(true)), ("走读", S(false)), ("非寄宿", S(false)),
                ("走读生", S(false)), ("非住校", S(false)), ("是", S(true)), ("否", S(false)),
                ("Y", S(true)), ("0", S(false)), ("走 读", S(false)), ("通校", None), ("", None),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn school_kinds() {
        use SchoolKind::*;
        table(
            parse_school_kind,
            &[
                ("幼儿园", Some(Kindergarten)), ("小学", Some(Primary)),
                ("普通小学", Some(Primary)), ("初中", Some(Junior)),
                ("初级中学", Some(Junior)), ("普通初中", Some(Junior)),
                ("九年一贯制", Some(NineYear)), ("九年一贯制学校", Some(NineYear)),
                ("完全中学", Some(Complete)), ("完中", Some(Complete)),
                ("普通高中", Some(Senior)), ("高级中学", Some(Senior)), ("高中", Some(Senior)),
                ("中职", Some(Vocational)), ("中等职业学校", Some(Vocational)),
                ("职业中学", Some(Vocational)), ("职业高中", Some(Vocational)),
                ("职高", Some(Vocational)), ("中专", Some(Vocational)),
                ("中等专业学校", Some(Vocational)), ("技工学校", Some(Vocational)),
                ("特殊教育学校", Some(Special)), ("特教学校", Some(Special)),
                (" 小 学 ", Some(Primary)), ("大学", None), ("", None),
            ],
        );
        // Every Chinese label of the enum is itself recognised.
        for k in SchoolKind::ALL {
            assert_eq!(parse_school_kind(k.zh()), Some(*k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn public() {
        table(
            parse_public,
            &[
                ("公办", Some(true)), ("公立", Some(true)), ("民办", Some(false)),
                ("私立", Some(false)), ("是", None), ("", None),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn approval_levels() {
        use ApprovalLevel as A;
        table(
            parse_approval_level,
            &[
                ("省级", Some(A::Province)), ("省", Some(A::Province)),
                ("市级", Some(A::City)), ("市", Some(A::City)), ("地市级", Some(A::City)),
                ("设区市级", Some(A::City)), ("县级", Some(A::County)), ("县", Some(A::County)),
                ("区级", Some(A::County)), ("县(区)级", Some(A::County)),
                ("县（区）级", Some(A::County)), ("县区级", Some(A::County)),
                ("乡镇", Some(A::Township)), ("乡", Some(A::Township)), ("镇", Some(A::Township)),
                ("乡级", Some(A::Township)), ("镇级", Some(A::Township)),
                ("乡镇级", Some(A::Township)), ("无", Some(A::None)), ("空", Some(A::None)),
                ("国家级", None), ("", None),
            ],
        );
        for k in ApprovalLevel::ALL {
            assert_eq!(parse_approval_level(k.zh()), Some(*k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn statuses() {
        use Status::*;
        table(
            parse_status,
            &[
                ("在读", Some(Enrolled)), ("在校", Some(Enrolled)), ("正常", Some(Enrolled)),
                ("休学", Some(Suspended)), ("已休学", Some(Suspended)),
                ("转出", Some(TransferredOut)), ("转学", Some(TransferredOut)),
                ("已转出", Some(TransferredOut)), ("毕业", Some(Graduated)),
                ("结业", Some(Graduated)), ("已毕业", Some(Graduated)),
                ("辍学", Some(DroppedOut)), ("失学", Some(DroppedOut)),
                ("已辍学", Some(DroppedOut)), ("死亡", None), ("已", None), ("", None),
            ],
        );
        for k in Status::ALL {
            assert_eq!(parse_status(k.zh()), Some(*k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn difficulties() {
        use Difficulty::*;
        table(
            parse_difficulty,
            &[
                ("特别困难", Some(Special)), ("特困", Some(Special)),
                ("比较困难", Some(Relative)), ("困难", Some(Relative)),
                ("一般困难", Some(General)), ("不困难", Some(NotDifficult)),
                ("非困难", Some(NotDifficult)), ("否", Some(NotDifficult)),
                ("无", Some(NotDifficult)), ("特困供养", None), ("是", None), ("", None),
            ],
        );
        for k in Difficulty::ALL {
            assert_eq!(parse_difficulty(k.zh()), Some(*k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn hukou() {
        let rural = Some(Some(Area::Rural));
        let urban = Some(Some(Area::Urban));
        table(
            parse_hukou,
            &[
                ("农业", rural), ("农业户口", rural), ("农业家庭户口", rural), ("农村", rural),
                ("农村户口", rural), ("非农业", urban), ("非农业户口", urban),
                ("非农业家庭户口", urban), ("城镇", urban), ("城市", urban),
                ("城镇户口", urban), ("城市户口", urban), ("居民", Some(None)),
                ("居民户口", Some(None)), ("居民家庭户口", Some(None)), ("外籍", None),
                ("", None),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn areas() {
        table(
            parse_area,
            &[
                ("农村", Some(Area::Rural)), ("乡村", Some(Area::Rural)),
                ("农业", Some(Area::Rural)), ("城市", Some(Area::Urban)),
                ("城镇", Some(Area::Urban)), ("城区", Some(Area::Urban)),
                ("非农业", Some(Area::Urban)), ("郊区", None), ("", None),
            ],
        );
        for k in Area::ALL {
            assert_eq!(parse_area(k.zh()), Some(*k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn poverty_statuses() {
        use PovertyStatus::*;
        table(
            parse_poverty_status,
            &[
                ("未脱贫", Some(NotExited)), ("贫困", Some(NotExited)),
                ("贫困户", Some(NotExited)), ("未出列", Some(NotExited)),
                ("已脱贫", Some(Exited)), ("脱贫", Some(Exited)), ("脱贫户", Some(Exited)),
                ("稳定脱贫", Some(Exited)), ("已标注脱贫", Some(Exited)),
                ("标注脱贫", Some(Exited)), ("返贫", None), ("", None),
            ],
        );
        for k in PovertyStatus::ALL {
            assert_eq!(parse_poverty_status(k.zh()), Some(*k));
        }
    }

    #[test]
    #[rustfmt::skip]
    fn poor_list_names() {
        table(
            parse_poor_list_name,
            &[
                ("建档立卡", true), ("建档立卡户", true), ("建档立卡贫困户", true),
                ("建档立卡家庭", true), ("建档立卡贫困家庭", true), ("脱贫家庭", true),
                ("脱贫户", true), ("脱贫人口", true), ("原建档立卡", true),
                (" 建档 立卡 ", true), ("低保", false), ("监测户", false), ("", false),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn sexes() {
        table(
            parse_sex,
            &[
                ("男", Some(Sex::Male)), ("男性", Some(Sex::Male)), ("1", Some(Sex::Male)),
                ("女", Some(Sex::Female)), ("女性", Some(Sex::Female)),
                ("2", Some(Sex::Female)), ("０", None), ("未知", None), ("", None),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn full_time() {
        table(
            parse_full_time,
            &[
                ("全日制", Some(true)), ("非全日制", Some(false)), ("业余", Some(false)),
                ("是", Some(true)), ("否", Some(false)), ("函授", None), ("", None),
            ],
        );
    }

    #[test]
    #[rustfmt::skip]
    fn grades() {
        table(
            parse_grade,
            &[
                ("小班", Some(0)), ("中班", Some(0)), ("大班", Some(0)), ("托班", Some(0)),
                ("学前班", Some(0)), ("幼儿园", Some(0)), ("一年级", Some(1)),
                ("二年级", Some(2)), ("三年级", Some(3)), ("四年级", Some(4)),
                ("五年级", Some(5)), ("六年级", Some(6)), ("1年级", Some(1)),
                ("６年级", Some(6)), ("小学三年级", Some(3)), ("七年级", Some(7)),
                ("八年级", Some(8)), ("九年级", Some(9)), ("7年级", Some(7)), ("初一", Some(7)),
                ("初二", Some(8)), ("初三", Some(9)), ("初中一年级", Some(7)),
                ("初中三年级", Some(9)), ("初中七年级", Some(7)), ("初中九年级", Some(9)),
                ("高一", Some(10)), ("高二", Some(11)), ("高三", Some(12)),
                ("高中一年级", Some(10)), ("高中3年级", Some(12)), ("十年级", Some(10)),
                ("十一年级", Some(11)), ("十二年级", Some(12)), ("中职一年级", Some(10)),
                ("中职1年级", Some(10)), ("中职二年级", Some(11)), ("中职三年级", Some(12)),
                ("中职 2 年级", Some(11)), ("0", Some(0)), ("1", Some(1)), ("07", Some(7)),
                ("12", Some(12)), ("13", None), ("十三年级", None), ("小学七年级", None),
                ("初中四年级", None), ("中职四年级", None), ("零年级", None),
                ("0年级", None), ("年级", None), ("初四", None), ("2015级", None), ("", None),
                ("-1", None), ("100", None),
            ],
        );
    }
}
