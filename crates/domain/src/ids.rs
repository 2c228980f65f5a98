//! Identity document numbers (身份证件号) per GB 11643-1999. STUB: being implemented.
use crate::model::Sex;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of document an 18-character number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证 (mainland resident), 18 characters as given.
    Resident,
    /// A 15-digit 1989-standard number, upgraded to 18 characters.
    UpgradedFrom15,
    /// 港澳台居民居住证: address code 810000 (Hong Kong), 820000 (Macao), 830000 (Taiwan).
    HkMacaoTaiwanPermit,
    /// 外国人永久居留身份证 (2023 version, 18 characters, first digit 9).
    ForeignPermanentResident,
}

/// A validated 18-character ID number, upper-case `X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdNumber {
    value: String,
    kind: IdKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("身份证件号为空")]
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdWarning {
    UpgradedFrom15 { original: String },
    UnknownAddressCode { code: String },
}

impl IdNumber {
    pub fn parse(_raw: &str) -> Result<(IdNumber, Vec<IdWarning>), IdError> {
        Err(IdError::Empty)
    }
    pub fn from_stored(s: &str) -> Result<IdNumber, IdError> {
        Self::parse(s).map(|(i, _)| i)
    }
    pub fn as_str(&self) -> &str {
        &self.value
    }
    pub fn kind(&self) -> IdKind {
        self.kind
    }
    pub fn birth_date(&self) -> Option<NaiveDate> {
        None
    }
    pub fn sex(&self) -> Option<Sex> {
        None
    }
    pub fn masked(&self) -> String {
        String::new()
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
    let sum: u32 = first17.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    M.get((sum % 11) as usize).map(|&b| b as char)
}
