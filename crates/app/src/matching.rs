//! Matching (精准识别): link a person to the department lists by ID number and say which hardship
//! categories apply on the term's reference date, each with the list and row that proved it; then
//! pack the student's facts for the policy engine. Pure: the caller loads the lists.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use zizhu_domain::ids::id_key;
use zizhu_domain::{
    stage_of, Area, AssistanceEntry, Category, Difficulty, DisabledPerson, ListKind,
    PoorHouseholdMember, PovertyStatus, School, StudentRecord,
};
use zizhu_policy::FactInput;
use zizhu_store::Sourced;

/// A category that applies to a person, with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedCategory {
    pub category: Category,
    pub list: ListKind,
    /// Import batch and row of the list entry (for the school's own recognition: of the registry row).
    pub import_id: i64,
    pub row_no: i64,
    /// Chinese detail: household number, validity, certificate, tier.
    pub detail: String,
}

/// The department lists, indexed by ID number, restricted to entries valid on one date.
#[derive(Debug, Default)]
pub struct ListIndex {
    poor: FxHashMap<u64, Sourced<PoorHouseholdMember>>,
    dibao: FxHashMap<u64, Sourced<AssistanceEntry>>,
    tekun: FxHashMap<u64, Sourced<AssistanceEntry>>,
    urban: FxHashMap<u64, Sourced<AssistanceEntry>>,
    disabled: FxHashMap<u64, Sourced<DisabledPerson>>,
}

fn valid_on(e: &AssistanceEntry, on: NaiveDate) -> bool {
    e.valid_from.is_none_or(|f| f <= on) && e.valid_to.is_none_or(|t| t >= on)
}

fn validity(e: &AssistanceEntry) -> String {
    let f = e
        .valid_from
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    let t = e
        .valid_to
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    format!("有效期 {f} 至 {t}")
}

impl ListIndex {
    /// Builds the index; list entries not valid on `on` are left out (低保/特困/城镇困难 periods).
    pub fn build(
        poor: Vec<Sourced<PoorHouseholdMember>>,
        dibao: Vec<Sourced<AssistanceEntry>>,
        tekun: Vec<Sourced<AssistanceEntry>>,
        urban: Vec<Sourced<AssistanceEntry>>,
        disabled: Vec<Sourced<DisabledPerson>>,
        on: NaiveDate,
    ) -> ListIndex {
        fn keyed<T>(v: Vec<Sourced<T>>, id: impl Fn(&T) -> &str) -> FxHashMap<u64, Sourced<T>> {
            v.into_iter()
                .filter_map(|s| Some((id_key(id(&s.record))?, s)))
                .collect()
        }
        let valid = |v: Vec<Sourced<AssistanceEntry>>| -> Vec<Sourced<AssistanceEntry>> {
            v.into_iter().filter(|s| valid_on(&s.record, on)).collect()
        };
        ListIndex {
            poor: keyed(poor, |r| r.id.as_str()),
            dibao: keyed(valid(dibao), |r| r.id.as_str()),
            tekun: keyed(valid(tekun), |r| r.id.as_str()),
            urban: keyed(valid(urban), |r| r.id.as_str()),
            disabled: keyed(disabled, |r| r.id.as_str()),
        }
    }

    /// Every ID on any list, with the list it is on (for the "not in the registry" finding).
    pub fn people(&self) -> impl Iterator<Item = (u64, &zizhu_domain::IdNumber, ListKind)> {
        let p = self
            .poor
            .iter()
            .map(|(k, s)| (*k, &s.record.id, ListKind::PoorHouseholds));
        let d = self
            .dibao
            .iter()
            .map(|(k, s)| (*k, &s.record.id, ListKind::Dibao));
        let t = self
            .tekun
            .iter()
            .map(|(k, s)| (*k, &s.record.id, ListKind::Tekun));
        let u = self
            .urban
            .iter()
            .map(|(k, s)| (*k, &s.record.id, ListKind::UrbanHardship));
        let x = self
            .disabled
            .iter()
            .map(|(k, s)| (*k, &s.record.id, ListKind::Disabled));
        p.chain(d).chain(t).chain(u).chain(x)
    }

    /// Name, import batch, row and a Chinese detail (household, village) of a person on `list`,
    /// so a finding can be followed up at the door, not only by ID number.
    pub fn describe(&self, key: u64, list: ListKind) -> Option<(String, i64, i64, String)> {
        match list {
            ListKind::PoorHouseholds => self.poor.get(&key).map(|p| {
                let r = &p.record;
                let place = [r.township.as_str(), r.village.as_str()].concat();
                (
                    r.name.clone(),
                    p.import_id,
                    p.row_no,
                    format!(
                        "户编号 {}{}",
                        r.household_no,
                        if place.is_empty() {
                            String::new()
                        } else {
                            format!("，{place}")
                        }
                    ),
                )
            }),
            ListKind::Dibao => self.dibao.get(&key).map(|e| {
                (
                    e.record.name.clone(),
                    e.import_id,
                    e.row_no,
                    validity(&e.record),
                )
            }),
            ListKind::Tekun => self.tekun.get(&key).map(|e| {
                (
                    e.record.name.clone(),
                    e.import_id,
                    e.row_no,
                    validity(&e.record),
                )
            }),
            ListKind::UrbanHardship => self.urban.get(&key).map(|e| {
                (
                    e.record.name.clone(),
                    e.import_id,
                    e.row_no,
                    validity(&e.record),
                )
            }),
            ListKind::Disabled => self.disabled.get(&key).map(|d| {
                (
                    d.record.name.clone(),
                    d.import_id,
                    d.row_no,
                    format!("残疾人证 {}", d.record.certificate_no),
                )
            }),
            _ => None,
        }
    }

    /// The categories that apply to `id`, plus the school's own recognition `difficulty` from the
    /// registry row `registry` (import batch, row).
    pub fn categories(
        &self,
        id: &str,
        difficulty: Difficulty,
        registry: (i64, i64),
    ) -> Vec<MatchedCategory> {
        let mut out = Vec::new();
        let Some(key) = id_key(id) else { return out };
        let id = &key;
        if let Some(p) = self.poor.get(id) {
            let status = match p.record.status {
                PovertyStatus::Exited => match p.record.exit_year {
                    Some(y) => format!("已脱贫（{y}年）"),
                    None => "已脱贫".into(),
                },
                PovertyStatus::NotExited => "未脱贫".into(),
            };
            out.push(MatchedCategory {
                category: Category::RegisteredPoor,
                list: ListKind::PoorHouseholds,
                import_id: p.import_id,
                row_no: p.row_no,
                detail: format!("户编号 {}，{}", p.record.household_no, status),
            });
        }
        for (map, kind, rural, urban) in [
            (
                &self.dibao,
                ListKind::Dibao,
                Category::DibaoRural,
                Category::DibaoUrban,
            ),
            (
                &self.tekun,
                ListKind::Tekun,
                Category::TekunRural,
                Category::TekunUrban,
            ),
        ] {
            if let Some(e) = map.get(id) {
                let category = if e.record.area == Area::Rural {
                    rural
                } else {
                    urban
                };
                out.push(MatchedCategory {
                    category,
                    list: kind,
                    import_id: e.import_id,
                    row_no: e.row_no,
                    detail: validity(&e.record),
                });
            }
        }
        if let Some(e) = self.urban.get(id) {
            out.push(MatchedCategory {
                category: Category::UrbanHardship,
                list: ListKind::UrbanHardship,
                import_id: e.import_id,
                row_no: e.row_no,
                detail: validity(&e.record),
            });
        }
        if let Some(d) = self.disabled.get(id) {
            let grade = d.record.grade.map(|g| format!("{g}级")).unwrap_or_default();
            out.push(MatchedCategory {
                category: Category::Disabled,
                list: ListKind::Disabled,
                import_id: d.import_id,
                row_no: d.row_no,
                detail: format!(
                    "残疾人证 {}，{}{}",
                    d.record.certificate_no, d.record.category, grade
                ),
            });
        }
        if difficulty != Difficulty::NotDifficult {
            out.push(MatchedCategory {
                category: Category::SchoolRecognized,
                list: ListKind::Students,
                import_id: registry.0,
                row_no: registry.1,
                detail: format!("学校认定：{}", difficulty.zh()),
            });
        }
        out
    }

    /// Is `id` on the poverty list with an exited household?
    pub fn poor_exited(&self, id: &str) -> bool {
        let Some(key) = id_key(id) else { return false };
        self.poor
            .get(&key)
            .is_some_and(|p| p.record.status == PovertyStatus::Exited)
    }
}

/// Sets the category facts from matched categories.
pub fn apply_categories(f: &mut FactInput, cats: &[MatchedCategory], poor_exited: bool) {
    for c in cats {
        match c.category {
            Category::RegisteredPoor => {
                f.poor_household = true;
                f.poor_exited = poor_exited;
            }
            Category::DibaoRural => f.dibao_rural = true,
            Category::DibaoUrban => f.dibao_urban = true,
            Category::TekunRural => f.tekun_rural = true,
            Category::TekunUrban => f.tekun_urban = true,
            Category::UrbanHardship => f.urban_hardship = true,
            Category::Disabled => f.disability_certificate = true,
            Category::SchoolRecognized => {}
        }
    }
}

/// The facts of a student in the registry, at a school (or an unknown school), with categories.
pub fn student_facts(
    rec: &StudentRecord,
    school: Option<&School>,
    cats: &[MatchedCategory],
    poor_exited: bool,
) -> FactInput {
    let stage = school.and_then(|s| stage_of(s.kind, rec.grade));
    let mut f = FactInput {
        stage: stage.map(|s| s.0),
        year_of_stage: stage.map(|s| s.1).unwrap_or(0),
        school_kind: school.map(|s| s.kind),
        school_public: school.is_some_and(|s| s.public),
        inclusive_kindergarten: school.is_some_and(|s| s.inclusive),
        approval_level: school.map(|s| s.approval_level),
        status: Some(rec.status),
        difficulty: Some(rec.difficulty),
        hukou: rec.hukou,
        boarding: rec.boarding,
        special_class: rec.special_class,
        regular_class_inclusion: rec.regular_class_inclusion,
        agri_major: rec.agri_major,
        full_time: rec.full_time,
        ..FactInput::default()
    };
    apply_categories(&mut f, cats, poor_exited);
    f
}

/// Is the college's province the policy's province? Both are read as province names
/// (`江西`, `江西省`, `江西省南昌市` are the same); an unrecognised name is never the same.
pub fn same_province(college_province: &str, policy_province: &str) -> bool {
    use zizhu_domain::ids::province_by_name;
    match (
        province_by_name(college_province),
        province_by_name(policy_province),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_names_match_loosely() {
        assert!(same_province("江西", "江西省"));
        assert!(same_province("江西省", "江西省"));
        assert!(same_province("江西省南昌市", "江西省"));
        assert!(!same_province("湖南省", "江西省"));
        assert!(!same_province("", "江西省"));
    }
}
