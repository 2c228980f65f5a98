//! The facts a policy can test, as one 64-bit set per student: every fact is a bit. Enumerated
//! facts (学段, 学校类型, 学籍状态, …) are one bit per value, so any condition in the policy file
//! compiles to bit masks and a student is evaluated with a handful of AND instructions.

use zizhu_domain::{ApprovalLevel, Area, Difficulty, SchoolKind, Stage, Status};

/// A yes/no fact about a student, with its name in the policy file and its Chinese label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoolFact {
    pub name: &'static str,
    pub zh: &'static str,
    pub bit: u8,
}

/// An enumerated fact: `name` takes one of `values`; value `i` is bit `first_bit + i`.
/// `ordered` facts also accept `<`, `<=`, `>`, `>=` (in the order of `values`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumFact {
    pub name: &'static str,
    pub zh: &'static str,
    pub values: &'static [(&'static str, &'static str)],
    pub first_bit: u8,
    pub ordered: bool,
}

macro_rules! bits {
    ($($c:ident = $v:expr;)*) => { $(pub const $c: u8 = $v;)* };
}

/// Bit positions. Enumerations first, then yes/no facts.
pub mod bit {
    bits! {
        STAGE = 0;           // 5 values: 0..5
        SCHOOL_KIND = 5;     // 8 values: 5..13
        APPROVAL = 13;       // 5 values: 13..18
        STATUS = 18;         // 5 values: 18..23
        DIFFICULTY = 23;     // 4 values: 23..27
        YEAR = 27;           // 6 values (1..=6): 27..33
        HUKOU = 33;          // 3 values: 33..36
        SCHOOL_PUBLIC = 36;
        INCLUSIVE_KINDERGARTEN = 37;
        BOARDING = 38;
        SPECIAL_CLASS = 39;
        REGULAR_CLASS_INCLUSION = 40;
        DISABILITY_CERTIFICATE = 41;
        AGRI_MAJOR = 42;
        FULL_TIME = 43;
        POOR_HOUSEHOLD = 44;
        POOR_EXITED = 45;
        DIBAO_RURAL = 46;
        DIBAO_URBAN = 47;
        TEKUN_RURAL = 48;
        TEKUN_URBAN = 49;
        URBAN_HARDSHIP = 50;
        COLLEGE_ADMITTED = 51;
        COLLEGE_IN_PROVINCE = 52;
    }
}

pub const ENUM_FACTS: &[EnumFact] = &[
    EnumFact {
        name: "stage",
        zh: "学段",
        values: &[
            ("preschool", "学前"),
            ("primary", "小学"),
            ("junior", "初中"),
            ("senior", "普通高中"),
            ("vocational", "中职"),
        ],
        first_bit: bit::STAGE,
        ordered: false,
    },
    EnumFact {
        name: "school_kind",
        zh: "学校类型",
        values: &[
            ("kindergarten", "幼儿园"),
            ("primary", "小学"),
            ("junior", "初中"),
            ("nine_year", "九年一贯制学校"),
            ("complete", "完全中学"),
            ("senior", "普通高中"),
            ("vocational", "中职"),
            ("special", "特殊教育学校"),
        ],
        first_bit: bit::SCHOOL_KIND,
        ordered: false,
    },
    EnumFact {
        name: "approval_level",
        zh: "幼儿园审批级别",
        values: &[
            ("none", "无"),
            ("township", "乡镇"),
            ("county", "县级"),
            ("city", "市级"),
            ("province", "省级"),
        ],
        first_bit: bit::APPROVAL,
        ordered: true,
    },
    EnumFact {
        name: "status",
        zh: "学籍状态",
        values: &[
            ("enrolled", "在读"),
            ("suspended", "休学"),
            ("transferred_out", "转出"),
            ("graduated", "毕业"),
            ("dropped_out", "辍学"),
        ],
        first_bit: bit::STATUS,
        ordered: false,
    },
    EnumFact {
        name: "difficulty",
        zh: "学校家庭经济困难认定",
        values: &[
            ("special", "特别困难"),
            ("relative", "比较困难"),
            ("general", "一般困难"),
            ("not_difficult", "不困难"),
        ],
        first_bit: bit::DIFFICULTY,
        ordered: false,
    },
    EnumFact {
        name: "year_of_stage",
        zh: "本学段年级",
        values: &[
            ("1", "一年级"),
            ("2", "二年级"),
            ("3", "三年级"),
            ("4", "四年级"),
            ("5", "五年级"),
            ("6", "六年级"),
        ],
        first_bit: bit::YEAR,
        ordered: true,
    },
    EnumFact {
        name: "hukou",
        zh: "户口性质",
        values: &[("rural", "农业"), ("urban", "非农业"), ("unknown", "未知")],
        first_bit: bit::HUKOU,
        ordered: false,
    },
];

pub const BOOL_FACTS: &[BoolFact] = &[
    BoolFact {
        name: "school_public",
        zh: "公办学校",
        bit: bit::SCHOOL_PUBLIC,
    },
    BoolFact {
        name: "inclusive_kindergarten",
        zh: "普惠性幼儿园",
        bit: bit::INCLUSIVE_KINDERGARTEN,
    },
    BoolFact {
        name: "boarding",
        zh: "寄宿生",
        bit: bit::BOARDING,
    },
    BoolFact {
        name: "special_class",
        zh: "特教班",
        bit: bit::SPECIAL_CLASS,
    },
    BoolFact {
        name: "regular_class_inclusion",
        zh: "随班就读",
        bit: bit::REGULAR_CLASS_INCLUSION,
    },
    BoolFact {
        name: "disability_certificate",
        zh: "持残疾人证（残联名单）",
        bit: bit::DISABILITY_CERTIFICATE,
    },
    BoolFact {
        name: "agri_major",
        zh: "涉农专业",
        bit: bit::AGRI_MAJOR,
    },
    BoolFact {
        name: "full_time",
        zh: "全日制",
        bit: bit::FULL_TIME,
    },
    BoolFact {
        name: "poor_household",
        zh: "建档立卡（脱贫户）成员（扶贫办名单）",
        bit: bit::POOR_HOUSEHOLD,
    },
    BoolFact {
        name: "poor_exited",
        zh: "所在户已脱贫",
        bit: bit::POOR_EXITED,
    },
    BoolFact {
        name: "dibao_rural",
        zh: "农村低保（民政名单）",
        bit: bit::DIBAO_RURAL,
    },
    BoolFact {
        name: "dibao_urban",
        zh: "城镇低保（民政名单）",
        bit: bit::DIBAO_URBAN,
    },
    BoolFact {
        name: "tekun_rural",
        zh: "农村特困供养（民政名单）",
        bit: bit::TEKUN_RURAL,
    },
    BoolFact {
        name: "tekun_urban",
        zh: "城镇特困供养（民政名单）",
        bit: bit::TEKUN_URBAN,
    },
    BoolFact {
        name: "urban_hardship",
        zh: "城镇困难家庭（工会/民政名单）",
        bit: bit::URBAN_HARDSHIP,
    },
    BoolFact {
        name: "college_admitted",
        zh: "当年被普通高校录取（招生办名单）",
        bit: bit::COLLEGE_ADMITTED,
    },
    BoolFact {
        name: "college_in_province",
        zh: "录取院校在本省",
        bit: bit::COLLEGE_IN_PROVINCE,
    },
];

pub fn bool_fact(name: &str) -> Option<&'static BoolFact> {
    BOOL_FACTS.iter().find(|f| f.name == name)
}

pub fn enum_fact(name: &str) -> Option<&'static EnumFact> {
    ENUM_FACTS.iter().find(|f| f.name == name)
}

/// The facts of one subject (a student in a term, or a college admittee), as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts(pub u64);

impl Facts {
    pub fn has(self, bit: u8) -> bool {
        self.0 & (1u64 << bit) != 0
    }
    pub fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.0 |= 1u64 << bit;
        } else {
            self.0 &= !(1u64 << bit);
        }
    }
}

/// Everything the policy can know about a student, in domain terms. The compute step fills it from
/// the registry, the school list and the matched department lists; [`FactInput::facts`] packs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactInput {
    pub stage: Option<Stage>,
    /// Year within the stage, 1-based (初中二年级 = 2, 中职一年级 = 1).
    pub year_of_stage: u8,
    pub school_kind: Option<SchoolKind>,
    pub school_public: bool,
    pub inclusive_kindergarten: bool,
    pub approval_level: Option<ApprovalLevel>,
    pub status: Option<Status>,
    pub difficulty: Option<Difficulty>,
    pub hukou: Option<Area>,
    pub boarding: bool,
    pub special_class: bool,
    pub regular_class_inclusion: bool,
    pub disability_certificate: bool,
    pub agri_major: bool,
    pub full_time: bool,
    pub poor_household: bool,
    pub poor_exited: bool,
    pub dibao_rural: bool,
    pub dibao_urban: bool,
    pub tekun_rural: bool,
    pub tekun_urban: bool,
    pub urban_hardship: bool,
    pub college_admitted: bool,
    pub college_in_province: bool,
}

fn index_of<T: PartialEq + Copy>(all: &[T], v: T) -> u8 {
    all.iter().position(|x| *x == v).unwrap_or(0) as u8
}

impl FactInput {
    pub fn facts(&self) -> Facts {
        let mut f = Facts(0);
        if let Some(s) = self.stage {
            f.set(bit::STAGE + index_of(Stage::ALL, s), true);
        }
        if let Some(k) = self.school_kind {
            f.set(bit::SCHOOL_KIND + index_of(SchoolKind::ALL, k), true);
        }
        let a = self.approval_level.unwrap_or(ApprovalLevel::None);
        f.set(bit::APPROVAL + index_of(ApprovalLevel::ALL, a), true);
        if let Some(s) = self.status {
            f.set(bit::STATUS + index_of(Status::ALL, s), true);
        }
        let d = self.difficulty.unwrap_or(Difficulty::NotDifficult);
        f.set(bit::DIFFICULTY + index_of(Difficulty::ALL, d), true);
        if (1..=6).contains(&self.year_of_stage) {
            f.set(bit::YEAR + self.year_of_stage - 1, true);
        }
        let h = match self.hukou {
            Some(Area::Rural) => 0,
            Some(Area::Urban) => 1,
            None => 2,
        };
        f.set(bit::HUKOU + h, true);
        f.set(bit::SCHOOL_PUBLIC, self.school_public);
        f.set(bit::INCLUSIVE_KINDERGARTEN, self.inclusive_kindergarten);
        f.set(bit::BOARDING, self.boarding);
        f.set(bit::SPECIAL_CLASS, self.special_class);
        f.set(bit::REGULAR_CLASS_INCLUSION, self.regular_class_inclusion);
        f.set(bit::DISABILITY_CERTIFICATE, self.disability_certificate);
        f.set(bit::AGRI_MAJOR, self.agri_major);
        f.set(bit::FULL_TIME, self.full_time);
        f.set(bit::POOR_HOUSEHOLD, self.poor_household);
        f.set(bit::POOR_EXITED, self.poor_exited);
        f.set(bit::DIBAO_RURAL, self.dibao_rural);
        f.set(bit::DIBAO_URBAN, self.dibao_urban);
        f.set(bit::TEKUN_RURAL, self.tekun_rural);
        f.set(bit::TEKUN_URBAN, self.tekun_urban);
        f.set(bit::URBAN_HARDSHIP, self.urban_hardship);
        f.set(bit::COLLEGE_ADMITTED, self.college_admitted);
        f.set(bit::COLLEGE_IN_PROVINCE, self.college_in_province);
        f
    }
}

/// Chinese description of one bit, e.g. `学段=初中` or `寄宿生`.
pub fn describe_bit(b: u8) -> String {
    for e in ENUM_FACTS {
        if b >= e.first_bit && usize::from(b - e.first_bit) < e.values.len() {
            let (_, zh) = e.values[usize::from(b - e.first_bit)];
            return format!("{}={}", e.zh, zh);
        }
    }
    BOOL_FACTS
        .iter()
        .find(|f| f.bit == b)
        .map(|f| f.zh.to_string())
        .unwrap_or_else(|| format!("#{b}"))
}

/// Stable key of one bit, e.g. `stage=junior` or `boarding`.
pub fn key_of_bit(b: u8) -> String {
    for e in ENUM_FACTS {
        if b >= e.first_bit && usize::from(b - e.first_bit) < e.values.len() {
            let (k, _) = e.values[usize::from(b - e.first_bit)];
            return format!("{}={}", e.name, k);
        }
    }
    BOOL_FACTS
        .iter()
        .find(|f| f.bit == b)
        .map(|f| f.name.to_string())
        .unwrap_or_else(|| format!("#{b}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_match_domain_order() {
        // The policy's value lists must follow the domain enums, since FactInput uses their order.
        let stage = enum_fact("stage").map(|e| e.values.iter().map(|v| v.0).collect::<Vec<_>>());
        assert_eq!(stage, Some(Stage::ALL.iter().map(|s| s.key()).collect()));
        let kind =
            enum_fact("school_kind").map(|e| e.values.iter().map(|v| v.0).collect::<Vec<_>>());
        assert_eq!(
            kind,
            Some(SchoolKind::ALL.iter().map(|s| s.key()).collect())
        );
        let st = enum_fact("status").map(|e| e.values.iter().map(|v| v.0).collect::<Vec<_>>());
        assert_eq!(st, Some(Status::ALL.iter().map(|s| s.key()).collect()));
        let d = enum_fact("difficulty").map(|e| e.values.iter().map(|v| v.0).collect::<Vec<_>>());
        assert_eq!(d, Some(Difficulty::ALL.iter().map(|s| s.key()).collect()));
        let a =
            enum_fact("approval_level").map(|e| e.values.iter().map(|v| v.0).collect::<Vec<_>>());
        assert_eq!(
            a,
            Some(ApprovalLevel::ALL.iter().map(|s| s.key()).collect())
        );
    }

    #[test]
    fn bits_do_not_overlap_and_fit() {
        let mut seen = 0u64;
        for e in ENUM_FACTS {
            for i in 0..e.values.len() {
                let b = 1u64 << (e.first_bit as usize + i);
                assert_eq!(seen & b, 0, "{} overlaps", e.name);
                seen |= b;
            }
        }
        for f in BOOL_FACTS {
            let b = 1u64 << f.bit;
            assert_eq!(seen & b, 0, "{} overlaps", f.name);
            seen |= b;
        }
    }

    #[test]
    fn packs_a_junior_boarder() {
        let f = FactInput {
            stage: Some(Stage::Junior),
            year_of_stage: 2,
            boarding: true,
            ..Default::default()
        }
        .facts();
        assert!(f.has(bit::STAGE + 2));
        assert!(f.has(bit::YEAR + 1));
        assert!(f.has(bit::BOARDING));
        assert!(!f.has(bit::POOR_HOUSEHOLD));
        assert!(f.has(bit::HUKOU + 2), "unknown hukou");
        assert_eq!(describe_bit(bit::STAGE + 2), "学段=初中");
    }
}
