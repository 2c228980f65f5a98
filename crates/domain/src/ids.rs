//! Identity document numbers (身份证件号) per GB 11643-1999: parsing the messy forms they take in
//! county spreadsheets, validating them (MOD 11-2 check, birth date, address code) and the derived
//! facts (birth date, sex, masked form).

mod divisions;
#[cfg(test)]
mod tests;

pub use divisions::{city_name, county_name, division_name, province_by_name, province_name};

use crate::model::Sex;
use crate::text::{clean_cell, is_zero_width};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// What kind of document an 18-character number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证 (mainland resident), 18 characters as given.
    Resident,
    /// A 15-digit 1989-standard number, upgraded to 18 characters. Only known at parse time:
    /// [`IdNumber::from_stored`] recomputes the kind from the 18 characters and says `Resident`.
    UpgradedFrom15,
    /// 港澳台居民居住证: address code 810000 (Hong Kong), 820000 (Macao), 830000 (Taiwan).
    HkMacaoTaiwanPermit,
    /// 外国人永久居留身份证 (2023 version, 18 characters, first digit 9).
    ForeignPermanentResident,
}

/// A validated 18-character ID number, upper-case `X`. Equality, ordering and hashing are by the
/// 18 characters only (an upgraded 15-digit number equals the same number read back from storage).
/// Serialises as the plain string.
#[derive(Debug, Clone)]
pub struct IdNumber {
    value: String,
    kind: IdKind,
}

impl PartialEq for IdNumber {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for IdNumber {}
impl Hash for IdNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}
impl PartialOrd for IdNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IdNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

/// Why an ID number was rejected. `Display` is the Chinese message; [`IdError::code`] a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// E-ID-001: nothing left after normalisation.
    #[error("身份证件号为空")]
    Empty,
    /// E-ID-002: `3.60731E+17` — Excel showed a number in scientific notation; digits are lost.
    #[error(
        "身份证号被 Excel 转成了科学计数法（{shown}），后几位已丢失，请把该列设为文本后重新导出"
    )]
    ScientificNotation { shown: String },
    /// E-ID-003: `360426199101010071.0`, a numeric cell of more than 15 digits, or 18 digits ending
    /// in `000` with a wrong check: Excel kept only 15 significant digits.
    #[error("身份证号疑似被 Excel 当作数字保存，超过15位的数字末位已变为0（{shown}），请把该列设为文本后重新导出")]
    StoredAsNumber { shown: String },
    /// E-ID-004: a character other than digits and a final `X`.
    #[error("身份证件号含非法字符“{ch}”（只能是数字，18位号码的最后一位可以是 X）")]
    InvalidCharacter { ch: char },
    /// E-ID-005: neither 18 nor 15 characters.
    #[error("身份证件号位数错误：应为18位（或15位旧号），实为{len}位")]
    WrongLength { len: usize },
    /// E-ID-006: `X` somewhere other than the 18th position.
    #[error("身份证件号格式错误：X 只能出现在18位号码的最后一位")]
    MisplacedX,
    /// E-ID-007: the province code (digits 1–2; digits 2–3 of a foreigner's number) is not one of
    /// the 31 mainland provinces.
    #[error("身份证件号中的省级行政区划代码“{code}”不存在")]
    UnknownProvince { code: String },
    /// E-ID-008: digits 7–14 are not a calendar date (`19620932`, `19990229`).
    #[error("身份证件号中的出生日期“{digits}”不存在")]
    InvalidBirthDate { digits: String },
    /// E-ID-009: the birth year is outside 1900..=2100.
    #[error("身份证件号中的出生年份 {year} 超出范围（1900–2100）")]
    BirthYearOutOfRange { year: i32 },
    /// E-ID-010: the MOD 11-2 check character does not match (a typo in some digit).
    #[error("身份证件号校验位错误：校验位应为 {expected}，实为 {actual}，请核对各位数字")]
    BadChecksum { expected: char, actual: char },
    /// E-ID-011: a foreigner's number whose digits 4–6 are not a plausible ISO 3166-1 numeric code.
    #[error("外国人永久居留身份证号中的国籍代码“{code}”无效")]
    InvalidNationality { code: String },
    /// E-ID-012: a numeric cell that is negative, fractional or not a number.
    #[error("身份证件号单元格是带小数或负数的数字（{shown}），请把该列设为文本后重新导出")]
    NotAnInteger { shown: String },
}

impl IdError {
    /// Stable error code (`E-ID-001` …), for reports and documentation; never renumbered.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::Empty => "E-ID-001",
            IdError::ScientificNotation { .. } => "E-ID-002",
            IdError::StoredAsNumber { .. } => "E-ID-003",
            IdError::InvalidCharacter { .. } => "E-ID-004",
            IdError::WrongLength { .. } => "E-ID-005",
            IdError::MisplacedX => "E-ID-006",
            IdError::UnknownProvince { .. } => "E-ID-007",
            IdError::InvalidBirthDate { .. } => "E-ID-008",
            IdError::BirthYearOutOfRange { .. } => "E-ID-009",
            IdError::BadChecksum { .. } => "E-ID-010",
            IdError::InvalidNationality { .. } => "E-ID-011",
            IdError::NotAnInteger { .. } => "E-ID-012",
        }
    }
}

/// Something worth telling the user about an accepted ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdWarning {
    /// W-ID-001: a 15-digit number was upgraded to 18 characters.
    UpgradedFrom15 { original: String },
    /// W-ID-002: the 6-digit address code is not in the current division list (it may be a
    /// county abolished or renamed since the card was issued).
    UnknownAddressCode { code: String },
}

impl IdWarning {
    /// Stable warning code (`W-ID-001` …).
    pub fn code(&self) -> &'static str {
        match self {
            IdWarning::UpgradedFrom15 { .. } => "W-ID-001",
            IdWarning::UnknownAddressCode { .. } => "W-ID-002",
        }
    }
}

impl fmt::Display for IdWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdWarning::UpgradedFrom15 { original } => {
                write!(f, "15位旧身份证号 {original} 已按 GB 11643-1999 升级为18位")
            }
            IdWarning::UnknownAddressCode { code } => write!(
                f,
                "身份证件号地址码 {code} 不在现行行政区划代码表中（可能是已撤销的县），请核对"
            ),
        }
    }
}

/// Normalises raw cell text: [`clean_cell`] (full-width digits and `Ｘ`, U+3000, NBSP, leading `'`),
/// then removes leading quote marks `'` `’` `‘`, every whitespace and zero-width character anywhere,
/// and upper-cases `x`.
fn normalize(raw: &str) -> String {
    // The usual cell: 15 or 18 plain ASCII characters, nothing to clean.
    let t = raw.trim_matches(' ');
    if (t.len() == 18 || t.len() == 15)
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'X' || b == b'x')
    {
        return t.replace('x', "X");
    }
    let cleaned = clean_cell(raw);
    cleaned
        .trim_start_matches(['\'', '’', '‘'])
        .chars()
        .filter(|c| !c.is_whitespace() && !is_zero_width(*c))
        .map(|c| if c == 'x' { 'X' } else { c })
        .collect()
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `3.60731E+17`, `3.60731e17`, `3.60731E17`, `4E+17`.
fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let mantissa_ok = match mantissa.split_once('.') {
        Some((i, f)) => all_digits(i) && all_digits(f),
        None => all_digits(mantissa),
    };
    mantissa_ok && all_digits(exp)
}

/// The kind an 18-character number has by its address code (no validation).
fn classify(s: &str) -> IdKind {
    match s.get(..6) {
        Some("810000" | "820000" | "830000") => IdKind::HkMacaoTaiwanPermit,
        _ if s.starts_with('9') => IdKind::ForeignPermanentResident,
        _ => IdKind::Resident,
    }
}

/// Checks the format (17 digits + digit or `X`) and the check character of an 18-character string.
fn check_format_and_checksum(s: &str) -> Result<(), IdError> {
    if let Some(ch) = s.chars().find(|c| !c.is_ascii_digit() && *c != 'X') {
        return Err(IdError::InvalidCharacter { ch });
    }
    let len = s.len(); // only ASCII digits and X from here: bytes are characters
    if len != 18 {
        return Err(IdError::WrongLength { len });
    }
    let (first17, last) = s.split_at(17); // 18 ASCII characters: 17 is a char boundary
    if first17.contains('X') {
        return Err(IdError::MisplacedX);
    }
    let expected = check_char(first17).ok_or(IdError::MisplacedX)?;
    let actual = last.chars().next().unwrap_or('?');
    if expected != actual {
        if s.ends_with("000") {
            return Err(IdError::StoredAsNumber {
                shown: s.to_string(),
            });
        }
        return Err(IdError::BadChecksum { expected, actual });
    }
    Ok(())
}

/// Validates `YYYYMMDD`: year 1900..=2100 and a real calendar date.
fn check_birth_date(digits: &str) -> Result<NaiveDate, IdError> {
    let bad = || IdError::InvalidBirthDate {
        digits: digits.to_string(),
    };
    let (y, m, d) = split_ymd(digits).ok_or_else(bad)?;
    if !(1900..=2100).contains(&y) {
        return Err(IdError::BirthYearOutOfRange { year: y });
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)
}

fn split_ymd(digits: &str) -> Option<(i32, u32, u32)> {
    if digits.len() != 8 || !all_digits(digits) {
        return None;
    }
    Some((
        digits.get(0..4)?.parse().ok()?,
        digits.get(4..6)?.parse().ok()?,
        digits.get(6..8)?.parse().ok()?,
    ))
}

/// Full validation of an 18-character number already known to have the right format and check:
/// province, nationality, birth date, and (residents) the address-code warning.
fn validate_18(s: &str, kind: IdKind, warnings: &mut Vec<IdWarning>) -> Result<(), IdError> {
    let field = |a: usize, b: usize| s.get(a..b).unwrap_or_default();
    match kind {
        IdKind::Resident | IdKind::UpgradedFrom15 => {
            let province = field(0, 2);
            if province_name(province).is_none() {
                return Err(IdError::UnknownProvince {
                    code: province.to_string(),
                });
            }
        }
        IdKind::HkMacaoTaiwanPermit => {}
        IdKind::ForeignPermanentResident => {
            let province = field(1, 3);
            if province_name(province).is_none() {
                return Err(IdError::UnknownProvince {
                    code: province.to_string(),
                });
            }
            // ISO 3166-1 numeric codes run from 004 (Afghanistan) to 894 (Zambia); a plausibility
            // check only, so that a genuine foreigner is never rejected by a stale table.
            let nationality = field(3, 6);
            let plausible = nationality
                .parse::<u16>()
                .is_ok_and(|n| (4..=894).contains(&n));
            if !plausible {
                return Err(IdError::InvalidNationality {
                    code: nationality.to_string(),
                });
            }
        }
    }
    check_birth_date(field(6, 14))?;
    if matches!(kind, IdKind::Resident | IdKind::UpgradedFrom15) {
        let code = field(0, 6);
        if division_name(code).is_none() {
            warnings.push(IdWarning::UnknownAddressCode {
                code: code.to_string(),
            });
        }
    }
    Ok(())
}

impl IdNumber {
    /// Parses an ID number as typed or exported into a spreadsheet cell.
    ///
    /// Accepts full-width digits and `Ｘ`, spaces anywhere (ASCII, U+3000, NBSP, tabs), zero-width
    /// characters, a leading `'`/`’`/`‘` (Excel text marker), lower-case `x`. An 18-character
    /// number must have a valid MOD 11-2 check, a real birth date (year 1900..=2100) and a known
    /// province; a 15-digit number (GB 11643-1989) is upgraded (warning
    /// [`IdWarning::UpgradedFrom15`]). A resident's county code missing from the current list is
    /// only a warning ([`IdWarning::UnknownAddressCode`]).
    ///
    /// # Errors
    /// One [`IdError`] per reason, including the Excel damage cases
    /// ([`IdError::ScientificNotation`], [`IdError::StoredAsNumber`]).
    pub fn parse(raw: &str) -> Result<(IdNumber, Vec<IdWarning>), IdError> {
        let s = normalize(raw);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if is_scientific(&s) {
            return Err(IdError::ScientificNotation { shown: s });
        }
        if let Some((int, frac)) = s.split_once('.') {
            if all_digits(int) && (frac.is_empty() || all_digits(frac)) {
                if int.len() > 15 {
                    return Err(IdError::StoredAsNumber { shown: s });
                }
                if frac.bytes().all(|b| b == b'0') {
                    // `610104620927690.0`: a number of at most 15 digits survives exactly.
                    return Self::parse_normalized(int);
                }
            }
            return Err(IdError::InvalidCharacter { ch: '.' });
        }
        Self::parse_normalized(&s)
    }

    /// Parses a normalised string (no spaces, upper-case `X`).
    fn parse_normalized(s: &str) -> Result<(IdNumber, Vec<IdWarning>), IdError> {
        if let Some(ch) = s.chars().find(|c| !c.is_ascii_digit() && *c != 'X') {
            return Err(IdError::InvalidCharacter { ch });
        }
        let mut warnings = Vec::new();
        match s.len() {
            18 => {
                check_format_and_checksum(s)?;
                let kind = classify(s);
                validate_18(s, kind, &mut warnings)?;
                Ok((
                    IdNumber {
                        value: s.to_string(),
                        kind,
                    },
                    warnings,
                ))
            }
            15 => {
                if s.contains('X') {
                    return Err(IdError::MisplacedX);
                }
                let (address, rest) = s.split_at(6); // 15 ASCII digits
                check_birth_date(&format!("19{}", rest.get(..6).unwrap_or_default()))?;
                let first17 = format!("{address}19{rest}");
                let check = check_char(&first17).ok_or(IdError::WrongLength { len: 15 })?;
                let value = format!("{first17}{check}");
                warnings.push(IdWarning::UpgradedFrom15 {
                    original: s.to_string(),
                });
                validate_18(&value, IdKind::UpgradedFrom15, &mut warnings)?;
                Ok((
                    IdNumber {
                        value,
                        kind: IdKind::UpgradedFrom15,
                    },
                    warnings,
                ))
            }
            len => Err(IdError::WrongLength { len }),
        }
    }

    /// Parses a numeric spreadsheet cell (Excel stores at most 15 significant digits).
    /// An exact integer of up to 15 digits is read as text (so a 15-digit old number survives);
    /// anything larger has lost its last digits.
    ///
    /// # Errors
    /// [`IdError::StoredAsNumber`] above 15 digits; [`IdError::NotAnInteger`] for fractions,
    /// negative numbers, NaN and infinities; otherwise as [`IdNumber::parse`].
    pub fn from_excel_number(f: f64) -> Result<(IdNumber, Vec<IdWarning>), IdError> {
        if !f.is_finite() || f < 0.0 || f.fract() != 0.0 {
            return Err(IdError::NotAnInteger {
                shown: f.to_string(),
            });
        }
        if f > 999_999_999_999_999.0 {
            return Err(IdError::StoredAsNumber {
                shown: excel_display(f),
            });
        }
        // Exact integer below 10^15 < 2^53: the conversion is exact.
        let n = f as u64;
        Self::parse_normalized(&n.to_string())
    }

    /// Reads back a number we stored ourselves (already validated by [`IdNumber::parse`]): checks
    /// only the format and the check character, recomputes the kind (an upgraded 15-digit number
    /// comes back as [`IdKind::Resident`]), does no division lookup.
    ///
    /// # Errors
    /// [`IdError::WrongLength`], [`IdError::InvalidCharacter`], [`IdError::MisplacedX`],
    /// [`IdError::BadChecksum`] (or [`IdError::StoredAsNumber`]) if the stored value is corrupt.
    pub fn from_stored(s: &str) -> Result<IdNumber, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        check_format_and_checksum(s)?;
        Ok(IdNumber {
            value: s.to_string(),
            kind: classify(s),
        })
    }

    /// The 18 characters, upper-case `X`.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The kind of document.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// Birth date from digits 7–14; `None` only if the value was not validated (never for
    /// numbers from [`IdNumber::parse`]).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let (y, m, d) = split_ymd(self.value.get(6..14)?)?;
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// Sex from the 17th digit: odd = male, even = female.
    pub fn sex(&self) -> Option<Sex> {
        let digit = self.value.as_bytes().get(16)?;
        if !digit.is_ascii_digit() {
            return None;
        }
        Some(if (digit - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        })
    }

    /// The form shown on published rosters and in logs: first 6 + ten `*` + last 2,
    /// e.g. `360731**********1X`.
    pub fn masked(&self) -> String {
        let head = self.value.get(..6).unwrap_or_default();
        let tail = self.value.get(16..).unwrap_or_default();
        format!("{head}**********{tail}")
    }

    /// The 6-digit address code (digits 1–6); for a foreigner's number `9` + province + nationality.
    pub fn address_code(&self) -> &str {
        self.value.get(..6).unwrap_or_default()
    }
}

/// A number as Excel displays it with 15 significant digits, e.g. `360426199101010000`.
fn excel_display(f: f64) -> String {
    let sci = format!("{f:.14e}"); // "3.60426199101010e17"
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return f.to_string();
    };
    let Ok(exp) = exp.parse::<usize>() else {
        return f.to_string();
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let zeros = (exp + 1).saturating_sub(digits.len());
    format!("{digits}{}", "0".repeat(zeros))
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value)
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        IdNumber::from_stored(&s).map_err(serde::de::Error::custom)
    }
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643-1999 §5.2.4);
/// `None` unless `first17` is exactly 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const M: &[u8; 11] = b"10X98765432";
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    M.get((sum % 11) as usize).map(|&b| b as char)
}

/// A compact key for an ID number: its first 17 digits as an integer (the 18th is their check
/// character, so the key is unique). `None` unless the first 17 characters are digits. Used to
/// index millions of people in memory without a string per person.
pub fn id_key(id: &str) -> Option<u64> {
    let b = id.as_bytes().get(..17)?;
    b.iter().try_fold(0u64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

#[cfg(test)]
mod key_tests {
    #[test]
    fn keys_are_the_first_17_digits() {
        assert_eq!(super::id_key("11010519491231002X"), Some(11010519491231002));
        assert_eq!(super::id_key("1101051949123100"), None);
        assert_eq!(super::id_key("11010519491231002"), Some(11010519491231002));
        assert_eq!(super::id_key("1101051949123100A2"), None);
    }
}

/// Masks every run of 15 or more digits (an ID number inside a G-prefixed 学籍号) like an ID:
/// the first 6 and the last 2 characters stay.
pub fn mask_long_digits(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit() || (i > start && matches!(chars[i], 'X' | 'x')))
        {
            i += 1;
        }
        let run = i - start;
        if run >= 15 {
            for (k, c) in chars[start..i].iter().enumerate() {
                out.push(if k < 6 || k >= run - 2 { *c } else { '*' });
            }
        } else {
            out.extend(&chars[start..i]);
        }
        if i == start {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A student number (学籍号) as a user without the right to see ID numbers is shown it. A
/// national 学籍号 is `G` + the ID number, and county files write it many ways (spaces, dashes,
/// full-width digits): any value with 12 or more digits of any script keeps only its first 7 and
/// last 2 characters; shorter ones (a school's own numbering) go through [`mask_long_digits`].
pub fn mask_student_no(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let digits = chars.iter().filter(|c| c.is_numeric()).count();
    if digits < 12 || chars.len() < 10 {
        return mask_long_digits(s);
    }
    chars
        .iter()
        .enumerate()
        .map(|(k, c)| {
            if k < 7 || k + 2 >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod mask_tests {
    #[test]
    fn student_numbers_are_masked_like_ids() {
        assert_eq!(
            super::mask_long_digits("G360731201507225520"),
            "G360731**********20"
        );
        assert_eq!(
            super::mask_long_digits("G36073120150722552X"),
            "G360731**********2X"
        );
        assert_eq!(
            super::mask_long_digits("L3607312015072201234"),
            "L360731***********34"
        );
        assert_eq!(super::mask_long_digits("J12345"), "J12345");
        assert_eq!(
            super::mask_long_digits("g36073120150722552x"),
            "g360731**********2x"
        );
        // A 残疾人证 number is the ID plus two digits.
        assert_eq!(
            super::mask_long_digits("残疾人证 36073120070901778433，肢体二级"),
            "残疾人证 360731************33，肢体二级"
        );
    }

    #[test]
    fn student_numbers_in_any_spelling_are_masked() {
        for (raw, shown) in [
            ("G360731201507225520", "G360731**********20"),
            ("G360731 201001020130", "G360731***********30"),
            ("G360731-20100103-0152", "G360731************52"),
            (
                "G３６０７３１２０１００１０２０１３０",
                "G３６０７３１**********３０",
            ),
            ("G360731\u{200b}201001020130", "G360731***********30"),
            ("2023010203", "2023010203"),
        ] {
            assert_eq!(super::mask_student_no(raw), shown, "{raw}");
        }
    }
}
