//! The teacher exchange section of the policy file (`[teacher_exchange]`, 三(三)): the clause,
//! the notice before an assignment's end, the direction the policy wants and which schools are
//! of the compulsory stage.

use serde::Deserialize;
use zizhu_domain::exchange::ExchangeRules;
use zizhu_domain::{Area, SchoolKind};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSection {
    /// The clause, e.g. `三(三)`.
    pub clause: String,
    /// A teacher is due to return (即将期满) from this many days before the end.
    pub notice_days: u32,
    /// Area key of the schools teachers are sent from (`urban`, 城区).
    pub from_area: String,
    /// Area key of the schools teachers are sent to (`rural`, 农村).
    pub to_area: String,
    /// School kind keys of the compulsory stage (义务教育阶段学校).
    pub compulsory_kinds: Vec<String>,
    /// The school year (学年) begins on the 1st of this month (9).
    pub year_start_month: u32,
}

impl ExchangeSection {
    /// The section as the domain's rules; an error in Chinese naming the key that is wrong.
    pub fn rules(&self) -> Result<ExchangeRules, String> {
        let area = |k: &str, key: &str| {
            Area::from_key(k).ok_or_else(|| {
                format!("[teacher_exchange] {key} = \"{k}\" 不是城乡类型（urban 或 rural）")
            })
        };
        let from_area = area(&self.from_area, "from_area")?;
        let to_area = area(&self.to_area, "to_area")?;
        if from_area == to_area {
            return Err("[teacher_exchange] from_area 与 to_area 不能相同".into());
        }
        let compulsory_kinds = self
            .compulsory_kinds
            .iter()
            .map(|k| {
                SchoolKind::from_key(k).ok_or_else(|| {
                    format!("[teacher_exchange] compulsory_kinds 中的“{k}”不是学校类型")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=12).contains(&self.year_start_month) {
            return Err("[teacher_exchange] year_start_month 应为 1–12".into());
        }
        if self.notice_days > 366 {
            return Err("[teacher_exchange] notice_days 不应超过 366".into());
        }
        Ok(ExchangeRules {
            clause: self.clause.clone(),
            notice_days: i64::from(self.notice_days),
            from_area,
            to_area,
            compulsory_kinds,
            year_start_month: self.year_start_month,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_county_file_gives_urban_to_rural_and_30_days() {
        let p = crate::Policy::parse(include_str!("../../../policy/2023.toml")).unwrap();
        let r = p.file.teacher_exchange.as_ref().unwrap().rules().unwrap();
        assert_eq!((r.from_area, r.to_area), (Area::Urban, Area::Rural));
        assert_eq!((r.notice_days, r.year_start_month), (30, 9));
        assert!(r.compulsory_kinds.contains(&SchoolKind::NineYear));
        assert!(!r.compulsory_kinds.contains(&SchoolKind::Senior));
        let mut bad = p.file.teacher_exchange.clone().unwrap();
        bad.to_area = "urban".into();
        assert!(bad.rules().is_err());
        bad.to_area = "乡村".into();
        assert!(bad.rules().unwrap_err().contains("to_area"));
    }
}
