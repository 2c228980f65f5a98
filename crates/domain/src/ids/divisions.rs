//! Administrative division names (行政区划代码, GB/T 2260) for checking ID address codes, from the
//! NBS list embedded at compile time (`data/*.csv`, see `data/SOURCE.md`); parsed once, lazily.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Code → name tables for the three levels.
struct Tables {
    provinces: HashMap<&'static str, &'static str>,
    cities: HashMap<&'static str, &'static str>,
    counties: HashMap<&'static str, &'static str>,
}

/// Parses `code,"name",…` lines after the header; malformed lines are skipped.
fn parse_table(csv: &'static str) -> HashMap<&'static str, &'static str> {
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let (code, rest) = line.trim_end().split_once(',')?;
            let rest = rest.strip_prefix('"')?;
            let (name, _) = rest.split_once('"')?;
            Some((code.trim(), name))
        })
        .collect()
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables {
        provinces: parse_table(include_str!("../../data/provinces.csv")),
        cities: parse_table(include_str!("../../data/cities.csv")),
        counties: parse_table(include_str!("../../data/counties.csv")),
    })
}

/// Name of a current county-level division (县级行政区) by its 6-digit code, e.g.
/// `county_name("360731") == Some("于都县")`. `None` for unknown or abolished codes.
pub fn county_name(code: &str) -> Option<&'static str> {
    tables().counties.get(code).copied()
}

/// Name of a prefecture-level division (地级行政区) by its 4-digit code, e.g. `"3607"` → 赣州市.
pub fn city_name(code4: &str) -> Option<&'static str> {
    tables().cities.get(code4).copied()
}

/// Name of a province-level division (省级行政区) by its 2-digit code, e.g. `"36"` → 江西省.
/// Only the 31 mainland provinces; `81`/`82`/`83` (Hong Kong, Macao, Taiwan) are `None`.
pub fn province_name(code2: &str) -> Option<&'static str> {
    tables().provinces.get(code2).copied()
}

/// Name of the division a 6-digit ID address code stands for: a county (`360731`), or a
/// prefecture written `xxxx00` (`360700`) or a province written `xx0000` (`360000`), both of
/// which appear on genuine ID cards. `None` when the code is in none of the tables.
pub fn division_name(code6: &str) -> Option<&'static str> {
    if let Some(name) = county_name(code6) {
        return Some(name);
    }
    let prefix4 = code6.strip_suffix("00")?;
    if code6.len() != 6 {
        return None;
    }
    if let Some(name) = city_name(prefix4) {
        return Some(name);
    }
    province_name(prefix4.strip_suffix("00")?)
}

/// All current county codes (for tests that generate ID numbers).
#[cfg(test)]
pub(crate) fn county_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = tables().counties.keys().copied().collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(county_name("360731"), Some("于都县"));
        assert_eq!(county_name("610104"), Some("莲湖区"));
        assert_eq!(county_name("340524"), None);
        assert_eq!(city_name("3607"), Some("赣州市"));
        assert_eq!(province_name("36"), Some("江西省"));
        assert_eq!(province_name("65"), Some("新疆维吾尔自治区"));
        assert_eq!(province_name("81"), None);
        assert_eq!(division_name("360731"), Some("于都县"));
        assert_eq!(division_name("360700"), Some("赣州市"));
        assert_eq!(division_name("360000"), Some("江西省"));
        assert_eq!(division_name("369900"), None);
        assert_eq!(division_name("00"), None);
        assert_eq!(division_name(""), None);
    }

    #[test]
    fn tables_are_complete() {
        assert_eq!(tables().provinces.len(), 31);
        assert_eq!(tables().cities.len(), 342);
        assert_eq!(tables().counties.len(), 2978);
        assert!(county_codes().iter().all(|c| c.len() == 6));
    }
}

/// The canonical name of a province-level division (省级行政区) written in a cell, or `None`.
/// Accepts the full name (`江西省`), the short name (`江西`, `内蒙古`, `广西`), either with spaces
/// typed inside (`江 西`), a full name followed by a city (`江西省南昌市`), and 香港/澳门/台湾.
/// Used to decide 省内/省外 for the college freshman aid, so a typo must not pass as 省外.
pub fn province_by_name(s: &str) -> Option<&'static str> {
    const EXTRA: [&str; 3] = ["香港特别行政区", "澳门特别行政区", "台湾省"];
    const SUFFIXES: [&str; 6] = [
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "特别行政区",
        "自治区",
        "省",
    ];
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return None;
    }
    let names = tables().provinces.values().copied().chain(EXTRA);
    let mut best: Option<&'static str> = None;
    for full in names {
        let mut short = full;
        for suf in SUFFIXES {
            if let Some(x) = full.strip_suffix(suf) {
                short = x;
                break;
            }
        }
        let short = short.strip_suffix('市').unwrap_or(short);
        if t == full
            || t == short
            || t.starts_with(full)
            || (short.chars().count() >= 2 && t.starts_with(short))
        {
            // Prefer the longest match (内蒙古 over a hypothetical shorter prefix).
            if best.is_none_or(|b| full.len() > b.len()) {
                best = Some(full);
            }
        }
    }
    best
}

#[cfg(test)]
mod province_tests {
    use super::province_by_name;

    #[test]
    fn province_names() {
        assert_eq!(province_by_name("江西省"), Some("江西省"));
        assert_eq!(province_by_name("江西"), Some("江西省"));
        assert_eq!(province_by_name("江 西"), Some("江西省"));
        assert_eq!(province_by_name("江西省南昌市"), Some("江西省"));
        assert_eq!(province_by_name("北京"), Some("北京市"));
        assert_eq!(province_by_name("内蒙古"), Some("内蒙古自治区"));
        assert_eq!(province_by_name("广西壮族自治区"), Some("广西壮族自治区"));
        assert_eq!(province_by_name("香港"), Some("香港特别行政区"));
        assert_eq!(province_by_name("火星"), None);
        assert_eq!(province_by_name("Jiangxi"), None);
        assert_eq!(province_by_name(""), None);
    }
}
