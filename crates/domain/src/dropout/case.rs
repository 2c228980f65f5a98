//! A dropout case (一生一案) and the moves between its states. Every move is checked here, so
//! the CLI, the web pages and the tests refuse the same impossible transitions with the same
//! Chinese message.
//!
//! ```text
//! suspected ─verify→ verifying ─not_dropout→ not_dropout ──────────────close→ closed
//!                          └─confirm→ confirmed ─persuade→ persuading ─return→ returned ─close→ closed
//!                                        └───────┴─home_teaching→ home_teaching ─close→ closed
//!                                                                (home_teaching ─return→ returned)
//! closed ─reopen→ verifying
//! ```

use super::DropoutRules;
use crate::model::labelled_enum;
use chrono::{Days, NaiveDate};
use std::fmt;

labelled_enum! {
    /// State of a case (案件状态).
    CaseState {
        /// Found by a scan, not yet looked into (疑似失学辍学).
        Suspected = "suspected", "疑似辍学";
        /// The responsible school is checking (核查中).
        Verifying = "verifying", "核查中";
        /// Verified as not out of school, awaiting the county's closing (核实非辍学).
        NotDropout = "not_dropout", "核实非辍学";
        /// Verified as out of school (确认辍学).
        Confirmed = "confirmed", "确认辍学";
        /// Being persuaded to return (劝返中).
        Persuading = "persuading", "劝返中";
        /// Back at school, monitored for a period (已复学，跟踪中).
        Returned = "returned", "已复学（跟踪中）";
        /// Cannot attend for physical reasons; taught at home under a plan (送教上门).
        HomeTeaching = "home_teaching", "送教上门";
        /// Closed by the county (已销号).
        Closed = "closed", "已销号";
    }
}

labelled_enum! {
    /// Why a suspect is not a dropout (核实非辍学原因).
    NotDropoutReason {
        StudyingElsewhere = "studying_elsewhere", "在县外就读";
        Enrolled = "enrolled", "已在本县学校就读";
        MovedAway = "moved_away", "已迁出本县";
        Deceased = "deceased", "已死亡";
        PastCompulsoryAge = "past_compulsory_age", "已超过义务教育年龄";
        Completed = "completed", "已完成义务教育";
        Other = "other", "其他（见核查说明）";
    }
}

labelled_enum! {
    /// The level of a user (用户层级): a school may follow its cases, a township all of its
    /// schools', the county every case; only the county closes and reopens.
    UserLevel {
        School = "school", "学校";
        Township = "township", "乡镇";
        County = "county", "县级";
    }
}

/// A move of a case to another state (状态变更), with what the move records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Start verifying a suspect (开始核查).
    Verify,
    /// Verified as not a dropout: why, and the evidence (证明材料); the school's name when the
    /// child studies elsewhere.
    NotDropout {
        reason: NotDropoutReason,
        evidence: String,
        school: Option<String>,
    },
    /// Verified as out of school (确认辍学).
    Confirm,
    /// Start persuading the family (开始劝返); also a returned child who left school again while
    /// monitored (复学后再次辍学): the return is then cleared from the case (its event stays).
    Persuade,
    /// Back at school (复学): which school, from which day.
    Return { school: String, on: NaiveDate },
    /// Home-delivered teaching under an individual plan (一人一案): teacher, how often, what.
    HomeTeaching {
        teacher: String,
        frequency: String,
        content: String,
    },
    /// Close the case (销号), county only, with a reason.
    Close { reason: String },
    /// Reopen a closed case (重新核查), county only, with a reason.
    Reopen { reason: String },
}

impl Move {
    /// Stable English key (`zizhu case move ID KEY`).
    pub fn key(&self) -> &'static str {
        match self {
            Move::Verify => "verify",
            Move::NotDropout { .. } => "not_dropout",
            Move::Confirm => "confirm",
            Move::Persuade => "persuade",
            Move::Return { .. } => "return",
            Move::HomeTeaching { .. } => "home_teaching",
            Move::Close { .. } => "close",
            Move::Reopen { .. } => "reopen",
        }
    }

    /// What the move does, in Chinese.
    pub fn zh(&self) -> &'static str {
        move_zh(self.key())
    }

    /// What the move records, in Chinese, for the case's history (案件记录): the verification
    /// with its evidence, the return, the plan, the reason for closing or reopening. A later
    /// reopening clears these from the case; the history keeps them.
    pub fn detail(&self) -> String {
        match self {
            Move::NotDropout {
                reason,
                evidence,
                school,
            } => {
                let mut s = format!("{}；证明材料：{}", reason.zh(), evidence.trim());
                if let Some(school) = school.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    s += &format!("；就读学校：{school}");
                }
                s
            }
            Move::Return { school, on } => {
                format!(
                    "复学学校 {}，复学日期 {}",
                    school.trim(),
                    on.format("%Y-%m-%d")
                )
            }
            Move::HomeTeaching {
                teacher,
                frequency,
                content,
            } => format!(
                "送教教师 {}，频次 {}，内容 {}",
                teacher.trim(),
                frequency.trim(),
                content.trim()
            ),
            Move::Close { reason } | Move::Reopen { reason } => reason.trim().to_string(),
            Move::Verify | Move::Confirm | Move::Persuade => String::new(),
        }
    }

    /// The state the move leads to.
    pub fn to(&self) -> CaseState {
        match self {
            Move::Verify | Move::Reopen { .. } => CaseState::Verifying,
            Move::NotDropout { .. } => CaseState::NotDropout,
            Move::Confirm => CaseState::Confirmed,
            Move::Persuade => CaseState::Persuading,
            Move::Return { .. } => CaseState::Returned,
            Move::HomeTeaching { .. } => CaseState::HomeTeaching,
            Move::Close { .. } => CaseState::Closed,
        }
    }

    /// The states it may start from.
    fn starts_from(&self) -> &'static [CaseState] {
        use CaseState as S;
        match self {
            Move::Verify => &[S::Suspected],
            Move::NotDropout { .. } | Move::Confirm => &[S::Verifying],
            Move::Persuade => &[S::Confirmed, S::Returned],
            Move::Return { .. } => &[S::Confirmed, S::Persuading, S::HomeTeaching],
            Move::HomeTeaching { .. } => &[S::Confirmed, S::Persuading],
            Move::Close { .. } => &[S::NotDropout, S::Returned, S::HomeTeaching],
            Move::Reopen { .. } => &[S::Closed],
        }
    }
}

/// Every move key, in workflow order, with its Chinese name.
pub const MOVES: &[(&str, &str)] = &[
    ("verify", "开始核查"),
    ("not_dropout", "核实为非辍学"),
    ("confirm", "确认辍学"),
    ("persuade", "开始劝返"),
    ("return", "登记复学"),
    ("home_teaching", "转为送教上门"),
    ("close", "销号"),
    ("reopen", "重新核查"),
];

fn move_zh(key: &str) -> &'static str {
    MOVES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("变更状态", |(_, zh)| zh)
}

/// What a move is checked against besides the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub state: CaseState,
    /// The day the child returned to school, when it did.
    pub returned_on: Option<NaiveDate>,
}

/// Why a move was refused. `Display` is the Chinese message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveError {
    /// The move does not start from the case's state.
    NotFromState { from: CaseState, mv: &'static str },
    /// Closing and reopening are the county's.
    CountyOnly { mv: &'static str },
    /// A required detail is empty.
    Missing { what: &'static str },
    /// The child returned less than the monitoring period ago.
    MonitoringNotOver { until: NaiveDate },
    /// A date after the day of the move.
    DateInFuture { what: &'static str, date: NaiveDate },
}

impl fmt::Display for MoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoveError::NotFromState { from, mv } => {
                let next: Vec<String> = MOVES
                    .iter()
                    .filter(|(k, _)| allowed_keys(*from).contains(k))
                    .map(|(k, zh)| format!("{zh}（{k}）"))
                    .collect();
                write!(f, "案件当前状态为“{}”，不能{}", from.zh(), move_zh(mv))?;
                if next.is_empty() {
                    Ok(())
                } else {
                    write!(f, "；此状态下可以：{}", next.join("、"))
                }
            }
            MoveError::CountyOnly { mv } => {
                write!(f, "{}只能由县级用户操作", move_zh(mv))
            }
            MoveError::Missing { what } => write!(f, "请填写{what}"),
            MoveError::MonitoringNotOver { until } => write!(
                f,
                "复学后的跟踪期未满（至 {} 止），期满后才能销号",
                until.format("%Y-%m-%d")
            ),
            MoveError::DateInFuture { what, date } => {
                write!(f, "{what}（{}）晚于操作日期", date.format("%Y-%m-%d"))
            }
        }
    }
}

impl std::error::Error for MoveError {}

/// Keys of the moves that start from `state`.
pub fn allowed_keys(state: CaseState) -> Vec<&'static str> {
    let samples = [
        Move::Verify,
        Move::NotDropout {
            reason: NotDropoutReason::Other,
            evidence: String::new(),
            school: None,
        },
        Move::Confirm,
        Move::Persuade,
        Move::Return {
            school: String::new(),
            on: NaiveDate::MIN,
        },
        Move::HomeTeaching {
            teacher: String::new(),
            frequency: String::new(),
            content: String::new(),
        },
        Move::Close {
            reason: String::new(),
        },
        Move::Reopen {
            reason: String::new(),
        },
    ];
    samples
        .iter()
        .filter(|m| m.starts_from().contains(&state))
        .map(Move::key)
        .collect()
}

fn required(value: &str, what: &'static str) -> Result<(), MoveError> {
    if crate::text::is_blank(value) {
        Err(MoveError::Missing { what })
    } else {
        Ok(())
    }
}

/// Checks `mv` of a case by a user of `level` on day `on`; returns the new state.
///
/// Errors: [`MoveError`], whose message says what is wrong and what the state allows.
pub fn check_move(
    case: CaseFacts,
    mv: &Move,
    level: UserLevel,
    on: NaiveDate,
    rules: &DropoutRules,
) -> Result<CaseState, MoveError> {
    if !mv.starts_from().contains(&case.state) {
        return Err(MoveError::NotFromState {
            from: case.state,
            mv: mv.key(),
        });
    }
    match mv {
        Move::Verify | Move::Confirm | Move::Persuade => {}
        Move::NotDropout {
            reason,
            evidence,
            school,
        } => {
            required(evidence, "核查说明和证明材料")?;
            if *reason == NotDropoutReason::StudyingElsewhere {
                required(school.as_deref().unwrap_or(""), "就读学校名称")?;
            }
        }
        Move::Return { school, on: back } => {
            required(school, "复学学校")?;
            if *back > on {
                return Err(MoveError::DateInFuture {
                    what: "复学日期",
                    date: *back,
                });
            }
        }
        Move::HomeTeaching {
            teacher,
            frequency,
            content,
        } => {
            required(teacher, "送教教师")?;
            required(frequency, "送教频次")?;
            required(content, "送教内容")?;
        }
        Move::Close { reason } | Move::Reopen { reason } => {
            if level != UserLevel::County {
                return Err(MoveError::CountyOnly { mv: mv.key() });
            }
            required(reason, "原因")?;
            if let (Move::Close { .. }, CaseState::Returned, Some(back)) =
                (mv, case.state, case.returned_on)
            {
                let until = back
                    .checked_add_days(Days::new(u64::from(rules.monitor_days)))
                    .unwrap_or(NaiveDate::MAX);
                if on < until {
                    return Err(MoveError::MonitoringNotOver { until });
                }
            }
        }
    }
    Ok(mv.to())
}

#[cfg(test)]
mod tests;
