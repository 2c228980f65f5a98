//! Normal-school targeted admission (师范“三定向”录取优惠, policy 三(二)): for a registered-poor
//! fresh graduate whose household registration is in the county, a category's admission line is
//! its minimum control line lowered by a number of points (20 in 2023), but never below the floor
//! the provincial admissions committee sets as a proportion of the total score of the high-school
//! admission subjects. Pure computation: the lines, the floor rule and the applicants come from
//! the lists; the points from the policy file.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A 中考 score, in tenths of a point (scores may have halves; no float).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Score(pub i64);

impl Score {
    /// Parses `612`, `612.5` or `612.50` (at most one significant decimal: `612.25` is refused,
    /// as no subject is marked in quarters); `None` for anything else, negatives included.
    pub fn parse(s: &str) -> Option<Score> {
        let s = s.trim();
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f.trim_end_matches('0')),
            None => (s, ""),
        };
        if int.is_empty() || int.len() > 5 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if frac.len() > 1 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = int.parse().ok()?;
        let tenth: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        Some(Score(whole * 10 + tenth))
    }

    /// Whole points.
    pub fn points(p: i64) -> Score {
        Score(p * 10)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.abs();
        if a % 10 == 0 {
            write!(f, "{sign}{}", a / 10)
        } else {
            write!(f, "{sign}{}.{}", a / 10, a % 10)
        }
    }
}

/// The provincial floor (不低于省中招委规定的分数): given as a score, or as a proportion of the
/// total score of the high-school admission subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Floor {
    Given(Score),
    /// `percent_bp` in basis points of a percent's hundredth (60 % = 6000), of `total`.
    Proportion {
        percent_bp: i64,
        total: Score,
    },
}

impl Floor {
    /// The floor as a score, rounded up to a tenth of a point: an applicant must reach at least
    /// the proportion (never a tenth below it).
    pub fn score(self) -> Score {
        match self {
            Floor::Given(s) => s,
            Floor::Proportion { percent_bp, total } => {
                let num = total.0.saturating_mul(percent_bp);
                Score((num + 9_999).div_euclid(10_000))
            }
        }
    }
}

/// Parses a percent such as `60`, `60%`, `62.5%` or `0.6` (a number below 1 written without `%`
/// is read as a fraction) into hundredths of a percent (60 % = 6000); `None` when it is not a
/// number from 0 to 100 % with at most two decimals of a percent.
pub fn parse_percent(s: &str) -> Option<i64> {
    let t = s.trim();
    let has_sign = t.ends_with(['%', '％']);
    let t = t.trim_end_matches(['%', '％']).trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let frac = frac.trim_end_matches('0');
    if int.is_empty() || int.len() > 3 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 4 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    let part: i64 = format!("{frac:0<4}").parse().ok()?;
    // The written number, times 10,000.
    let v = whole * 10_000 + part;
    let bp = if !has_sign && whole == 0 {
        v
    } else if v % 100 == 0 {
        v / 100
    } else {
        return None;
    };
    (0..=10_000).contains(&bp).then_some(bp)
}

/// One category's line of a year (各类专业录取最低控制分数线) and its floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLine {
    pub year: i32,
    /// The "三定向" category (e.g. 小学全科教师), as the admissions office names it.
    pub category: String,
    pub control_line: Score,
    pub floor: Floor,
}

/// The lowered line: the control line less `lowering`, not below the floor. Returns the line and
/// whether the floor bound it.
pub fn lowered_line(line: &CategoryLine, lowering: Score) -> (Score, bool) {
    let lowered = Score(line.control_line.0 - lowering.0);
    let floor = line.floor.score();
    if lowered < floor {
        // A floor above the control line itself cannot raise the line above it.
        (floor.min(line.control_line), true)
    } else {
        (lowered, false)
    }
}

/// An applicant to the "三定向" plan (报考师范定向类考生).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub year: i32,
    pub id_number: String,
    pub name: String,
    pub category: String,
    pub score: Score,
    /// 应届 (graduating this year).
    pub fresh_graduate: bool,
    /// Household registration in the county (户籍为生源所在县).
    pub hukou_in_county: bool,
}

/// Why an applicant does not get the lowered line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotEligible {
    /// Not a member of a registered-poor household (建档立卡).
    NotRegisteredPoor,
    /// Not a fresh graduate (非应届).
    NotFreshGraduate,
    /// Household registered outside the county.
    HukouElsewhere,
}

impl NotEligible {
    pub fn zh(self) -> &'static str {
        match self {
            NotEligible::NotRegisteredPoor => "非建档立卡贫困家庭学生",
            NotEligible::NotFreshGraduate => "非应届考生",
            NotEligible::HukouElsewhere => "户籍不在本县",
        }
    }
}

/// An applicant's result under the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub control_line: Score,
    /// The lowered line when the applicant is eligible for it.
    pub lowered_line: Option<Score>,
    /// The floor bound the lowered line.
    pub floor_binding: bool,
    /// Reaches the control line.
    pub qualifies_normally: bool,
    /// Reaches the line that applies to them (lowered when eligible).
    pub qualifies: bool,
    /// Qualifies only because of the lowered line (the policy's effect).
    pub only_by_lowering: bool,
    /// Why the lowered line does not apply (empty when it does).
    pub not_eligible: Vec<NotEligible>,
}

/// Decides one applicant against their category's line (三(二)): exactly on a line qualifies.
pub fn decide(
    a: &Applicant,
    line: &CategoryLine,
    lowering: Score,
    registered_poor: bool,
) -> Decision {
    let mut not_eligible = Vec::new();
    if !registered_poor {
        not_eligible.push(NotEligible::NotRegisteredPoor);
    }
    if !a.fresh_graduate {
        not_eligible.push(NotEligible::NotFreshGraduate);
    }
    if !a.hukou_in_county {
        not_eligible.push(NotEligible::HukouElsewhere);
    }
    let normally = a.score >= line.control_line;
    let (lowered, floor_binding) = if not_eligible.is_empty() {
        let (l, b) = lowered_line(line, lowering);
        (Some(l), b)
    } else {
        (None, false)
    };
    let qualifies = normally || lowered.is_some_and(|l| a.score >= l);
    Decision {
        control_line: line.control_line,
        lowered_line: lowered,
        floor_binding,
        qualifies_normally: normally,
        qualifies,
        only_by_lowering: qualifies && !normally,
        not_eligible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(control: &str, floor: Floor) -> CategoryLine {
        CategoryLine {
            year: 2023,
            category: "小学全科教师".into(),
            control_line: Score::parse(control).unwrap(),
            floor,
        }
    }

    fn applicant(score: &str) -> Applicant {
        Applicant {
            year: 2023,
            id_number: "360731200801010011".into(),
            name: "测试考生".into(),
            category: "小学全科教师".into(),
            score: Score::parse(score).unwrap(),
            fresh_graduate: true,
            hukou_in_county: true,
        }
    }

    #[test]
    fn scores_parse_in_tenths_and_print_back() {
        assert_eq!(Score::parse("612"), Some(Score(6120)));
        assert_eq!(Score::parse(" 612.5 "), Some(Score(6125)));
        assert_eq!(Score::parse("612.50"), Some(Score(6125)));
        for bad in ["", "-1", "612.25", "abc", "6e2", "1.2.3", "123456"] {
            assert_eq!(Score::parse(bad), None, "{bad}");
        }
        assert_eq!(Score(6125).to_string(), "612.5");
        assert_eq!(Score(6120).to_string(), "612");
    }

    #[test]
    fn percents_are_read_as_written() {
        assert_eq!(parse_percent("60"), Some(6000));
        assert_eq!(parse_percent("60%"), Some(6000));
        assert_eq!(parse_percent("62.5％"), Some(6250));
        assert_eq!(parse_percent("0.6"), Some(6000));
        assert_eq!(parse_percent("0.625"), Some(6250));
        for bad in ["", "120", "-5", "x%", "60.123456"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
    }

    /// 三(二): the line is the control line less 20 points (530 → 510); an applicant exactly on
    /// 510 qualifies, only because of the lowering; 509.5 does not.
    #[test]
    fn clause_3_2_lowered_by_20_points_exactly_on_the_line() {
        let l = line("530", Floor::Given(Score::points(480)));
        let twenty = Score::points(20);
        let d = decide(&applicant("510"), &l, twenty, true);
        assert_eq!(d.lowered_line, Some(Score::points(510)));
        assert!(d.qualifies && d.only_by_lowering && !d.floor_binding);
        let d = decide(&applicant("509.5"), &l, twenty, true);
        assert!(!d.qualifies);
        // On the control line itself: qualifies normally, not because of the policy.
        let d = decide(&applicant("530"), &l, twenty, true);
        assert!(d.qualifies_normally && !d.only_by_lowering);
    }

    /// 三(二) "不低于省中招委规定的…分数": 60 % of 800 = 480; a control line of 495 lowered by 20
    /// would be 475, so the floor binds at 480; 480 qualifies, 479.5 does not.
    #[test]
    fn clause_3_2_the_provincial_floor_binds() {
        let floor = Floor::Proportion {
            percent_bp: 6000,
            total: Score::points(800),
        };
        assert_eq!(floor.score(), Score::points(480));
        let l = line("495", floor);
        let d = decide(&applicant("480"), &l, Score::points(20), true);
        assert_eq!(d.lowered_line, Some(Score::points(480)));
        assert!(d.floor_binding && d.qualifies && d.only_by_lowering);
        assert!(!decide(&applicant("479.5"), &l, Score::points(20), true).qualifies);
        // A proportion that is not whole tenths is rounded up: 62.55 % of 750 = 469.125 → 469.2.
        let odd = Floor::Proportion {
            percent_bp: 6255,
            total: Score::points(750),
        };
        assert_eq!(odd.score(), Score(4692));
    }

    /// Each condition of 三(二) is needed: 建档立卡, 应届, 户籍在本县.
    #[test]
    fn clause_3_2_only_registered_poor_fresh_graduates_of_the_county() {
        let l = line("530", Floor::Given(Score::points(480)));
        let twenty = Score::points(20);
        let d = decide(&applicant("515"), &l, twenty, false);
        assert_eq!(d.not_eligible, vec![NotEligible::NotRegisteredPoor]);
        assert!(!d.qualifies && d.lowered_line.is_none());
        let mut repeat = applicant("515");
        repeat.fresh_graduate = false;
        repeat.hukou_in_county = false;
        let d = decide(&repeat, &l, twenty, true);
        assert_eq!(
            d.not_eligible,
            vec![NotEligible::NotFreshGraduate, NotEligible::HukouElsewhere]
        );
        assert!(!d.qualifies);
    }
}
