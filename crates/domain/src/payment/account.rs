//! Payee accounts (收款账户): who receives a student's cash aid and on which card.
//!
//! Chinese bank cards carry a 16–19 digit primary account number whose last digit is the Luhn
//! check digit (ISO/IEC 7812-1, which UnionPay cards follow); so do the financial accounts of
//! social-security cards (社保卡金融账户) and the student-aid cards (学生资助卡) banks issue. A
//! passbook account (存折) has no check digit and 8–30 digits.

use crate::ids::IdNumber;
use crate::model::labelled_enum;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// The kind of account aid is paid to (账户类型).
    AccountKind {
        BankCard = "bank_card", "银行卡";
        SocialSecurityCard = "social_security_card", "社保卡";
        AidCard = "aid_card", "学生资助卡";
        Passbook = "passbook", "存折";
    }
}

impl AccountKind {
    /// The digits an account number of this kind has, and whether its last digit is a Luhn
    /// check digit.
    fn rule(self) -> (std::ops::RangeInclusive<usize>, bool) {
        match self {
            AccountKind::BankCard | AccountKind::SocialSecurityCard | AccountKind::AidCard => {
                (16..=19, true)
            }
            AccountKind::Passbook => (8..=30, false),
        }
    }
}

/// Why an account number is refused, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("账号只能由数字组成（可含空格或短横线）")]
    NotDigits,
    #[error("{kind}账号应为 {min}–{max} 位数字，实为 {len} 位")]
    Length {
        kind: &'static str,
        min: usize,
        max: usize,
        len: usize,
    },
    #[error("{kind}卡号校验位不符（Luhn 校验未通过），请核对是否抄错")]
    CheckDigit { kind: &'static str },
}

/// An account number, digits only, validated for its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountNo(String);

/// Does `digits` pass the Luhn check (its last digit the check digit)?
pub fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

impl AccountNo {
    /// Parses an account number as a county's file writes it: spaces and dashes dropped,
    /// full-width digits read as digits; then the length and check digit of `kind`.
    pub fn parse(kind: AccountKind, raw: &str) -> Result<AccountNo, AccountError> {
        let mut digits = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '０'..='９' => {
                    digits.push(char::from(b'0' + (u32::from(c) - u32::from('０')) as u8));
                }
                ' ' | '\u{3000}' | '-' | '－' => {}
                _ => return Err(AccountError::NotDigits),
            }
        }
        if digits.is_empty() {
            return Err(AccountError::NotDigits);
        }
        let (len, luhn) = kind.rule();
        if !len.contains(&digits.len()) {
            return Err(AccountError::Length {
                kind: kind.zh(),
                min: *len.start(),
                max: *len.end(),
                len: digits.len(),
            });
        }
        if luhn && !luhn_ok(&digits) {
            return Err(AccountError::CheckDigit { kind: kind.zh() });
        }
        Ok(AccountNo(digits))
    }

    /// A number as stored, trusted (read back from the database).
    pub fn from_stored(s: String) -> AccountNo {
        AccountNo(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as a role that need not see it reads it: the first 6 digits (the bank's
    /// identification number) and the last 4, e.g. `621700******1234`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any account number given as text: first 6 and last 4 characters kept when it is
/// longer than 10, else all but the last 2 hidden.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n > 10 {
        let mut out: String = chars[..6].iter().collect();
        out.push_str(&"*".repeat(n - 10));
        out.extend(&chars[n - 4..]);
        out
    } else {
        let keep = n.min(2);
        let mut out = "*".repeat(n - keep);
        out.extend(&chars[n - keep..]);
        out
    }
}

/// A student's payee account (学生资助收款账户): the guardian (or the student) who receives the
/// aid, and the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayeeAccount {
    /// The student the account is for.
    pub student_id: IdNumber,
    pub student_name: String,
    /// 领款人（持卡人）姓名.
    pub payee_name: String,
    /// 与学生关系, e.g. 父亲, 母亲, 本人; as given.
    pub relation: String,
    pub kind: AccountKind,
    pub number: AccountNo,
    /// 开户银行（发卡机构）, as given.
    pub bank: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_check_digit_of_known_numbers() {
        // ISO/IEC 7812-1 worked example: 7992739871 has check digit 3.
        assert!(luhn_ok("79927398713"));
        assert!(!luhn_ok("79927398710"));
        // A 19-digit UnionPay-style number: 622202000000000001 and its check digit, worked by hand
        // for 6222020000000000018 from the right: 8, 1×2 = 2, zeros, 2×2 = 4 (the 6th digit),
        // 0, 2×2 = 4, 2, 2×2 = 4, 6: 8 + 2 + 4 + 4 + 2 + 4 + 6 = 30, a multiple of 10.
        let body = "622202000000000001";
        let check = (0..10)
            .find(|d| luhn_ok(&format!("{body}{d}")))
            .unwrap_or(99);
        assert_eq!(check, 8);
    }

    #[test]
    fn card_numbers_are_cleaned_then_checked_for_length_and_luhn() {
        let ok = AccountNo::parse(AccountKind::BankCard, "6222 0200 0000 0000 018");
        assert_eq!(
            ok.as_ref().map(AccountNo::as_str),
            Ok("6222020000000000018")
        );
        assert_eq!(
            AccountNo::parse(
                AccountKind::BankCard,
                "６２２２０２０００００００００００１８"
            )
            .map(|a| a.0),
            Ok("6222020000000000018".to_string())
        );
        assert_eq!(
            AccountNo::parse(AccountKind::BankCard, "6222020000000000017"),
            Err(AccountError::CheckDigit { kind: "银行卡" })
        );
        assert_eq!(
            AccountNo::parse(AccountKind::AidCard, "622202000000017"),
            Err(AccountError::Length {
                kind: "学生资助卡",
                min: 16,
                max: 19,
                len: 15
            })
        );
        assert_eq!(
            AccountNo::parse(AccountKind::BankCard, "6.22202E+18"),
            Err(AccountError::NotDigits)
        );
        // A passbook has no check digit.
        assert!(AccountNo::parse(AccountKind::Passbook, "1234567890123").is_ok());
    }

    #[test]
    fn masking_keeps_the_bank_number_and_the_last_four() {
        let a = AccountNo::parse(AccountKind::BankCard, "6222020000000000018")
            .unwrap_or_else(|_| AccountNo(String::new()));
        assert_eq!(a.masked(), "622202*********0018");
        assert_eq!(mask("12345678"), "******78");
    }
}
