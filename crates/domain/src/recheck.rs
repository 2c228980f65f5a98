//! Post-exit recheck monitoring (脱贫成果回查监测, policy 四(二)): for every registered-poor
//! household (those that exited poverty included), each child of compulsory age is in school or
//! accounted for in the dropout ledger, and every aid the child is owed this term was paid. Each
//! shortfall is a gap (查遗补漏) tracked until it is rectified (及时整改). Pure decisions; the
//! facts come from the registry, the dropout ledger, the roster and the payments.

use serde::{Deserialize, Serialize};

/// What is missing for one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GapKind {
    /// Of compulsory age, in no school's registry as enrolled, and in no dropout case.
    NotAccountedFor,
    /// Enrolled, and on no line of the term's roster (一个不落: was the child missed?).
    NoAid,
    /// A roster line of the term not paid (yet).
    Unpaid,
}

impl GapKind {
    pub fn key(self) -> &'static str {
        match self {
            GapKind::NotAccountedFor => "not_accounted_for",
            GapKind::NoAid => "no_aid",
            GapKind::Unpaid => "unpaid",
        }
    }

    pub fn from_key(s: &str) -> Option<GapKind> {
        [GapKind::NotAccountedFor, GapKind::NoAid, GapKind::Unpaid]
            .into_iter()
            .find(|k| k.key() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            GapKind::NotAccountedFor => "适龄未在学籍，也不在控辍保学台账",
            GapKind::NoAid => "在读但本学期没有资助",
            GapKind::Unpaid => "应发未发",
        }
    }
}

/// What is known of one compulsory-age child of a registered-poor household this term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildFacts {
    /// Enrolled (在读) in some school's registry this term.
    pub enrolled: bool,
    /// Has a dropout case (any state): the child is accounted for in the ledger.
    pub has_case: bool,
    /// On leave (休学) in a school's registry: accounted for by the school (two terms on leave
    /// make a suspected dropout in the dropout scan, not here).
    pub suspended: bool,
    /// The term's roster lines of the child (program names).
    pub aided: Vec<String>,
    /// Roster lines not paid: (program name, why).
    pub unpaid: Vec<(String, String)>,
}

/// A gap with its detail in Chinese (the program and why, for an unpaid line).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gap {
    pub kind: GapKind,
    pub detail: String,
}

/// The gaps of one child (四(二)): not in school and not in the ledger; in school and aided by
/// nothing; each line not paid. A child not in school but with a case has no gap here: the case
/// is followed in the ledger (一生一案); nor has a child on leave.
pub fn gaps(f: &ChildFacts) -> Vec<Gap> {
    if !f.enrolled {
        return if f.has_case || f.suspended {
            Vec::new()
        } else {
            vec![Gap {
                kind: GapKind::NotAccountedFor,
                detail: String::new(),
            }]
        };
    }
    if f.aided.is_empty() {
        return vec![Gap {
            kind: GapKind::NoAid,
            detail: String::new(),
        }];
    }
    f.unpaid
        .iter()
        .map(|(program, why)| Gap {
            kind: GapKind::Unpaid,
            detail: format!("{program}（{why}）"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 四(二) "确保每个适龄子女在校或有去向": out of school without a case is a gap; with a case, not.
    #[test]
    fn clause_4_2_a_child_out_of_school_is_a_gap_unless_in_the_ledger() {
        let out = ChildFacts::default();
        assert_eq!(gaps(&out)[0].kind, GapKind::NotAccountedFor);
        let followed = ChildFacts {
            has_case: true,
            ..ChildFacts::default()
        };
        assert!(gaps(&followed).is_empty());
        let on_leave = ChildFacts {
            suspended: true,
            ..ChildFacts::default()
        };
        assert!(gaps(&on_leave).is_empty());
    }

    /// 四(二) "查遗补漏": in school with no aid, and each unpaid line, are gaps; fully paid is none.
    #[test]
    fn clause_4_2_aid_missing_or_unpaid_is_a_gap() {
        let none = ChildFacts {
            enrolled: true,
            ..ChildFacts::default()
        };
        assert_eq!(gaps(&none)[0].kind, GapKind::NoAid);
        let unpaid = ChildFacts {
            enrolled: true,
            aided: vec!["寄宿生生活补助".into()],
            unpaid: vec![("寄宿生生活补助".into(), "无收款账户".into())],
            ..ChildFacts::default()
        };
        let g = gaps(&unpaid);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].detail, "寄宿生生活补助（无收款账户）");
        let paid = ChildFacts {
            enrolled: true,
            aided: vec!["寄宿生生活补助".into()],
            ..ChildFacts::default()
        };
        assert!(gaps(&paid).is_empty());
    }
}
