//! Who may see and do what (角色与权限), as `../shared/POLICY.md` lists the roles: the county sees
//! and does everything, a township officer one township, a school aid officer one school, an
//! auditor reads everything and changes nothing (四(三) 严格监督执纪).
//!
//! Every page, download and API call of the web application asks the same two questions here:
//! [`Access::sees_school`] (is this row in the user's scope?) and [`Access::may`] (may this role
//! do this?). Nothing else decides scope.

use crate::dropout::UserLevel;
use crate::model::labelled_enum;

labelled_enum! {
    /// A user's role (角色).
    Role {
        /// 县教体局 / 县学生资助管理中心: everything; loads lists, approves rosters, closes cases.
        CountyAdmin = "county_admin", "县级管理员";
        /// 乡镇（中心学校）: the schools of one township.
        TownshipOfficer = "township_officer", "乡镇专干";
        /// 学校资助专干: one school's students; confirms its roster; runs its dropout cases.
        SchoolOfficer = "school_officer", "学校资助专干";
        /// 纪检监督: reads everything, changes nothing.
        Auditor = "auditor", "审计监督";
        /// 县资助中心财务（资金发放）: reads the county's rosters and pays them; approves nothing.
        /// The role that pays is never a role that approves (不相容岗位分离).
        FinanceOfficer = "finance_officer", "财务人员";
    }
}

/// What a user may do, beyond reading what is in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Read the audit log (审计日志).
    ReadAudit,
    /// See a full ID number (完整身份证件号); each view is audited.
    SeeFullId,
    /// Import a list, compute a term (县级).
    ManageData,
    /// Record an action or move a dropout case.
    FollowCases,
    /// Manage user accounts.
    ManageUsers,
    /// Approve and lock a term's roster (审批锁定), or send a school's roster back.
    ApproveRoster,
    /// Prepare and submit payments of an approved roster (资金发放).
    Pay,
    /// Read dropout cases (控辍保学台账): children's names, families, reasons.
    ReadCases,
}

/// The part of the county a user sees (数据范围).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole county.
    County,
    /// One township (乡镇), by its name as the school list gives it.
    Township(String),
    /// One school, by its national school code (学校标识码).
    School(String),
}

/// A signed-in user's role and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub scope: Scope,
}

/// Why a role and scope do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("乡镇专干必须指定所属乡镇")]
    TownshipMissing,
    #[error("学校资助专干必须指定学校标识码")]
    SchoolMissing,
    #[error("{role}的数据范围是全县，不能指定乡镇或学校")]
    CountyWide { role: &'static str },
    #[error("只能指定乡镇或学校之一")]
    Both,
}

impl Access {
    /// The access a role has with the township or school it was given (exactly the one its
    /// role needs: a township officer a township, a school officer a school, others neither).
    pub fn new(
        role: Role,
        township: Option<&str>,
        school: Option<&str>,
    ) -> Result<Access, AccessError> {
        let township = township.map(str::trim).filter(|s| !s.is_empty());
        let school = school.map(str::trim).filter(|s| !s.is_empty());
        if township.is_some() && school.is_some() {
            return Err(AccessError::Both);
        }
        let scope = match role {
            Role::TownshipOfficer => {
                Scope::Township(township.ok_or(AccessError::TownshipMissing)?.to_string())
            }
            Role::SchoolOfficer => {
                Scope::School(school.ok_or(AccessError::SchoolMissing)?.to_string())
            }
            Role::CountyAdmin | Role::Auditor | Role::FinanceOfficer => match township.or(school) {
                None => Scope::County,
                Some(_) => return Err(AccessError::CountyWide { role: role.zh() }),
            },
        };
        Ok(Access { role, scope })
    }

    /// Is a school (its code and township) in this user's scope?
    pub fn sees_school(&self, code: &str, township: &str) -> bool {
        match &self.scope {
            Scope::County => true,
            Scope::Township(t) => t == township,
            Scope::School(c) => c == code,
        }
    }

    /// May this role do `duty`? Reading what is in scope needs no duty.
    pub fn may(&self, duty: Duty) -> bool {
        match duty {
            Duty::ReadAudit => matches!(self.role, Role::CountyAdmin | Role::Auditor),
            Duty::SeeFullId => matches!(self.role, Role::CountyAdmin | Role::Auditor),
            Duty::ManageData | Duty::ManageUsers => self.role == Role::CountyAdmin,
            Duty::FollowCases => !matches!(self.role, Role::Auditor | Role::FinanceOfficer),
            Duty::ApproveRoster => self.role == Role::CountyAdmin,
            Duty::Pay => self.role == Role::FinanceOfficer,
            // Paying needs no child's dropout record.
            Duty::ReadCases => self.role != Role::FinanceOfficer,
        }
    }

    /// The level at which this user acts on a dropout case; `None` for the auditor, who acts
    /// on none.
    pub fn case_level(&self) -> Option<UserLevel> {
        match self.role {
            Role::CountyAdmin => Some(UserLevel::County),
            Role::TownshipOfficer => Some(UserLevel::Township),
            Role::SchoolOfficer => Some(UserLevel::School),
            Role::Auditor | Role::FinanceOfficer => None,
        }
    }

    /// The scope in words, for the page header: 全县, 某某镇, 学校 3607…
    pub fn scope_zh(&self) -> String {
        match &self.scope {
            Scope::County => "全县".to_string(),
            Scope::Township(t) => t.clone(),
            Scope::School(c) => format!("学校 {c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_takes_exactly_its_scope() {
        let t = Access::new(Role::TownshipOfficer, Some("银坑镇"), None).expect("township");
        assert_eq!(t.scope, Scope::Township("银坑镇".into()));
        assert_eq!(
            Access::new(Role::TownshipOfficer, None, Some("3607310001")),
            Err(AccessError::TownshipMissing)
        );
        assert_eq!(
            Access::new(Role::SchoolOfficer, Some("银坑镇"), None),
            Err(AccessError::SchoolMissing)
        );
        assert_eq!(
            Access::new(Role::Auditor, Some("银坑镇"), None),
            Err(AccessError::CountyWide {
                role: "审计监督"
            })
        );
        assert_eq!(
            Access::new(Role::SchoolOfficer, Some("银坑镇"), Some("1")),
            Err(AccessError::Both)
        );
        assert_eq!(
            Access::new(Role::CountyAdmin, Some("  "), None).map(|a| a.scope),
            Ok(Scope::County)
        );
    }

    #[test]
    fn scope_decides_which_schools_are_seen() {
        let school = Access::new(Role::SchoolOfficer, None, Some("3607310001")).expect("school");
        assert!(school.sees_school("3607310001", "银坑镇"));
        assert!(!school.sees_school("3607310002", "银坑镇"));
        let town = Access::new(Role::TownshipOfficer, Some("银坑镇"), None).expect("township");
        assert!(town.sees_school("3607310002", "银坑镇"));
        assert!(!town.sees_school("3607310003", "贡江镇"));
        let auditor = Access::new(Role::Auditor, None, None).expect("auditor");
        assert!(auditor.sees_school("anything", ""));
    }

    #[test]
    fn no_role_both_approves_and_pays() {
        // 5. of the web issue: a role that approves a roster can never be the role that pays it.
        for role in Role::ALL {
            let access = Access::new(*role, Some("银坑镇"), None)
                .or_else(|_| Access::new(*role, None, Some("3607310001")))
                .or_else(|_| Access::new(*role, None, None))
                .expect("some scope fits");
            assert!(
                !(access.may(Duty::ApproveRoster) && access.may(Duty::Pay)),
                "{role:?}"
            );
        }
        let finance = Access::new(Role::FinanceOfficer, None, None).expect("finance");
        assert!(finance.may(Duty::Pay) && !finance.may(Duty::ApproveRoster));
        assert!(!finance.may(Duty::ManageData) && !finance.may(Duty::FollowCases));
        assert!(!finance.may(Duty::ReadCases) && !finance.may(Duty::SeeFullId));
        let county = Access::new(Role::CountyAdmin, None, None).expect("county");
        assert!(county.may(Duty::ApproveRoster) && !county.may(Duty::Pay));
    }

    #[test]
    fn auditor_reads_everything_and_changes_nothing() {
        // 四(三): the auditor reads the audit log and full IDs, and follows no case.
        let a = Access::new(Role::Auditor, None, None).expect("auditor");
        assert!(a.may(Duty::ReadAudit) && a.may(Duty::SeeFullId));
        assert!(!a.may(Duty::ManageData) && !a.may(Duty::FollowCases));
        assert_eq!(a.case_level(), None);
        let s = Access::new(Role::SchoolOfficer, None, Some("1")).expect("school");
        assert!(s.may(Duty::FollowCases) && !s.may(Duty::ReadAudit) && !s.may(Duty::SeeFullId));
        assert_eq!(s.case_level(), Some(UserLevel::School));
    }
}
