//! Roster approval (资助名单审核): each school confirms its roster for a term (学校确认), its
//! township reviews it (乡镇审核) or sends it back (退回), and the county approves the term and
//! locks it (县级审批锁定). A locked roster is never recomputed; a change after the lock is a new,
//! recorded adjustment. Separation of duties (不相容岗位分离): whoever computed the term or imported
//! its registry cannot approve it.

use crate::access::{Access, Duty, Role};
use crate::model::labelled_enum;

labelled_enum! {
    /// One step of a school's sign-off for a term.
    SignoffStep {
        /// The school confirms its roster (学校确认).
        Confirm = "confirm", "学校确认";
        /// The township has reviewed it (乡镇审核通过).
        Review = "review", "乡镇审核通过";
        /// The township (or county) sends it back to the school (退回).
        Return = "return", "退回学校";
    }
}

/// Where a school's roster of a term stands, from its latest step and the run it was taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchoolStatus {
    /// Nothing yet, or the term was recomputed after the last step (the roster changed).
    Pending,
    Confirmed,
    Reviewed,
    Returned,
}

impl SchoolStatus {
    /// The status of a school whose latest step was `latest` (step, run id), when the term's
    /// current run is `run`: a step taken on an earlier run no longer counts.
    pub fn of(latest: Option<(SignoffStep, i64)>, run: i64) -> SchoolStatus {
        match latest {
            Some((step, on)) if on == run => match step {
                SignoffStep::Confirm => SchoolStatus::Confirmed,
                SignoffStep::Review => SchoolStatus::Reviewed,
                SignoffStep::Return => SchoolStatus::Returned,
            },
            _ => SchoolStatus::Pending,
        }
    }

    /// The status as the API names it: pending, confirmed, reviewed, returned.
    pub fn key(self) -> &'static str {
        match self {
            SchoolStatus::Pending => "pending",
            SchoolStatus::Confirmed => "confirmed",
            SchoolStatus::Reviewed => "reviewed",
            SchoolStatus::Returned => "returned",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            SchoolStatus::Pending => "待学校确认",
            SchoolStatus::Confirmed => "学校已确认，待乡镇审核",
            SchoolStatus::Reviewed => "乡镇已审核",
            SchoolStatus::Returned => "已退回学校",
        }
    }
}

/// Why a sign-off or the lock is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("{role}不能进行“{step}”")]
    Role {
        role: &'static str,
        step: &'static str,
    },
    #[error("当前状态为“{status}”，不能进行“{step}”")]
    State {
        status: &'static str,
        step: &'static str,
    },
    #[error("退回须说明原因")]
    ReasonMissing,
    #[error("{0}")]
    Note(String),
    #[error("不相容岗位：{who}计算或导入了本学期的名单，不能审批（须由另一名县级管理员审批）")]
    MakerChecker { who: String },
    #[error("还有 {0} 所学校的名单未经乡镇审核，不能审批锁定")]
    NotReviewed(usize),
    #[error("本学期尚未计算资助名单")]
    NotComputed,
    #[error("本学期资助名单已审批锁定")]
    Locked,
}

/// Longest note of a sign-off or a lock, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// Checks a step on a school's roster by `who`, from `status`; `note` is the reason of a return.
pub fn check_step(
    who: &Access,
    step: SignoffStep,
    status: SchoolStatus,
    note: &str,
) -> Result<(), ApprovalError> {
    let role_ok = match step {
        SignoffStep::Confirm => who.role == Role::SchoolOfficer,
        SignoffStep::Review => who.role == Role::TownshipOfficer,
        SignoffStep::Return => who.role == Role::TownshipOfficer || who.may(Duty::ApproveRoster),
    };
    if !role_ok {
        return Err(ApprovalError::Role {
            role: who.role.zh(),
            step: step.zh(),
        });
    }
    let from_ok = match step {
        SignoffStep::Confirm => matches!(status, SchoolStatus::Pending | SchoolStatus::Returned),
        SignoffStep::Review => status == SchoolStatus::Confirmed,
        SignoffStep::Return => matches!(status, SchoolStatus::Confirmed | SchoolStatus::Reviewed),
    };
    if !from_ok {
        return Err(ApprovalError::State {
            status: status.zh(),
            step: step.zh(),
        });
    }
    if step == SignoffStep::Return && note.trim().is_empty() {
        return Err(ApprovalError::ReasonMissing);
    }
    crate::text::check_typed("审核意见", note, MAX_NOTE_CHARS).map_err(ApprovalError::Note)?;
    Ok(())
}

/// Checks the county's approval and lock of a term by `approver`: a county administrator who
/// neither computed the current run (`run_actor`) nor imported the term's registry
/// (`import_actors`), with every school's roster reviewed (`unreviewed` = 0).
pub fn check_lock(
    approver: &Access,
    approver_name: &str,
    run_actor: &str,
    import_actors: &[String],
    unreviewed: usize,
) -> Result<(), ApprovalError> {
    if !approver.may(Duty::ApproveRoster) {
        return Err(ApprovalError::Role {
            role: approver.role.zh(),
            step: "审批锁定",
        });
    }
    if approver_name == run_actor || import_actors.iter().any(|a| a == approver_name) {
        return Err(ApprovalError::MakerChecker {
            who: approver_name.to_string(),
        });
    }
    if unreviewed > 0 {
        return Err(ApprovalError::NotReviewed(unreviewed));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school() -> Access {
        Access::new(Role::SchoolOfficer, None, Some("1")).expect("school")
    }
    fn town() -> Access {
        Access::new(Role::TownshipOfficer, Some("甲镇"), None).expect("town")
    }
    fn county() -> Access {
        Access::new(Role::CountyAdmin, None, None).expect("county")
    }

    #[test]
    fn a_roster_goes_school_then_township() {
        use SchoolStatus as S;
        assert_eq!(
            check_step(&school(), SignoffStep::Confirm, S::Pending, ""),
            Ok(())
        );
        assert!(check_step(&town(), SignoffStep::Confirm, S::Pending, "").is_err());
        assert!(check_step(&town(), SignoffStep::Review, S::Pending, "").is_err());
        assert_eq!(
            check_step(&town(), SignoffStep::Review, S::Confirmed, ""),
            Ok(())
        );
        assert!(check_step(&school(), SignoffStep::Review, S::Confirmed, "").is_err());
        assert_eq!(
            check_step(&town(), SignoffStep::Return, S::Confirmed, " "),
            Err(ApprovalError::ReasonMissing)
        );
        assert_eq!(
            check_step(&town(), SignoffStep::Return, S::Reviewed, "金额有误"),
            Ok(())
        );
        assert_eq!(
            check_step(&school(), SignoffStep::Confirm, S::Returned, ""),
            Ok(())
        );
        assert!(check_step(&school(), SignoffStep::Confirm, S::Confirmed, "").is_err());
    }

    #[test]
    fn a_recompute_voids_earlier_steps() {
        assert_eq!(
            SchoolStatus::of(Some((SignoffStep::Review, 7)), 7),
            SchoolStatus::Reviewed
        );
        assert_eq!(
            SchoolStatus::of(Some((SignoffStep::Review, 6)), 7),
            SchoolStatus::Pending
        );
        assert_eq!(SchoolStatus::of(None, 7), SchoolStatus::Pending);
    }

    #[test]
    fn who_computed_or_imported_cannot_approve() {
        let imports = vec!["clerk".to_string()];
        assert_eq!(
            check_lock(&county(), "chief", "clerk2", &imports, 0),
            Ok(())
        );
        assert!(matches!(
            check_lock(&county(), "clerk2", "clerk2", &imports, 0),
            Err(ApprovalError::MakerChecker { .. })
        ));
        assert!(matches!(
            check_lock(&county(), "clerk", "clerk2", &imports, 0),
            Err(ApprovalError::MakerChecker { .. })
        ));
        assert_eq!(
            check_lock(&county(), "chief", "clerk2", &imports, 3),
            Err(ApprovalError::NotReviewed(3))
        );
        assert!(check_lock(&town(), "chief", "clerk2", &imports, 0).is_err());
    }
}
