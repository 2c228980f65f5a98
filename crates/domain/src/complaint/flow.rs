//! A ticket's owner and the moves between its states (工单流转). Every move is checked here, so
//! the CLI, the web pages and the API refuse the same moves with the same Chinese message.
//!
//! ```text
//! received ─assign→ assigned ─start→ in_progress ─resolve→ resolved ─close→ closed (final)
//!    └──────────start──────────────────↑  ↑                    │
//!   (assign again from assigned or in_progress)                 └─reopen→ in_progress
//! ```

use super::ComplaintState;
use crate::dropout::UserLevel;
use std::fmt;

/// The unit that owns a ticket (承办单位): the county, a township, or a school. A ticket is
/// lodged with the student's school as its owner (以校为主, as dropout cases are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// 县教体局 / 县学生资助管理中心.
    County,
    /// A township (乡镇（中心学校）) by its name as the school list gives it.
    Township(String),
    /// A school by its 学校标识码, with the township the school list gives it.
    School { code: String, township: String },
}

impl Owner {
    /// The owner's level.
    pub fn level(&self) -> UserLevel {
        match self {
            Owner::County => UserLevel::County,
            Owner::Township(_) => UserLevel::Township,
            Owner::School { .. } => UserLevel::School,
        }
    }

    /// The unit's key: a school code, a township's name, empty for the county.
    pub fn unit(&self) -> &str {
        match self {
            Owner::County => "",
            Owner::Township(t) => t,
            Owner::School { code, .. } => code,
        }
    }

    /// The township the owner is in (empty for the county).
    pub fn township(&self) -> &str {
        match self {
            Owner::County => "",
            Owner::Township(t) | Owner::School { township: t, .. } => t,
        }
    }

    /// An owner as a user types it: `county`, `township:甲镇`, or a school's 10-digit 学校标识码
    /// (its township is left empty, for the store to read from the school list).
    ///
    /// Errors: the Chinese message for anything else.
    pub fn parse_typed(s: &str) -> Result<Owner, String> {
        let s = s.trim();
        if s == "county" || s == "县级" {
            return Ok(Owner::County);
        }
        if let Some(t) = s
            .strip_prefix("township:")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            return Ok(Owner::Township(t.to_string()));
        }
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Owner::School {
                code: s.to_string(),
                township: String::new(),
            });
        }
        Err(format!(
            "承办单位应为 10 位学校标识码、township:乡镇名 或 county，实为“{s}”"
        ))
    }

    /// In words: 县级, 乡镇 甲镇, 学校 3607310001.
    pub fn zh(&self) -> String {
        match self {
            Owner::County => "县级".into(),
            Owner::Township(t) => format!("乡镇 {t}"),
            Owner::School { code, .. } => format!("学校 {code}"),
        }
    }
}

/// Who acts on a ticket: the level of the user and the unit (a school code, a township's
/// name, empty for the county).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    pub level: UserLevel,
    pub unit: String,
}

/// What a ticket is checked against: its state, where the student was when it was lodged
/// (school and township), and its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub state: ComplaintState,
    pub school_code: String,
    pub township: String,
    pub owner: Owner,
}

/// A move of a ticket (工单流转).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Hand the ticket to an owner (交办), county or township.
    Assign { owner: Owner },
    /// The owner starts working on it (开始办理).
    Start,
    /// The owner says what was done (办结); the note is required.
    Resolve,
    /// The county closes it (结案); final.
    Close,
    /// The complainant is not satisfied (不满意，重新办理): back to in progress; the note says
    /// why. The deadline stays the one set at lodging.
    Reopen,
}

/// Every move key, in workflow order, with its Chinese name.
pub const TRANSITIONS: &[(&str, &str)] = &[
    ("assign", "交办"),
    ("start", "开始办理"),
    ("resolve", "办结"),
    ("close", "结案"),
    ("reopen", "重新办理"),
];

/// The Chinese of a history entry's kind: 受理登记 for `lodge`, else the move's name.
pub fn entry_zh(kind: &str) -> &'static str {
    if kind == "lodge" {
        "受理登记"
    } else {
        transition_zh(kind)
    }
}

fn transition_zh(key: &str) -> &'static str {
    TRANSITIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("变更状态", |(_, zh)| zh)
}

impl Transition {
    /// Stable English key (`zizhu complaint start ID`, the API's `transition`).
    pub fn key(&self) -> &'static str {
        match self {
            Transition::Assign { .. } => "assign",
            Transition::Start => "start",
            Transition::Resolve => "resolve",
            Transition::Close => "close",
            Transition::Reopen => "reopen",
        }
    }

    /// The move in Chinese.
    pub fn zh(&self) -> &'static str {
        transition_zh(self.key())
    }

    /// The state it leads to.
    pub fn to(&self) -> ComplaintState {
        match self {
            Transition::Assign { .. } => ComplaintState::Assigned,
            Transition::Start | Transition::Reopen => ComplaintState::InProgress,
            Transition::Resolve => ComplaintState::Resolved,
            Transition::Close => ComplaintState::Closed,
        }
    }

    /// The states it may start from.
    pub fn starts_from(&self) -> &'static [ComplaintState] {
        use ComplaintState as S;
        match self {
            Transition::Assign { .. } => &[S::Received, S::Assigned, S::InProgress],
            Transition::Start => &[S::Received, S::Assigned],
            Transition::Resolve => &[S::InProgress],
            Transition::Close | Transition::Reopen => &[S::Resolved],
        }
    }
}

/// Keys of the moves that start from `state` (closed: none).
pub fn allowed_keys(state: ComplaintState) -> Vec<&'static str> {
    [
        Transition::Assign {
            owner: Owner::County,
        },
        Transition::Start,
        Transition::Resolve,
        Transition::Close,
        Transition::Reopen,
    ]
    .iter()
    .filter(|t| t.starts_from().contains(&state))
    .map(Transition::key)
    .collect()
}

/// Why a move was refused. `Display` is the Chinese message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The move does not start from the ticket's state.
    NotFromState {
        from: ComplaintState,
        tr: &'static str,
    },
    /// Closing is the county's.
    CountyOnly { tr: &'static str },
    /// A school does not hand tickets on.
    SchoolCannotAssign,
    /// A township hands tickets of its township to itself or its schools only.
    OutsideTownship,
    /// The user's unit neither owns the ticket nor has it in scope.
    NotYours,
    /// A required note is empty.
    Missing { what: &'static str },
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransitionError::NotFromState { from, tr } => {
                let next: Vec<String> = TRANSITIONS
                    .iter()
                    .filter(|(k, _)| allowed_keys(*from).contains(k))
                    .map(|(k, zh)| format!("{zh}（{k}）"))
                    .collect();
                write!(
                    f,
                    "工单当前状态为“{}”，不能{}",
                    from.zh(),
                    transition_zh(tr)
                )?;
                if next.is_empty() {
                    write!(f, "；已结案的工单不能再变更")
                } else {
                    write!(f, "；此状态下可以：{}", next.join("、"))
                }
            }
            TransitionError::CountyOnly { tr } => {
                write!(f, "{}只能由县级用户操作", transition_zh(tr))
            }
            TransitionError::SchoolCannotAssign => write!(f, "交办只能由县级或乡镇用户操作"),
            TransitionError::OutsideTownship => {
                write!(f, "乡镇只能把本乡镇的工单交给本乡镇或本乡镇的学校办理")
            }
            TransitionError::NotYours => {
                write!(f, "该工单不由本单位承办，也不在本单位的范围内")
            }
            TransitionError::Missing { what } => write!(f, "请填写{what}"),
        }
    }
}

impl std::error::Error for TransitionError {}

/// May `by` work on the ticket (start, resolve, record a complainant's dissatisfaction)? The
/// county any; a township the tickets about students of its township or owned by it; a school
/// the tickets it owns.
fn may_work(t: &TicketFacts, by: &Handler) -> bool {
    match by.level {
        UserLevel::County => true,
        UserLevel::Township => t.township == by.unit || t.owner.township() == by.unit,
        UserLevel::School => matches!(&t.owner, Owner::School { code, .. } if *code == by.unit),
    }
}

/// Checks move `tr` of ticket `t` by `by` with `note`; returns the new state.
///
/// Errors: [`TransitionError`], whose message says what is wrong and what the state allows.
pub fn check_transition(
    t: &TicketFacts,
    tr: &Transition,
    by: &Handler,
    note: &str,
) -> Result<ComplaintState, TransitionError> {
    if !tr.starts_from().contains(&t.state) {
        return Err(TransitionError::NotFromState {
            from: t.state,
            tr: tr.key(),
        });
    }
    match tr {
        Transition::Close => {
            if by.level != UserLevel::County {
                return Err(TransitionError::CountyOnly { tr: tr.key() });
            }
        }
        Transition::Assign { owner } => match by.level {
            UserLevel::County => {}
            UserLevel::School => return Err(TransitionError::SchoolCannotAssign),
            UserLevel::Township => {
                if !may_work(t, by) {
                    return Err(TransitionError::NotYours);
                }
                if owner.level() == UserLevel::County || owner.township() != by.unit {
                    return Err(TransitionError::OutsideTownship);
                }
            }
        },
        Transition::Start | Transition::Resolve | Transition::Reopen => {
            if !may_work(t, by) {
                return Err(TransitionError::NotYours);
            }
        }
    }
    let needs = match tr {
        Transition::Resolve => Some("办理结果"),
        Transition::Reopen => Some("不满意的原因"),
        _ => None,
    };
    if let Some(what) = needs {
        if crate::text::is_blank(note) {
            return Err(TransitionError::Missing { what });
        }
    }
    Ok(tr.to())
}
