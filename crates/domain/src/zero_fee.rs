//! Zero fees for registered-poor compulsory-education students (义务教育阶段建档立卡贫困家庭学生
//! “零收费”, policy 三(一)): free supplementary teaching materials (教辅材料，含音像教材), free school
//! uniforms (校服) and free student accident insurance (学生意外伤害保险). They are in-kind
//! provisions (实物发放), recorded per student and school year (学年) and reported like cash aid:
//! who is owed each item, who received it, who lacks which. Pure computation: who is eligible
//! comes from the policy file's conditions, the issues from the schools' lists.

use crate::model::labelled_enum;
use crate::Fen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

labelled_enum! {
    /// One in-kind provision of 三(一) (零收费项目). The key is the policy file's `code`.
    ZeroFeeItem {
        /// 三(一)1 教辅材料（含音像教材）.
        TeachingMaterials = "teaching_materials", "教辅材料（含音像教材）";
        /// 三(一)2 校服.
        SchoolUniform = "school_uniform", "校服";
        /// 三(一)3 学生意外伤害保险.
        AccidentInsurance = "accident_insurance", "学生意外伤害保险";
    }
}

impl ZeroFeeItem {
    /// Reads an item as a school's list writes it: the Chinese name, a common short name or the
    /// policy code (`教辅`, `音像教材`, `校服`, `意外险`, `保险`, `school_uniform` …).
    pub fn parse(s: &str) -> Option<ZeroFeeItem> {
        let t: String = s
            .split_whitespace()
            .collect::<String>()
            .replace(['(', ')'], "");
        let t = t.replace(['（', '）'], "");
        if let Some(i) = ZeroFeeItem::from_key(&t.to_ascii_lowercase()) {
            return Some(i);
        }
        match t.as_str() {
            "教辅材料含音像教材"
            | "教辅材料"
            | "教辅"
            | "教辅资料"
            | "音像教材"
            | "教学辅助资料" => Some(ZeroFeeItem::TeachingMaterials),
            "校服" | "学生校服" | "学生装" => Some(ZeroFeeItem::SchoolUniform),
            "学生意外伤害保险" | "意外伤害保险" | "学生意外险" | "意外险" | "保险" | "学平险" => {
                Some(ZeroFeeItem::AccidentInsurance)
            }
            _ => None,
        }
    }

    /// Whether an issue of this item names its insurer (承保单位) and policy number (保单号).
    pub fn is_insurance(self) -> bool {
        self == ZeroFeeItem::AccidentInsurance
    }
}

/// The allowed spellings, for an error message.
pub const ITEM_NAMES: &str = "教辅材料（教辅、音像教材）、校服、学生意外伤害保险（意外险、保险）";

/// The days of school year `year` (学年): 1 September of `year` to 31 August of the next year —
/// the autumn term of `year` and the spring term after it (docs/rulings.md 零收费).
pub fn school_year_days(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 9, 1)?,
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 8, 31)?,
    ))
}

/// Whether `day` falls in school year `year`.
pub fn in_school_year(day: NaiveDate, year: i32) -> bool {
    school_year_days(year).is_some_and(|(a, b)| a <= day && day <= b)
}

/// The school year `day` falls in.
pub fn school_year_of(day: NaiveDate) -> i32 {
    use chrono::Datelike;
    if day.month() >= 9 {
        day.year()
    } else {
        day.year() - 1
    }
}

/// One issue of one item to one student (零收费发放记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// 学年: the year its autumn term begins in.
    pub school_year: i32,
    /// 学校标识码 of the school that issued it.
    pub school_code: String,
    pub id_number: String,
    pub name: String,
    pub item: ZeroFeeItem,
    /// 发放日期.
    pub issued_on: NaiveDate,
    /// 数量 (sets of uniforms, copies of materials, insurance policies); at least 1.
    pub quantity: u32,
    /// 承保单位 and 保单号, insurance only.
    pub insurer: Option<String>,
    pub policy_no: Option<String>,
}

/// What one item is worth for reporting (三(一) names no amount: the county's reporting value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRule {
    pub item: ZeroFeeItem,
    /// The clause that grants it, e.g. `三(一)2`.
    pub clause: String,
    /// Reporting value of one unit, in fen.
    pub unit_value: Fen,
}

/// A student owed the provisions of a school year (eligible on the year's autumn facts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub id_number: String,
    pub name: String,
    pub school_code: String,
    /// The items the policy owes this student.
    pub items: Vec<ZeroFeeItem>,
}

/// One student lacking items (缺发).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub id_number: String,
    pub name: String,
    pub items: Vec<ZeroFeeItem>,
}

/// Per item of a school: students owed it, students owed it who received it, and the reporting
/// value of what they received (quantity × unit value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ItemCount {
    pub owed: u32,
    pub issued: u32,
    pub value: Fen,
}

/// One school's coverage in a school year.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SchoolCoverage {
    pub school_code: String,
    /// Students owed at least one item (应享受人数).
    pub eligible: u32,
    /// Students who received every item they are owed (全部发放).
    pub complete: u32,
    /// Per item, in [`ZeroFeeItem::ALL`] order.
    pub items: BTreeMap<ZeroFeeItem, ItemCount>,
    /// Who lacks which item.
    pub missing: Vec<Missing>,
    /// Issues to students not owed that item this year (not counted as coverage).
    pub not_owed: Vec<Issue>,
}

/// The coverage of a school year, school by school (by code). An eligible student counts at
/// the school of their autumn registry row, whichever school recorded the issue; an issue not
/// owed is listed at the school that recorded it.
pub fn coverage(owed: &[Owed], issues: &[Issue], rules: &[ItemRule]) -> Vec<SchoolCoverage> {
    let unit: HashMap<ZeroFeeItem, Fen> = rules.iter().map(|r| (r.item, r.unit_value)).collect();
    // Per student and item: the quantity received.
    let mut got: HashMap<(&str, ZeroFeeItem), u32> = HashMap::new();
    for i in issues {
        *got.entry((i.id_number.as_str(), i.item)).or_default() += i.quantity;
    }
    let mut schools: BTreeMap<&str, SchoolCoverage> = BTreeMap::new();
    let mut is_owed: HashSet<(&str, ZeroFeeItem)> = HashSet::new();
    for o in owed {
        if o.items.is_empty() {
            continue;
        }
        let s = schools
            .entry(o.school_code.as_str())
            .or_insert_with(|| SchoolCoverage {
                school_code: o.school_code.clone(),
                ..SchoolCoverage::default()
            });
        s.eligible += 1;
        let mut lacks = Vec::new();
        for &item in &o.items {
            is_owed.insert((o.id_number.as_str(), item));
            let c = s.items.entry(item).or_default();
            c.owed += 1;
            match got.get(&(o.id_number.as_str(), item)) {
                Some(q) => {
                    c.issued += 1;
                    let v = unit.get(&item).copied().unwrap_or(Fen::ZERO);
                    c.value += Fen(v.0.saturating_mul(i64::from(*q)));
                }
                None => lacks.push(item),
            }
        }
        if lacks.is_empty() {
            s.complete += 1;
        } else {
            s.missing.push(Missing {
                id_number: o.id_number.clone(),
                name: o.name.clone(),
                items: lacks,
            });
        }
    }
    for i in issues {
        if !is_owed.contains(&(i.id_number.as_str(), i.item)) {
            schools
                .entry(i.school_code.as_str())
                .or_insert_with(|| SchoolCoverage {
                    school_code: i.school_code.clone(),
                    ..SchoolCoverage::default()
                })
                .not_owed
                .push(i.clone());
        }
    }
    schools.into_values().collect()
}

/// The county's figures: every school's added up (missing and not-owed lists joined).
pub fn total(schools: &[SchoolCoverage]) -> SchoolCoverage {
    let mut t = SchoolCoverage::default();
    for s in schools {
        t.eligible += s.eligible;
        t.complete += s.complete;
        for (item, c) in &s.items {
            let e = t.items.entry(*item).or_default();
            e.owed += c.owed;
            e.issued += c.issued;
            e.value += c.value;
        }
        t.missing.extend(s.missing.iter().cloned());
        t.not_owed.extend(s.not_owed.iter().cloned());
    }
    t
}

#[cfg(test)]
mod tests;
