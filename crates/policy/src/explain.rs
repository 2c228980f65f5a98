//! Explanations in Chinese: for one subject and every program, whether it is granted and why,
//! condition by condition, with the clause. Slower than [`crate::engine`] (it walks the condition
//! trees), used for `zizhu explain` and a student's page.

use crate::compile::TermPolicy;
use crate::expr::{CmpOp, Expr};
use crate::facts::{bool_fact, enum_fact, Facts};
use crate::file::Subject;
use zizhu_domain::Fen;

/// One program's verdict for a subject.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramVerdict {
    pub program: String,
    pub name: String,
    pub clause: String,
    pub amount: Option<Fen>,
    /// Indented lines: each condition with ✓ or ✗ and the value that decided it.
    pub lines: Vec<String>,
}

impl TermPolicy {
    /// Explains every program for one subject (same rules as [`TermPolicy::evaluate`]).
    pub fn explain(&self, subject: Subject, facts: Facts, prior_once: u32) -> Vec<ProgramVerdict> {
        let mut grants = Vec::new();
        self.evaluate(subject, facts, prior_once, &mut grants);
        // The payable check is the same for every student program: evaluated once.
        let mut payable_lines = Vec::new();
        let payable_ok = self.eval(&self.payable_ast, facts, 2, &mut payable_lines);
        let mut out = Vec::with_capacity(self.programs.len());
        for (i, p) in self.programs.iter().enumerate() {
            let granted = grants.iter().find(|g| g.program == i);
            let mut lines = Vec::new();
            if p.subject != subject {
                let who = match p.subject {
                    Subject::Student => "在籍学生",
                    Subject::Admission => "当年高考录取名单中的考生",
                };
                lines.push(format!("不适用：本项目面向{who}"));
            } else if !p.payable_this_term {
                lines.push(format!(
                    "不适用：一次性项目，不在{}发放",
                    self.term.label_zh()
                ));
            } else {
                if p.subject == Subject::Student {
                    lines.push(format!(
                        "{} 基准日 {} 可发放（{}）",
                        mark(payable_ok),
                        self.reference_date,
                        self.payable_reference
                    ));
                    lines.extend(payable_lines.iter().cloned());
                }
                lines.push("资格条件：".into());
                let ok = self.eval(&p.when_ast, facts, 1, &mut lines);
                lines.push(format!("{} 资格条件合计", mark(ok)));
                if p.once_per_person && prior_once & (1u32 << i) != 0 {
                    lines.push("✗ 此前学期已发放过，每人仅限一次（裁定4）".into());
                }
                if let (Some(g), false, true) = (p.group, granted.is_some(), p.when.holds(facts.0))
                {
                    let taken = grants
                        .iter()
                        .any(|x| self.programs.get(x.program).and_then(|q| q.group) == Some(g));
                    if taken {
                        lines.push(format!(
                            "✗ 与同组（{}）已享受的项目互斥，每学期只享受一项（裁定2）",
                            p.group_name.clone().unwrap_or_default()
                        ));
                    }
                }
                if let Some(g) = granted {
                    if let Some(a) = p.amounts.get(g.amount_rule) {
                        lines.push(format!("金额：{}，本学期 {} 元", a.explanation, a.per_term));
                        if let Some(n) = &a.note {
                            lines.push(format!("说明：{n}"));
                        }
                    }
                    for (si, s) in p.supplements.iter().enumerate() {
                        if g.supplements & (1 << si) != 0 {
                            lines.push(format!("加：{}，本学期 {} 元", s.explanation, s.per_term));
                            if let Some(n) = &s.note {
                                lines.push(format!("说明：{n}"));
                            }
                        }
                    }
                } else if p.when.holds(facts.0) && !p.amounts.iter().any(|a| a.cond.holds(facts.0))
                {
                    lines.push("✗ 没有适用的金额标准（学段不符）".into());
                }
            }
            out.push(ProgramVerdict {
                program: p.id.clone(),
                name: p.name.clone(),
                clause: p.clause.clone(),
                amount: granted.map(|g| g.amount),
                lines,
            });
        }
        out
    }

    /// Evaluates `e`, pushing one line per leaf (and per definition) indented by `depth`.
    fn eval(&self, e: &Expr, facts: Facts, depth: usize, lines: &mut Vec<String>) -> bool {
        let pad = PADS.get(..2 * depth).unwrap_or(PADS);
        match e {
            Expr::Const(b) => *b,
            Expr::Not(inner) if matches!(&**inner, Expr::Name { name, .. } if bool_fact(name).is_some()) =>
            {
                let Expr::Name { name, .. } = &**inner else {
                    return false;
                };
                let Some(f) = bool_fact(name) else {
                    return false;
                };
                let actual = facts.has(f.bit);
                lines.push(format!(
                    "{pad}{} {}：应为否，实为{}",
                    mark(!actual),
                    f.zh,
                    if actual { "是" } else { "否" }
                ));
                !actual
            }
            Expr::Not(inner) => {
                let at = placeholder(lines);
                let v = !self.eval(inner, facts, depth + 1, lines);
                set_line(lines, at, format!("{pad}{} 不满足以下条件：", mark(v)));
                v
            }
            Expr::And(items) => {
                let mut all = true;
                for it in items {
                    all &= self.eval(it, facts, depth, lines);
                }
                all
            }
            Expr::Or(items) => {
                let at = placeholder(lines);
                let mut any = false;
                for it in items {
                    any |= self.eval(it, facts, depth + 1, lines);
                }
                set_line(lines, at, format!("{pad}{} 以下任一条件成立：", mark(any)));
                any
            }
            Expr::Name { name, .. } => {
                if let Some(f) = bool_fact(name) {
                    let v = facts.has(f.bit);
                    lines.push(format!(
                        "{pad}{} {}：{}",
                        mark(v),
                        f.zh,
                        if v { "是" } else { "否" }
                    ));
                    return v;
                }
                if let Some((label, b)) = self.switches.get(name) {
                    lines.push(format!(
                        "{pad}{} 政策参数「{}」：{}",
                        mark(*b),
                        label,
                        if *b { "是" } else { "否" }
                    ));
                    return *b;
                }
                if let Some((label, d)) = self.defines.get(name) {
                    let at = placeholder(lines);
                    let v = self.eval(d, facts, depth + 1, lines);
                    set_line(lines, at, format!("{pad}{} {}", mark(v), label));
                    return v;
                }
                lines.push(format!("{pad}✗ 未知名称 {name}"));
                false
            }
            Expr::Cmp {
                name, op, values, ..
            } => {
                let Some(f) = enum_fact(name) else {
                    return false;
                };
                let actual = (0..f.values.len()).find(|i| facts.has(f.first_bit + *i as u8));
                let idx: Vec<usize> = values
                    .iter()
                    .filter_map(|v| f.values.iter().position(|(k, _)| k == v))
                    .collect();
                let v0 = idx.first().copied().unwrap_or(0);
                let v = match (op, actual) {
                    (CmpOp::Eq | CmpOp::In, Some(a)) => idx.contains(&a),
                    (CmpOp::Ne | CmpOp::NotIn, Some(a)) => !idx.contains(&a),
                    (CmpOp::Ne | CmpOp::NotIn, None) => true,
                    (CmpOp::Lt, Some(a)) => a < v0,
                    (CmpOp::Le, Some(a)) => a <= v0,
                    (CmpOp::Gt, Some(a)) => a > v0,
                    (CmpOp::Ge, Some(a)) => a >= v0,
                    (_, None) => false,
                };
                let mut want = String::new();
                for x in idx.iter().filter_map(|i| f.values.get(*i)) {
                    if !want.is_empty() {
                        want.push('或');
                    }
                    want.push_str(x.1);
                }
                let opzh = match op {
                    CmpOp::Eq | CmpOp::In => "为",
                    CmpOp::Ne | CmpOp::NotIn => "不为",
                    CmpOp::Lt => "低于",
                    CmpOp::Le => "不高于",
                    CmpOp::Gt => "高于",
                    CmpOp::Ge => "不低于",
                };
                let act = actual
                    .and_then(|a| f.values.get(a))
                    .map(|x| x.1)
                    .unwrap_or("（无）");
                lines.push(format!(
                    "{pad}{} {}{}{}：实为{}",
                    mark(v),
                    f.zh,
                    opzh,
                    want,
                    act
                ));
                v
            }
        }
    }
}

/// Indentation: two spaces a level (deeper levels share the deepest).
const PADS: &str = "                                ";

/// Reserves the line of a heading whose mark is known only after its sub-conditions.
fn placeholder(lines: &mut Vec<String>) -> usize {
    lines.push(String::new());
    lines.len() - 1
}

fn set_line(lines: &mut [String], at: usize, line: String) {
    if let Some(slot) = lines.get_mut(at) {
        *slot = line;
    }
}

fn mark(b: bool) -> &'static str {
    if b {
        "✓"
    } else {
        "✗"
    }
}
