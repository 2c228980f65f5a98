//! Example cases beside a policy file (`policy/2023.cases.toml`): inputs and the expected amount of
//! every program, worked by hand from the policy text. `zizhu policy test` runs them; any program
//! granted but not expected, or expected but not granted, or a different amount, fails the case.

use crate::compile::{Policy, TermPolicy};
use crate::error::{at, from_toml, PolicyError};
use crate::facts::{bit, bool_fact, enum_fact, Facts};
use crate::file::Subject;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;
use zizhu_domain::{Fen, Term};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(rename = "case")]
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Names the clause or ruling it checks, e.g. `二(一)2 初中寄宿生`.
    pub name: String,
    pub term: String,
    #[serde(default = "default_subject")]
    pub subject: Subject,
    /// Once-per-person programs already granted in earlier terms.
    #[serde(default)]
    pub prior: Vec<String>,
    pub facts: Spanned<toml::Table>,
    /// Program id → amount this term in 元 (as a string). Programs not listed must not be granted.
    pub expect: Spanned<BTreeMap<String, String>>,
}

fn default_subject() -> Subject {
    Subject::Student
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub name: String,
    pub passed: bool,
    /// Chinese: what differed.
    pub detail: Vec<String>,
}

/// Builds the fact bits of a case. Defaults: 在读, 全日制, 不困难, 户口未知, 审批级别无.
pub fn facts_from_table(t: &toml::Table) -> Result<Facts, String> {
    let mut f = Facts(0);
    let set_enum = |name: &str, value: &str, f: &mut Facts| -> Result<(), String> {
        let Some(e) = enum_fact(name) else {
            return Err(format!("未知事实 {name}"));
        };
        let Some(i) = e.values.iter().position(|(k, _)| *k == value) else {
            return Err(format!("{name} 没有取值 {value}"));
        };
        for j in 0..e.values.len() {
            f.set(e.first_bit + j as u8, false);
        }
        f.set(e.first_bit + i as u8, true);
        Ok(())
    };
    set_enum("status", "enrolled", &mut f)?;
    set_enum("difficulty", "not_difficult", &mut f)?;
    set_enum("hukou", "unknown", &mut f)?;
    set_enum("approval_level", "none", &mut f)?;
    f.set(bit::FULL_TIME, true);
    for (k, v) in t {
        if let Some(b) = bool_fact(k) {
            match v {
                toml::Value::Boolean(x) => f.set(b.bit, *x),
                _ => return Err(format!("{k} 应为 true 或 false")),
            }
        } else if enum_fact(k).is_some() {
            let s = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                _ => return Err(format!("{k} 应为字符串取值")),
            };
            set_enum(k, &s, &mut f)?;
        } else {
            return Err(format!("未知事实 {k}"));
        }
    }
    Ok(f)
}

/// Runs every case of a case file against a policy.
pub fn run_cases(policy: &Policy, src: &str) -> Result<Vec<CaseResult>, PolicyError> {
    let file: CaseFile = toml::from_str(src).map_err(|e| from_toml(src, &e))?;
    let mut compiled: HashMap<Term, TermPolicy> = HashMap::new();
    let mut out = Vec::new();
    for c in &file.cases {
        let pos = c.facts.span().start;
        let term: Term = c
            .term
            .parse()
            .map_err(|e: zizhu_domain::term::TermParseError| at(src, pos, e.to_string()))?;
        let tp = match compiled.entry(term) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(policy.compile(term)?),
        };
        let facts = facts_from_table(c.facts.get_ref()).map_err(|m| at(src, pos, m))?;
        let mut prior = 0u32;
        for p in &c.prior {
            match tp.program_index(p) {
                Some(i) => prior |= 1 << i,
                None => return Err(at(src, pos, format!("未知项目 {p}"))),
            }
        }
        let mut expected: BTreeMap<String, Fen> = BTreeMap::new();
        for (k, v) in c.expect.get_ref() {
            if tp.program_index(k).is_none() {
                return Err(at(src, c.expect.span().start, format!("未知项目 {k}")));
            }
            let Some(fen) = Fen::parse_yuan(v) else {
                return Err(at(src, c.expect.span().start, format!("金额格式错误：{v}")));
            };
            expected.insert(k.clone(), fen);
        }
        let mut grants = Vec::new();
        tp.evaluate(c.subject, facts, prior, &mut grants);
        let mut got: BTreeMap<String, Fen> = BTreeMap::new();
        for g in &grants {
            if let Some(p) = tp.programs.get(g.program) {
                got.insert(p.id.clone(), g.amount);
            }
        }
        let mut detail = Vec::new();
        for (k, e) in &expected {
            match got.get(k) {
                Some(g) if g == e => {}
                Some(g) => detail.push(format!("{k}：应为 {e} 元，实为 {g} 元")),
                None => detail.push(format!("{k}：应发 {e} 元，实际未发")),
            }
        }
        for (k, g) in &got {
            if !expected.contains_key(k) {
                detail.push(format!("{k}：不应发放，实际发放 {g} 元"));
            }
        }
        out.push(CaseResult {
            name: c.name.clone(),
            passed: detail.is_empty(),
            detail,
        });
    }
    Ok(out)
}
