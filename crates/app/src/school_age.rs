//! The school-age children's ledger (适龄儿童台账, 控辍保学): every child of compulsory age the
//! county knows — from the household registration, the registered-poor households and the
//! registry — with where each one studies, whether the school's return has them, and their case.

use crate::dropout::school_number;
use crate::AppError;
use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use zizhu_domain::dropout::{CaseState, DropoutRules};
use zizhu_domain::ids::id_key;
use zizhu_domain::{Status, Term};
use zizhu_io::tables::{Cell, Sheet};
use zizhu_store::{CaseFilter, Db};

/// One child of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolAgeChild {
    pub id_number: String,
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    pub township: String,
    pub village: String,
    /// Which list the child is known from first: 户籍, 建档立卡 or 学籍.
    pub source: &'static str,
    /// Registry school and status of the term, when enrolled anywhere.
    pub school_code: String,
    pub status: Option<Status>,
    /// On the school's return: `Some(true/false)`; `None` when the school sent none or the
    /// child is in no registry.
    pub present: Option<bool>,
    /// The child's latest case and its state.
    pub case: Option<(i64, CaseState)>,
}

/// The children of compulsory age on `as_of` (registry and returns of `term`), ordered by
/// township, village and ID; only `township`'s when given.
///
/// Errors: [`AppError::Other`] when `term` has no registry; [`AppError::Store`].
pub async fn school_age_children(
    db: &Db,
    rules: &DropoutRules,
    as_of: NaiveDate,
    term: Term,
    township: Option<&str>,
) -> Result<Vec<SchoolAgeChild>, AppError> {
    crate::dropout::registry_rows(db, term).await?;
    let schools: FxHashMap<String, String> = db
        .schools()
        .await?
        .into_iter()
        .map(|s| (s.code, s.township))
        .collect();
    let mut present: FxHashSet<(u64, u64)> = FxHashSet::default();
    let mut reporting: FxHashSet<String> = FxHashSet::default();
    db.each_attendance_brief(term, |school, id| {
        if let Some(k) = id_key(&id) {
            present.insert((k, school_number(&school)));
        }
        reporting.insert(school);
    })
    .await?;
    let mut registry: FxHashMap<u64, zizhu_store::RegistryBrief> = FxHashMap::default();
    db.each_registry_brief(term, |r| {
        if let Some(k) = id_key(&r.id_number) {
            let keep = registry
                .get(&k)
                .is_some_and(|old| old.status == Status::Enrolled);
            if !keep {
                registry.insert(k, r);
            }
        }
    })
    .await?;
    let mut cases: FxHashMap<String, (i64, CaseState)> = FxHashMap::default();
    for c in db.cases(&CaseFilter::default()).await? {
        cases.insert(c.child.id_number.clone(), (c.id, c.state));
    }
    let (after, up_to) = rules.compulsory_births(as_of).unwrap_or((0, 0));
    let of_age = |k: u64| {
        let ymd = u32::try_from(k / 1000 % 100_000_000).unwrap_or(0);
        after < ymd && ymd <= up_to
    };

    let mut out: BTreeMap<u64, SchoolAgeChild> = BTreeMap::new();
    let mut add = |k: u64, id: &str, name: &str, town: &str, village: &str, source| {
        if out.contains_key(&k) || !of_age(k) {
            return;
        }
        let reg = registry.get(&k);
        let present = reg.and_then(|r| {
            reporting
                .contains(&r.school_code)
                .then(|| present.contains(&(k, school_number(&r.school_code))))
        });
        out.insert(
            k,
            SchoolAgeChild {
                id_number: id.to_string(),
                name: name.to_string(),
                birth_date: zizhu_domain::IdNumber::parse(id)
                    .ok()
                    .and_then(|(i, _)| i.birth_date()),
                township: town.to_string(),
                village: village.to_string(),
                source,
                school_code: reg.map(|r| r.school_code.clone()).unwrap_or_default(),
                status: reg.map(|r| r.status),
                present,
                case: cases.get(id).copied(),
            },
        );
    };
    let mut residents = Vec::new();
    db.each_resident(|r| residents.push(r.record)).await?;
    for r in &residents {
        if let Some(k) = id_key(r.id.as_str()) {
            add(k, r.id.as_str(), &r.name, &r.township, &r.village, "户籍");
        }
    }
    drop(residents);
    let mut poor = Vec::new();
    db.each_poor_member(|p| poor.push(p.record)).await?;
    for p in &poor {
        if let Some(k) = id_key(p.id.as_str()) {
            add(
                k,
                p.id.as_str(),
                &p.name,
                &p.township,
                &p.village,
                "建档立卡",
            );
        }
    }
    drop(poor);
    let regs: Vec<(u64, zizhu_store::RegistryBrief)> =
        registry.iter().map(|(k, r)| (*k, r.clone())).collect();
    for (k, r) in &regs {
        let town = schools.get(&r.school_code).cloned().unwrap_or_default();
        add(*k, &r.id_number, &r.name, &town, "", "学籍");
    }
    let mut v: Vec<SchoolAgeChild> = out
        .into_values()
        .filter(|c| township.is_none_or(|t| c.township == t))
        .collect();
    v.sort_by(|a, b| {
        (&a.township, &a.village, &a.id_number).cmp(&(&b.township, &b.village, &b.id_number))
    });
    Ok(v)
}

/// The ledger as a sheet; ID numbers masked unless `full_id`.
pub fn school_age_sheet(children: &[SchoolAgeChild], title: &str, full_id: bool) -> Sheet {
    let header = [
        "乡镇",
        "村",
        "姓名",
        "身份证件号",
        "出生日期",
        "来源",
        "就读学校标识码",
        "学籍状态",
        "在校学生名单",
        "案件编号",
        "案件状态",
    ];
    let rows = children
        .iter()
        .map(|c| {
            let id = if full_id {
                c.id_number.clone()
            } else {
                zizhu_domain::IdNumber::parse(&c.id_number)
                    .map(|(i, _)| i.masked())
                    .unwrap_or_default()
            };
            vec![
                Cell::Text(c.township.clone()),
                Cell::Text(c.village.clone()),
                Cell::Text(c.name.clone()),
                Cell::Text(id),
                Cell::Text(
                    c.birth_date
                        .map(|d| {
                            d.format(if full_id { "%Y-%m-%d" } else { "%Y-%m" })
                                .to_string()
                        })
                        .unwrap_or_default(),
                ),
                Cell::Text(c.source.to_string()),
                Cell::Text(c.school_code.clone()),
                Cell::Text(c.status.map_or("无学籍", |s| s.zh()).to_string()),
                Cell::Text(
                    match c.present {
                        Some(true) => "在",
                        Some(false) => "不在",
                        None => "",
                    }
                    .to_string(),
                ),
                c.case.map_or(Cell::Empty, |(id, _)| Cell::Int(id)),
                Cell::Text(c.case.map(|(_, s)| s.zh()).unwrap_or_default().to_string()),
            ]
        })
        .collect();
    Sheet {
        name: "适龄儿童台账".into(),
        title: title.to_string(),
        header: header.iter().map(|h| h.to_string()).collect(),
        widths: vec![
            12.0, 12.0, 10.0, 20.0, 11.0, 8.0, 14.0, 10.0, 12.0, 9.0, 14.0,
        ],
        rows,
    }
}
