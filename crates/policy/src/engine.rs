//! Evaluating a compiled term policy for one subject: which programs it grants and how much.
//! Pure and allocation-free on the hot path (the caller reuses the output vector).

use crate::compile::TermPolicy;
use crate::facts::{describe_bit, key_of_bit, Facts};
use crate::file::Subject;
use serde::Serialize;
use zizhu_domain::Fen;

/// One granted program for one subject and term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Index into [`TermPolicy::programs`].
    pub program: usize,
    /// Amount for this term, in fen.
    pub amount: Fen,
    /// Which conjunction of the program's condition held (for the trace).
    pub branch: usize,
    /// Which amount rule applied.
    pub amount_rule: usize,
    /// Bit set of the supplements added.
    pub supplements: u32,
}

impl TermPolicy {
    /// Evaluates every program for a subject. `prior_once` has bit `i` set when program `i` (a
    /// once-per-person program) was already granted to this person in an earlier term (ruling 4).
    /// Grants are appended to `out` in policy order; an exclusive group keeps its first grant (ruling 2).
    #[inline]
    pub fn evaluate(&self, subject: Subject, facts: Facts, prior_once: u32, out: &mut Vec<Grant>) {
        let f = facts.0;
        let mut groups_taken = 0u32;
        for (i, p) in self.programs.iter().enumerate() {
            if p.subject != subject || !p.payable_this_term {
                continue;
            }
            if p.once_per_person && prior_once & (1u32 << i) != 0 {
                continue;
            }
            if let Some(g) = p.group {
                if groups_taken & (1u32 << g) != 0 {
                    continue;
                }
            }
            let Some(branch) = p.when.first_match(f) else {
                continue;
            };
            let Some(amount_rule) = p.amounts.iter().position(|a| a.cond.holds(f)) else {
                continue;
            };
            let mut amount = p.amounts[amount_rule].per_term;
            let mut supplements = 0u32;
            for (si, s) in p.supplements.iter().enumerate() {
                if s.cond.holds(f) {
                    amount += s.per_term;
                    supplements |= 1 << si;
                }
            }
            if amount.0 <= 0 {
                continue;
            }
            if let Some(g) = p.group {
                groups_taken |= 1u32 << g;
            }
            out.push(Grant {
                program: i,
                amount,
                branch,
                amount_rule,
                supplements,
            });
        }
    }

    /// Index of a program by id.
    pub fn program_index(&self, id: &str) -> Option<usize> {
        self.programs.iter().position(|p| p.id == id)
    }

    /// The facts that made a grant: the conditions of the branch that held and the amount rule used,
    /// as stored with every entitlement so an auditor can trace each yuan.
    pub fn trace(&self, g: &Grant, facts: Facts) -> GrantTrace {
        let mut conditions = Vec::new();
        let Some(p) = self.programs.get(g.program) else {
            return GrantTrace::default();
        };
        if let Some(c) = p.when.conjs.get(g.branch) {
            for b in 0..64u8 {
                let m = 1u64 << b;
                if c.all & m != 0 {
                    conditions.push(FactUsed {
                        key: key_of_bit(b),
                        zh: describe_bit(b),
                        value: true,
                    });
                }
            }
            for mask in &c.any {
                for b in 0..64u8 {
                    let m = 1u64 << b;
                    if mask & m != 0 && facts.0 & m != 0 {
                        conditions.push(FactUsed {
                            key: key_of_bit(b),
                            zh: describe_bit(b),
                            value: true,
                        });
                    }
                }
            }
            for b in 0..64u8 {
                let m = 1u64 << b;
                if c.none & m != 0 {
                    conditions.push(FactUsed {
                        key: key_of_bit(b),
                        zh: describe_bit(b),
                        value: false,
                    });
                }
            }
        }
        let mut amount = Vec::new();
        if let Some(a) = p.amounts.get(g.amount_rule) {
            amount.push(format!("{}：本学期 {} 元", a.explanation, a.per_term));
            if let Some(n) = &a.note {
                amount.push(n.clone());
            }
        }
        for (si, s) in p.supplements.iter().enumerate() {
            if g.supplements & (1 << si) != 0 {
                amount.push(format!("加：{}：本学期 {} 元", s.explanation, s.per_term));
                if let Some(n) = &s.note {
                    amount.push(n.clone());
                }
            }
        }
        GrantTrace {
            program: p.id.clone(),
            clause: p.clause.clone(),
            conditions,
            amount,
        }
    }
}

/// A fact a grant relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FactUsed {
    pub key: String,
    pub zh: String,
    /// True when the fact had to hold, false when it had to be absent.
    pub value: bool,
}

/// Why a grant was made, stored as JSON with the entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct GrantTrace {
    pub program: String,
    pub clause: String,
    pub conditions: Vec<FactUsed>,
    pub amount: Vec<String>,
}
