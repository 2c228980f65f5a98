//! The policy file as the county writes it (TOML). Read `policy/2023.toml` for a worked example.
//! Shapes only; meaning is given by [`crate::compile`].

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The whole file. Unknown keys are rejected, so a typo is an error with its line, not a silent default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    pub policy: PolicyMeta,
    pub terms: TermRules,
    #[serde(default)]
    pub params: BTreeMap<String, ParamDef>,
    #[serde(default)]
    pub define: BTreeMap<String, Define>,
    #[serde(rename = "program")]
    pub programs: Vec<ProgramDef>,
    /// Dropout control (控辍保学, 二(二)): compulsory age and the ledger's time limits. Optional
    /// for computing aid; the dropout commands require it.
    #[serde(default)]
    pub dropout: Option<crate::dropout::DropoutSection>,
    /// Paying the aid (资金发放): the paying unit's name, the families' verification sample, and
    /// the banks' disbursement file formats. Optional for computing aid.
    #[serde(default)]
    pub payment: Option<crate::payment::PaymentSection>,
    /// Normal-school targeted admission (师范“三定向”, 三(二)): the points the control line is
    /// lowered by. Optional for computing aid; `zizhu admission` requires it.
    #[serde(default)]
    pub admission: Option<crate::admission::AdmissionSection>,
    /// In-kind provisions (零收费, 三(一)): free teaching materials, uniforms, accident insurance,
    /// recorded per student and school year. Optional; `zizhu zero-fee` reports on them.
    #[serde(default, rename = "provision")]
    pub provisions: Vec<crate::provision::ProvisionDef>,
    /// Teacher exchange from urban to rural schools (交流轮岗, 三(三)): the notice before an
    /// assignment ends and the direction the policy wants. `zizhu exchange` requires it.
    #[serde(default)]
    pub teacher_exchange: Option<crate::exchange::ExchangeSection>,
    /// School evaluation (学校工作考评, 二(二)): the targets each school is assessed against per
    /// term. Optional for computing aid; `zizhu evaluate` requires it.
    #[serde(default)]
    pub evaluation: Option<crate::evaluation::EvaluationSection>,
    /// Complaints (群众反映问题, 四(三)): the days a ticket of each category has. Optional for
    /// computing aid; `zizhu complaint` requires it.
    #[serde(default)]
    pub complaints: Option<crate::complaints::ComplaintSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyMeta {
    /// Stable id, e.g. `yudu-2023`.
    pub id: String,
    /// The document's title.
    pub name: String,
    /// Version of this file; bump it on every edit.
    pub version: String,
    /// Where the text comes from (file, 文号).
    pub source: String,
    /// County code (GB/T 2260, 6 digits) and province the policy applies to.
    pub county_code: String,
    pub county_name: String,
    pub province: String,
    /// First and last day the policy applies (`YYYY-MM-DD`); terms outside are refused.
    pub effective_from: String,
    pub effective_to: String,
}

/// Term rules: reference dates (ruling 6) and who is payable at all.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermRules {
    /// Reference day of the spring term, `MM-DD` (default ruling: 03-01).
    pub spring_reference: String,
    /// Reference day of the autumn term, `MM-DD` (default ruling: 10-01).
    pub autumn_reference: String,
    /// Condition every registry-based program also requires on the reference date (ruling 6).
    pub payable_when: Spanned<String>,
    /// Clause or ruling behind `payable_when`.
    pub payable_reference: String,
}

/// What a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// An amount in 元, written as a string (`"1250"`, `"312.5"`) so it is exact.
    Yuan,
    /// A yes/no switch usable in conditions.
    Bool,
    /// A decimal factor such as `"0.5"`.
    Rate,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDef {
    pub label: String,
    pub kind: ParamKind,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    /// Dated values; ranges may not overlap.
    pub values: Vec<ParamValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamValue {
    pub from: Spanned<String>,
    #[serde(default)]
    pub to: Option<String>,
    pub value: Spanned<toml::Value>,
}

/// A named condition (a concept the policy text uses, such as 家庭经济困难).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Define {
    pub label: String,
    pub when: Spanned<String>,
    #[serde(default)]
    pub reference: Option<String>,
}

/// Who a program looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// Students in the term's registry.
    Student,
    /// People on the college admissions list of the term's year.
    Admission,
}

/// How an amount is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A yearly standard paid half each term (春季学期, 秋季学期).
    Yearly,
    /// A one-off amount paid in `pay_term`.
    OneOff,
}

/// Who receives the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payee {
    Guardian,
    Student,
    School,
}

impl Payee {
    pub fn key(self) -> &'static str {
        match self {
            Payee::Guardian => "guardian",
            Payee::Student => "student",
            Payee::School => "school",
        }
    }
    pub fn from_key(k: &str) -> Option<Payee> {
        match k {
            "guardian" => Some(Payee::Guardian),
            "student" => Some(Payee::Student),
            "school" => Some(Payee::School),
            _ => None,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Payee::Guardian => "学生监护人",
            Payee::Student => "学生本人",
            Payee::School => "学校",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramDef {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub subject: Subject,
    pub period: Period,
    /// For one-off programs: the term they are paid in (`spring`/`autumn`).
    #[serde(default)]
    pub pay_term: Option<zizhu_domain::Season>,
    pub payee: Payee,
    /// Programs sharing a group: at most one per student and term, the first listed wins (ruling 2).
    #[serde(default)]
    pub exclusive_group: Option<String>,
    /// Paid at most once per person, ever (ruling 4).
    #[serde(default)]
    pub once_per_person: bool,
    pub when: Spanned<String>,
    /// Amount rules, first match wins; no match means no grant.
    pub amount: Vec<AmountRule>,
    /// Added on top of the amount when their condition holds (e.g. +200 for special education).
    #[serde(default)]
    pub supplement: Vec<AmountRule>,
    /// Where the money comes from (资金来源): lines of one source are paid in one batch.
    #[serde(default)]
    pub fund_source: Option<String>,
    /// Who pays a guardian or student: the county's aid centre (default) or each school (a batch
    /// per school).
    #[serde(default)]
    pub paying_unit: crate::payment::PayingUnit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRule {
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// A `yuan` parameter: the yearly (or one-off) standard.
    pub base: Spanned<String>,
    /// Optional `rate` parameter multiplied in (e.g. 50% of the national base).
    #[serde(default)]
    pub factor: Option<Spanned<String>>,
    /// Shown in explanations and reports.
    #[serde(default)]
    pub note: Option<String>,
}
