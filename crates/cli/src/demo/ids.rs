//! Synthetic identity numbers (身份证件号, GB 11643-1999) and student numbers (学籍号) for the demo:
//! every ID is unique, carries a real birth date, the sex parity in its sequence digits and a
//! correct check character (computed by `zizhu_domain::ids::check_char`).

use super::county::OVERFLOW;
use anyhow::{anyhow, bail};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use zizhu_domain::ids::check_char;
use zizhu_domain::Sex;

/// Sequence numbers per (address code, birth date, sex): 499 (odd 001–997 for men, even 002–998
/// for women).
const SEQ_PER_DAY: u16 = 499;

/// Hands out unique ID numbers. Remembers, per address code, birth date and sex, how many
/// sequence numbers are used (a few tens of thousands of entries even for 10 million people).
#[derive(Default)]
pub(crate) struct IdFactory {
    used: HashMap<(u32, NaiveDate, bool), u16>,
}

impl IdFactory {
    /// A new 18-character ID for someone born on `birth` whose household was registered at
    /// `code` (6 digits). When that code's sequence numbers for the day are used up, the next code
    /// of [`OVERFLOW`] is used. Errors when every code is exhausted or the code is not 6 digits.
    pub fn issue(&mut self, code: u32, birth: NaiveDate, sex: Sex) -> anyhow::Result<String> {
        let male = sex == Sex::Male;
        let mut candidate = code;
        let mut overflow = OVERFLOW.iter();
        loop {
            let used = self.used.entry((candidate, birth, male)).or_insert(0);
            if *used < SEQ_PER_DAY {
                let x = *used;
                *used += 1;
                // Scatter the sequence numbers: x -> (37x + h) mod 499 is a bijection on 0..499.
                let h = (birth.num_days_from_ce().unsigned_abs() % u32::from(SEQ_PER_DAY)) as u16;
                let s = (u32::from(x) * 37 + u32::from(h)) % u32::from(SEQ_PER_DAY);
                let seq = 2 * s + if male { 1 } else { 2 };
                return build_id(candidate, birth, seq);
            }
            match overflow.next() {
                Some(&next) => candidate = next,
                None => bail!("演示数据人数过多：{birth} 出生的身份证号顺序码已用完"),
            }
        }
    }
}

/// The 18-character ID for an address code, a birth date and a 3-digit sequence number.
pub(crate) fn build_id(code: u32, birth: NaiveDate, seq: u32) -> anyhow::Result<String> {
    let first17 = format!("{code:06}{}{seq:03}", birth.format("%Y%m%d"));
    let check = check_char(&first17).ok_or_else(|| anyhow!("无法生成身份证号：{first17}"))?;
    Ok(format!("{first17}{check}"))
}

/// The old 15-digit form (GB 11643-1989) of an 18-character ID of someone born in the 1900s:
/// address code + YYMMDD + sequence, no check character. `None` for other IDs.
pub(crate) fn to_15(id18: &str) -> Option<String> {
    if id18.len() != 18 || id18.get(6..8) != Some("19") {
        return None;
    }
    Some(format!("{}{}", id18.get(0..6)?, id18.get(8..17)?))
}

/// A temporary student number (临时学籍号): `L` + 6-digit area code + birth date + 4 digits.
pub(crate) fn l_number(code: u32, birth: NaiveDate, four: u32) -> String {
    format!("L{code:06}{}{:04}", birth.format("%Y%m%d"), four % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn ids_are_valid_unique_and_carry_sex() {
        let mut f = IdFactory::default();
        let mut all = std::collections::HashSet::new();
        for i in 0..1200 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let id = f.issue(360731, d(2012, 5, 17), sex).unwrap();
            assert_eq!(id.len(), 18);
            assert_eq!(check_char(&id[..17]), id.chars().last());
            assert_eq!(&id[6..14], "20120517");
            let seq: u32 = id[14..17].parse().unwrap();
            assert!((1..=998).contains(&seq));
            assert_eq!(seq % 2 == 1, sex == Sex::Male, "{id}");
            assert!(all.insert(id));
        }
        // 600 of each sex on one day: the first 499 get 360731, the rest overflow to 360702.
        assert_eq!(
            all.iter().filter(|i| i.starts_with("360702")).count(),
            2 * (600 - 499)
        );
    }

    #[test]
    fn known_check_characters() {
        // GB 11643 example 11010519491231002X, rebuilt from its parts.
        assert_eq!(
            build_id(110105, d(1949, 12, 31), 2).unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            build_id(440308, d(1999, 1, 10), 151).unwrap(),
            "440308199901101512"
        );
    }

    #[test]
    fn fifteen_digit_form_and_student_numbers() {
        assert_eq!(
            to_15("610104196209276908").as_deref(),
            Some("610104620927690")
        );
        assert_eq!(to_15("360731201101011234"), None);
        assert_eq!(l_number(360731, d(2016, 9, 3), 42), "L360731201609030042");
    }
}
