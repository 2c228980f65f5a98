//! Dropout control (控辍保学, policy clause 二(二)): who is of compulsory school age, why a child
//! is suspected of being out of school, the groups that need special attention, and the
//! one-student-one-file case (一生一案) with its states, moves and deadlines. Pure: the scan
//! that finds suspects lives in the app layer, the ledger in the store.

mod case;
mod deadline;

pub use case::{
    allowed_keys, check_move, CaseFacts, CaseState, Move, MoveError, NotDropoutReason, UserLevel,
    MOVES,
};
pub use deadline::{overdue, CaseClock, Overdue, OverdueKind};

use crate::model::labelled_enum;
use chrono::{Datelike, Days, NaiveDate};

labelled_enum! {
    /// Why a child is on the suspect list (疑似失学辍学原因), from the comparisons of 四查三比对.
    SuspectReason {
        /// Of compulsory age in the household registration, in no school's registry (适龄未入学).
        NeverEnrolled = "never_enrolled", "适龄未入学（户籍有、学籍无）";
        /// The registry says 辍学.
        StatusDroppedOut = "status_dropped_out", "学籍状态为辍学";
        /// 休学 for longer than the policy allows.
        SuspendedTooLong = "suspended_too_long", "休学超过期限";
        /// 转出 and enrolled at no school of the county since.
        TransferredUnreceived = "transferred_unreceived", "转出后无接收学校";
        /// Enrolled, but not on the school's own return of who is in school (学籍有、在校无).
        AbsentFromAttendance = "absent_from_attendance", "学籍在读但不在在校学生名单";
        /// Of compulsory age, graduated from primary school and enrolled nowhere since
        /// (小学毕业未升入初中, the 小升初 gap).
        GraduatedNotPromoted = "graduated_not_promoted", "小学毕业后未升入初中";
    }
}

labelled_enum! {
    /// Groups that need special attention (重点关注群体).
    AttentionGroup {
        PoorFamily = "poor_family", "脱贫家庭（建档立卡）";
        Orphan = "orphan", "孤儿";
        Unsupported = "unsupported", "事实无人抚养儿童";
        Disabled = "disabled", "残疾儿童";
        LeftBehind = "left_behind", "留守儿童";
        Hardship = "hardship", "困境儿童";
        Migrant = "migrant", "随迁子女";
    }
}

labelled_enum! {
    /// What a responsible person did for a case (帮扶措施), recorded with a date.
    ActionKind {
        HomeVisit = "home_visit", "家访";
        PhoneCall = "phone_call", "电话联系";
        Persuasion = "persuasion", "劝返";
        Placement = "placement", "安置入学";
        HomeTeachingSession = "home_teaching_session", "送教上门";
        Note = "note", "情况记录";
    }
}

/// The dropout-control parameters of the policy file (`[dropout]`), every one a number the
/// county may change: compulsory age, and the time limits of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropoutRules {
    /// Age in full years a child must have reached by the cut-off day to start primary school (6).
    pub entry_age: u32,
    /// The cut-off day (month, day) of each year, by which the entry age counts (8 月 31 日); the
    /// school year starts the day after.
    pub cutoff: (u32, u32),
    /// Years of compulsory education (9): a child is of compulsory age from `entry_age` to
    /// `entry_age + years - 1` full years on the cut-off day.
    pub years: u32,
    /// A suspect must be verified (核查) within this many days of the scan that found them.
    pub verify_days: u32,
    /// While a confirmed dropout is being persuaded, an action at least every this many days.
    pub action_days: u32,
    /// Home-delivered teaching (送教上门): a session at least every this many days.
    pub home_teaching_days: u32,
    /// A child who returned is monitored this many days before the case may be closed.
    pub monitor_days: u32,
    /// A case verified as not a dropout, or whose monitoring ended, is closed by the county
    /// within this many days.
    pub close_days: u32,
    /// 休学 in this many consecutive terms (including the scanned one) makes a suspect.
    pub suspension_terms: u32,
}

impl DropoutRules {
    /// First day of the school year that contains `on`: the day after the cut-off.
    pub fn school_year_start(&self, on: NaiveDate) -> Option<NaiveDate> {
        let (m, d) = self.cutoff;
        let this = NaiveDate::from_ymd_opt(on.year(), m, d)?;
        let cutoff = if on > this {
            this
        } else {
            NaiveDate::from_ymd_opt(on.year() - 1, m, d)?
        };
        cutoff.checked_add_days(Days::new(1))
    }

    /// Full years of age on the cut-off day that starts the school year containing `on`.
    pub fn age_at_cutoff(&self, birth: NaiveDate, on: NaiveDate) -> Option<i32> {
        let cutoff = self.school_year_start(on)?.pred_opt()?;
        let mut age = cutoff.year() - birth.year();
        if (cutoff.month(), cutoff.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        Some(age)
    }

    /// The births of compulsory age in the school year containing `on`, as `YYYYMMDD` numbers:
    /// `(after, up_to)`, a child born `b` is of that age when `after < b <= up_to`. The same
    /// answer as [`Self::compulsory_age`], for comparing millions of ID numbers, whose digits
    /// 7–14 are the birth date (GB 11643-1999 §4.3).
    pub fn compulsory_births(&self, on: NaiveDate) -> Option<(u32, u32)> {
        let cutoff = self.school_year_start(on)?.pred_opt()?;
        let ymd = |years_back: u32| -> Option<u32> {
            let y = u32::try_from(cutoff.year()).ok()?.checked_sub(years_back)?;
            Some(y * 10_000 + cutoff.month() * 100 + cutoff.day())
        };
        Some((ymd(self.entry_age + self.years)?, ymd(self.entry_age)?))
    }

    /// Is a child born on `birth` of compulsory-education age (义务教育适龄) in the school year
    /// that contains `on`? With the county's rules: 6 full years by 31 August, for nine years.
    pub fn compulsory_age(&self, birth: NaiveDate, on: NaiveDate) -> bool {
        let Some(age) = self.age_at_cutoff(birth, on) else {
            return false;
        };
        let from = i64::from(self.entry_age);
        let to = from + i64::from(self.years) - 1;
        (from..=to).contains(&i64::from(age))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn rules() -> DropoutRules {
        DropoutRules {
            entry_age: 6,
            cutoff: (8, 31),
            years: 9,
            verify_days: 7,
            action_days: 30,
            home_teaching_days: 30,
            monitor_days: 120,
            close_days: 7,
            suspension_terms: 2,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    /// 6 full years by 31 August: a child born on 31 Aug 2017 starts in autumn 2023, one born
    /// a day later waits a year.
    #[test]
    fn compulsory_age_turning_six_on_the_cutoff() {
        let r = rules();
        let on = d(2023, 10, 1);
        assert!(r.compulsory_age(d(2017, 8, 31), on));
        assert!(!r.compulsory_age(d(2017, 9, 1), on));
        // On 31 August itself the previous school year still runs.
        assert!(!r.compulsory_age(d(2017, 8, 31), d(2023, 8, 31)));
        assert!(r.compulsory_age(d(2017, 8, 31), d(2023, 9, 1)));
    }

    /// Nine years: 14 on the cut-off day is the last year, 15 is past it.
    #[test]
    fn compulsory_age_upper_end() {
        let r = rules();
        let on = d(2023, 10, 1);
        assert!(r.compulsory_age(d(2008, 9, 1), on), "14 on 31 Aug 2023");
        assert!(!r.compulsory_age(d(2008, 8, 31), on), "15 on 31 Aug 2023");
        // Spring: the school year began the previous September.
        assert!(r.compulsory_age(d(2016, 8, 31), d(2023, 3, 1)));
        assert!(!r.compulsory_age(d(2016, 9, 1), d(2023, 3, 1)));
    }

    /// The number range gives the same answer as the date rule, every day of 25 years of births,
    /// on days around each cut-off (also a 28 February cut-off, which a leap-day birth crosses).
    #[test]
    fn birth_range_matches_the_rule() {
        for r in [
            rules(),
            DropoutRules {
                cutoff: (2, 28),
                entry_age: 7,
                ..rules()
            },
        ] {
            for on in [
                d(2023, 8, 31),
                d(2023, 9, 1),
                d(2024, 2, 28),
                d(2024, 2, 29),
                d(2024, 3, 1),
            ] {
                let (after, up_to) = r.compulsory_births(on).unwrap_or_default();
                let mut b = d(2000, 1, 1);
                while b < d(2025, 1, 1) {
                    let n = b.format("%Y%m%d").to_string().parse::<u32>().unwrap_or(0);
                    assert_eq!(
                        after < n && n <= up_to,
                        r.compulsory_age(b, on),
                        "{b} on {on}"
                    );
                    b = b.succ_opt().unwrap_or(b);
                }
            }
        }
    }

    /// The parameters are the county's: entry at 7 moves the boundary by a year.
    #[test]
    fn compulsory_age_follows_the_rules() {
        let r = DropoutRules {
            entry_age: 7,
            ..rules()
        };
        assert!(!r.compulsory_age(d(2017, 8, 31), d(2023, 10, 1)));
        assert!(r.compulsory_age(d(2016, 8, 31), d(2023, 10, 1)));
        // A leap-day birthday is reached on 1 March in a common year.
        assert_eq!(
            rules().age_at_cutoff(d(2016, 2, 29), d(2023, 10, 1)),
            Some(7)
        );
    }
}
