//! The sample county, 于都县 (Jiangxi, 赣州市): its townships from the embedded NBS division list,
//! and the other address codes that appear on the sample people's ID numbers.

use anyhow::{bail, Context};

/// County code of 于都县 (GB/T 2260).
pub(crate) const COUNTY_CODE: u32 = 360731;
/// County name.
pub(crate) const COUNTY_NAME: &str = "于都县";
/// An abolished county code still found on old ID numbers: 360782 南康市, made 南康区 (360703) in
/// 2013, so absent from the current division list.
pub(crate) const ABOLISHED_CODE: u32 = 360782;
/// Other Jiangxi counties people move in from (mostly mothers who married into the county).
pub(crate) const OTHER_JIANGXI: [u32; 6] = [360730, 360732, 360781, 360733, 360702, 360726];
/// Codes used, in order, when one code runs out of sequence numbers for a birth date (only at
/// benchmark sizes): the other counties of 赣州市.
pub(crate) const OVERFLOW: [u32; 17] = [
    360731, 360702, 360703, 360704, 360722, 360723, 360724, 360725, 360726, 360728, 360729, 360730,
    360732, 360733, 360734, 360735, 360781,
];

const TOWNSHIPS_CSV: &str = include_str!("../../data/jiangxi-townships.csv");

/// A township-level unit (乡镇) of the county.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Township {
    /// 9-digit statistical code.
    pub code: String,
    pub name: String,
}

impl Township {
    /// The county seat 贡江镇 is the only urban (城区) township.
    pub fn is_urban(&self) -> bool {
        self.name == "贡江镇"
    }
    /// A town (镇) rather than a township (乡) or the industrial park: larger, gets more schools.
    pub fn is_town(&self) -> bool {
        self.name.ends_with('镇')
    }
    /// The industrial park (于都工业园) has no village schools.
    pub fn is_park(&self) -> bool {
        self.code.get(6..7) == Some("4")
    }
}

/// The county's townships in the order of the division list (贡江镇 first); errors if the
/// embedded list has none.
pub(crate) fn townships() -> anyhow::Result<Vec<Township>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(TOWNSHIPS_CSV.as_bytes());
    let prefix = COUNTY_CODE.to_string();
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.context("内置乡镇名单格式错误")?;
        let (Some(code), Some(name)) = (rec.get(0), rec.get(1)) else {
            continue;
        };
        if code.starts_with(&prefix) && code.len() == 9 {
            out.push(Township {
                code: code.to_string(),
                name: name.to_string(),
            });
        }
    }
    if out.is_empty() {
        bail!("内置乡镇名单中没有{COUNTY_NAME}（{COUNTY_CODE}）的乡镇");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yudu_has_23_townships_and_the_park() {
        let t = townships().unwrap();
        assert_eq!(t.len(), 24);
        assert_eq!(t[0].name, "贡江镇");
        assert!(t[0].is_urban());
        assert_eq!(t.iter().filter(|x| x.is_park()).count(), 1);
        assert_eq!(t.iter().filter(|x| x.is_town()).count(), 9);
    }

    #[test]
    fn abolished_code_is_absent_and_others_present() {
        let counties = include_str!("../../../domain/data/counties.csv");
        let has = |c: u32| counties.lines().any(|l| l.starts_with(&format!("{c},")));
        assert!(!has(ABOLISHED_CODE));
        assert!(has(COUNTY_CODE));
        assert!(OTHER_JIANGXI.iter().chain(OVERFLOW.iter()).all(|&c| has(c)));
    }
}
