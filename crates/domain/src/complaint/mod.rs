//! Complaints (群众反映问题, policy 四(三) "集中解决贫困地区群众反映强烈、损害群众利益的突出问题"):
//! a family, a teacher or a township reports a problem about a student (aid not received, a
//! wrong amount, a child out of school, a fee charged despite a waiver); each report is a ticket
//! (投诉工单) owned by a unit, with a deadline by category, moved through its states until it is
//! closed. Pure: the ledger lives in the store, the reports in the app layer.

mod deadline;
mod flow;

pub use deadline::{
    due_on, missed_deadline, overdue, ComplaintRules, DayCount, Overdue, TicketClock,
};
pub use flow::{
    allowed_keys, check_transition, entry_zh, Handler, Owner, TicketFacts, Transition,
    TransitionError, TRANSITIONS,
};

use crate::model::labelled_enum;

labelled_enum! {
    /// Who reports (反映人类别).
    ComplaintSource {
        /// The student's family or the student (家长/学生本人).
        Family = "family", "家长/学生本人";
        /// A teacher (教师).
        Teacher = "teacher", "教师";
        /// A township (乡镇), e.g. its cadres on a home visit.
        Township = "township", "乡镇";
        /// Anyone else (其他).
        Other = "other", "其他";
    }
}

labelled_enum! {
    /// What the complaint is about (问题类别); each has its own deadline in the policy file.
    ComplaintCategory {
        /// Aid the student is owed has not arrived (未收到资助).
        AidNotReceived = "aid_not_received", "未收到资助";
        /// The amount paid is wrong (金额有误).
        WrongAmount = "wrong_amount", "金额有误";
        /// The child is out of school (失学辍学).
        OutOfSchool = "out_of_school", "失学辍学";
        /// A fee was charged although it is waived (免除后仍收费, 二(一)3/4 and 三(一)).
        FeeChargedDespiteWaiver = "fee_charged_despite_waiver", "免除后仍收费";
        /// Anything else (其他).
        Other = "other", "其他";
    }
}

labelled_enum! {
    /// State of a ticket (工单状态).
    ComplaintState {
        /// Lodged, with its provisional owner (the student's school) (已受理).
        Received = "received", "已受理";
        /// Handed to an owner by the county or a township (已交办).
        Assigned = "assigned", "已交办";
        /// The owner is working on it (办理中).
        InProgress = "in_progress", "办理中";
        /// The owner says what was done (已办结), waiting for the county to close it.
        Resolved = "resolved", "已办结";
        /// Closed by the county (已结案); final.
        Closed = "closed", "已结案";
    }
}

impl ComplaintState {
    /// Still waiting for a resolution (未办结): received, assigned or in progress.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ComplaintState::Received | ComplaintState::Assigned | ComplaintState::InProgress
        )
    }
}

/// A complainant's contact (联系方式) as a role that need not see it reads it: a phone number
/// keeps its first 3 and last 4 characters (`138****5678`); anything of 7 characters or fewer
/// keeps only its last 2.
pub fn mask_contact(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    if n > 7 {
        let mut out: String = chars[..3].iter().collect();
        out.push_str(&"*".repeat(n - 7));
        out.extend(&chars[n - 4..]);
        out
    } else {
        let keep = n.min(2);
        let mut out = "*".repeat(n - keep);
        out.extend(&chars[n - keep..]);
        out
    }
}

#[cfg(test)]
mod tests;
