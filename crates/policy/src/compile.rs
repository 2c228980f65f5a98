//! Loading and compiling a policy file: validate it whole (with line and column), then compile it
//! for one term — parameters read on the term's reference date, every condition turned into bit
//! masks ([`crate::cond`]), every amount into fen per term.

use crate::cond::Cond;
use crate::error::{at, from_toml, PolicyError};
use crate::expr::{self, CmpOp, Expr};
use crate::facts::{bool_fact, enum_fact};
use crate::file::{AmountRule, ParamKind, Payee, Period, PolicyFile, Subject};
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::str::FromStr;
use toml::Spanned;
use zizhu_domain::{Fen, Season, Term};

/// The largest amount a parameter may hold: 1,000,000 元 per student. Anything above is a typo,
/// and the bound keeps every sum over a province in range of an `i64` of fen.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000;
/// The largest rate a parameter may hold.
pub const MAX_RATE: i64 = 10;

/// A loaded, validated policy file.
#[derive(Debug, Clone)]
pub struct Policy {
    pub file: PolicyFile,
    src: String,
}

/// An amount rule compiled for one term.
#[derive(Debug, Clone)]
pub struct CompiledAmount {
    pub cond: Cond,
    pub when_ast: Option<Expr>,
    /// What is paid this term, in fen.
    pub per_term: Fen,
    /// The standard it comes from (yearly, or the one-off amount), in fen.
    pub standard: Fen,
    /// Chinese explanation: `初中寄宿生生活补助标准 1250.00元/年 ÷ 2个学期`.
    pub explanation: String,
    pub note: Option<String>,
}

/// A program compiled for one term.
#[derive(Debug, Clone)]
pub struct CompiledProgram {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub subject: Subject,
    pub period: Period,
    pub payee: Payee,
    /// False for a one-off program in a term other than its `pay_term`.
    pub payable_this_term: bool,
    pub once_per_person: bool,
    pub group: Option<u8>,
    pub group_name: Option<String>,
    /// Eligibility, including the term's `payable_when` for registry programs.
    pub when: Cond,
    pub when_ast: Expr,
    pub amounts: Vec<CompiledAmount>,
    pub supplements: Vec<CompiledAmount>,
}

/// The policy as it applies to one term.
#[derive(Debug, Clone)]
pub struct TermPolicy {
    pub term: Term,
    pub reference_date: NaiveDate,
    pub programs: Vec<CompiledProgram>,
    pub payable_ast: Expr,
    pub payable_reference: String,
    /// Named conditions, for explanations: name → (label, condition).
    pub defines: BTreeMap<String, (String, Expr)>,
    /// Yes/no parameters on the reference date: name → (label, value).
    pub switches: BTreeMap<String, (String, bool)>,
    pub province: String,
    /// The in-kind provisions (零收费, 三(一)), compiled on this term's reference date.
    pub provisions: Vec<crate::provision::CompiledProvision>,
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Offset of the first character inside a TOML string value starting at `span_start`.
pub(crate) fn inner_start(src: &str, span_start: usize) -> usize {
    let rest = src.get(span_start..).unwrap_or("");
    if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        span_start + 3
    } else {
        span_start + 1
    }
}

impl Policy {
    /// Parses and validates a policy file; every error names its line and column.
    pub fn parse(src: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile = toml::from_str(src).map_err(|e| from_toml(src, &e))?;
        let p = Policy {
            file,
            src: src.to_string(),
        };
        p.validate()?;
        Ok(p)
    }

    pub fn source_text(&self) -> &str {
        &self.src
    }

    pub(crate) fn err_at<T>(
        &self,
        offset: usize,
        msg: impl Into<String>,
    ) -> Result<T, PolicyError> {
        Err(at(&self.src, offset, msg))
    }

    pub(crate) fn top_err<T>(&self, key: &str, msg: impl Into<String>) -> Result<T, PolicyError> {
        let off = self.src.find(key).unwrap_or(0);
        self.err_at(off, msg)
    }

    fn effective(&self) -> Result<(NaiveDate, NaiveDate), PolicyError> {
        let m = &self.file.policy;
        let from = match parse_day(&m.effective_from) {
            Some(d) => d,
            None => {
                return self.top_err(
                    "effective_from",
                    format!("日期格式应为 YYYY-MM-DD：{}", m.effective_from),
                )
            }
        };
        let to = match parse_day(&m.effective_to) {
            Some(d) => d,
            None => {
                return self.top_err(
                    "effective_to",
                    format!("日期格式应为 YYYY-MM-DD：{}", m.effective_to),
                )
            }
        };
        if to < from {
            return self.top_err("effective_to", "失效日期早于生效日期");
        }
        Ok((from, to))
    }

    /// The reference date of a term (ruling 6: status on this day decides).
    pub fn reference_date(&self, term: Term) -> Result<NaiveDate, PolicyError> {
        let (key, md) = match term.season {
            Season::Spring => ("spring_reference", &self.file.terms.spring_reference),
            Season::Autumn => ("autumn_reference", &self.file.terms.autumn_reference),
        };
        match parse_day(&format!("{}-{}", term.year, md)) {
            Some(d) => Ok(d),
            None => self.top_err(key, format!("基准日应写作 MM-DD（如 03-01）：{md}")),
        }
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let (from, to) = self.effective()?;
        if self.file.dropout.is_some() {
            self.dropout_rules()?;
        }
        if self.file.complaints.is_some() {
            self.complaint_rules()?;
        }
        // Parameters: dates, kinds, no overlapping ranges.
        for (name, def) in &self.file.params {
            if def.values.is_empty() {
                return self.top_err(name, format!("参数 {name} 没有任何取值"));
            }
            let mut ranges = Vec::new();
            for v in &def.values {
                let start = v.from.span().start;
                let Some(f) = parse_day(v.from.get_ref()) else {
                    return self.err_at(start, format!("参数 {name} 的 from 应为 YYYY-MM-DD"));
                };
                let t = match &v.to {
                    Some(t) => match parse_day(t) {
                        Some(t) => t,
                        None => {
                            return self.err_at(start, format!("参数 {name} 的 to 应为 YYYY-MM-DD"))
                        }
                    },
                    None => NaiveDate::MAX,
                };
                if t < f {
                    return self.err_at(start, format!("参数 {name} 的 to 早于 from"));
                }
                let vstart = v.value.span().start;
                match (def.kind, v.value.get_ref()) {
                    (ParamKind::Yuan, toml::Value::String(s))
                        if Fen::parse_yuan(s).is_some_and(|f| (0..=MAX_AMOUNT_FEN).contains(&f.0)) => {}
                    (ParamKind::Rate, toml::Value::String(s))
                        if Decimal::from_str(s.trim()).is_ok_and(|r| r >= Decimal::ZERO && r <= Decimal::from(MAX_RATE)) => {}
                    (ParamKind::Bool, toml::Value::Boolean(_)) => {}
                    (ParamKind::Yuan, _) => {
                        return self.err_at(
                            vstart,
                            format!(
                                "参数 {name} 是金额，应写成带引号的元数（0 至 {} 元，最多两位小数），如 \"1250\" 或 \"312.5\"",
                                MAX_AMOUNT_FEN / 100
                            ),
                        )
                    }
                    (ParamKind::Rate, _) => {
                        return self.err_at(
                            vstart,
                            format!("参数 {name} 是比例，应写成带引号的小数（0 至 {MAX_RATE}），如 \"0.5\""),
                        )
                    }
                    (ParamKind::Bool, _) => {
                        return self
                            .err_at(vstart, format!("参数 {name} 是开关，应为 true 或 false"))
                    }
                }
                for (of, ot) in &ranges {
                    if f <= *ot && *of <= t {
                        return self.err_at(start, format!("参数 {name} 的生效期重叠：前一个取值需要写截止日期，如 to = \"2023-12-31\"，下一个取值从次日开始"));
                    }
                }
                ranges.push((f, t));
            }
        }
        // A definition or switch may not reuse a fact's name: it would silently change its meaning.
        let fact_name =
            |n: &str| crate::facts::bool_fact(n).is_some() || crate::facts::enum_fact(n).is_some();
        for (name, d) in &self.file.define {
            if fact_name(name) || self.file.params.contains_key(name) {
                return self.err_at(
                    d.when.span().start,
                    format!("定义名 {name} 与事实或参数重名，请换一个名字"),
                );
            }
        }
        for name in self.file.params.keys() {
            if fact_name(name) {
                return self.top_err(name, format!("参数名 {name} 与事实重名，请换一个名字"));
            }
        }
        // Programs: unique ids, one-off needs a pay term.
        let mut ids: Vec<&str> = Vec::new();
        for p in &self.file.programs {
            if ids.contains(&p.id.as_str()) {
                return self.err_at(p.when.span().start, format!("项目编号重复：{}", p.id));
            }
            ids.push(&p.id);
            if p.period == Period::OneOff && p.pay_term.is_none() {
                return self.err_at(
                    p.when.span().start,
                    format!("一次性项目 {} 需要 pay_term（spring 或 autumn）", p.id),
                );
            }
            if p.amount.is_empty() {
                return self.err_at(
                    p.when.span().start,
                    format!("项目 {} 没有金额规则 [[program.amount]]", p.id),
                );
            }
        }
        // Compile every term the policy covers: catches unknown names and parameters without a value.
        let mut compiled_any = false;
        for year in from.year()..=to.year() {
            for season in [Season::Spring, Season::Autumn] {
                let term = Term::new(year, season);
                let d = self.reference_date(term)?;
                if d >= from && d <= to {
                    self.compile(term)?;
                    compiled_any = true;
                }
            }
        }
        if !compiled_any {
            return self.top_err("effective_from", "生效期内没有任何学期的基准日");
        }
        Ok(())
    }

    pub(crate) fn param<'a>(
        &'a self,
        name: &Spanned<String>,
        on: NaiveDate,
    ) -> Result<(&'a crate::file::ParamDef, &'a toml::Value), PolicyError> {
        let off = inner_start(&self.src, name.span().start);
        let Some(def) = self.file.params.get(name.get_ref()) else {
            return self.err_at(off, format!("未定义的参数：{}", name.get_ref()));
        };
        for v in &def.values {
            let f = parse_day(v.from.get_ref()).unwrap_or(NaiveDate::MAX);
            let t =
                v.to.as_deref()
                    .and_then(parse_day)
                    .unwrap_or(NaiveDate::MAX);
            if f <= on && on <= t {
                return Ok((def, v.value.get_ref()));
            }
        }
        self.err_at(off, format!("参数 {} 在 {on} 没有有效取值", name.get_ref()))
    }

    /// Compiles the policy for one term.
    pub fn compile(&self, term: Term) -> Result<TermPolicy, PolicyError> {
        let (from, to) = self.effective()?;
        let reference_date = self.reference_date(term)?;
        if reference_date < from || reference_date > to {
            return Err(PolicyError {
                line: 0,
                col: 0,
                message: format!(
                    "政策文件《{}》（{} 至 {}）不适用于{}（基准日 {}）",
                    self.file.policy.name,
                    from,
                    to,
                    term.label_zh(),
                    reference_date
                ),
            });
        }
        let mut switches = BTreeMap::new();
        for (name, def) in &self.file.params {
            if def.kind == ParamKind::Bool {
                let sp = Spanned::new(0..0, name.clone());
                if let Ok((_, toml::Value::Boolean(b))) = self.param(&sp, reference_date) {
                    switches.insert(name.clone(), (def.label.clone(), *b));
                }
            }
        }
        let mut defines = BTreeMap::new();
        for (name, d) in &self.file.define {
            let e = self.parse_expr(&d.when)?;
            defines.insert(name.clone(), (d.label.clone(), e));
        }
        let cx = Ctx {
            policy: self,
            defines: &defines,
            switches: &switches,
        };
        let payable_ast = self.parse_expr(&self.file.terms.payable_when)?;
        let payable = cx.compile(
            &payable_ast,
            false,
            &mut Vec::new(),
            self.file.terms.payable_when.span().start,
        )?;
        let mut groups: Vec<String> = Vec::new();
        let mut programs = Vec::new();
        for p in &self.file.programs {
            let when_ast = self.parse_expr(&p.when)?;
            let base = p.when.span().start;
            let mut when = cx.compile(&when_ast, false, &mut Vec::new(), base)?;
            if p.subject == Subject::Student {
                when = when
                    .and(payable.clone())
                    .map_err(|n| at(&self.src, base, too_complex(n)))?;
            }
            let group = match &p.exclusive_group {
                Some(g) => {
                    let i = groups.iter().position(|x| x == g).unwrap_or_else(|| {
                        groups.push(g.clone());
                        groups.len() - 1
                    });
                    Some(i as u8)
                }
                None => None,
            };
            let divisor = match p.period {
                Period::Yearly => 2,
                Period::OneOff => 1,
            };
            let payable_this_term = match p.period {
                Period::Yearly => true,
                Period::OneOff => p.pay_term == Some(term.season),
            };
            let amounts = p
                .amount
                .iter()
                .map(|r| self.compile_amount(&cx, r, reference_date, divisor, term))
                .collect::<Result<Vec<_>, _>>()?;
            let supplements = p
                .supplement
                .iter()
                .map(|r| self.compile_amount(&cx, r, reference_date, divisor, term))
                .collect::<Result<Vec<_>, _>>()?;
            programs.push(CompiledProgram {
                id: p.id.clone(),
                name: p.name.clone(),
                clause: p.clause.clone(),
                subject: p.subject,
                period: p.period,
                payee: p.payee,
                payable_this_term,
                once_per_person: p.once_per_person,
                group,
                group_name: p.exclusive_group.clone(),
                when,
                when_ast,
                amounts,
                supplements,
            });
        }
        if programs.len() > 32 {
            return self.top_err("[[program]]", "项目数不能超过32个");
        }
        let provisions = self.compile_provisions(&cx, &payable, reference_date)?;
        Ok(TermPolicy {
            term,
            reference_date,
            programs,
            payable_ast,
            payable_reference: self.file.terms.payable_reference.clone(),
            defines,
            switches,
            province: self.file.policy.province.clone(),
            provisions,
        })
    }

    pub(crate) fn parse_expr(&self, s: &Spanned<String>) -> Result<Expr, PolicyError> {
        let base = inner_start(&self.src, s.span().start);
        expr::parse(s.get_ref()).map_err(|e| {
            at(
                &self.src,
                base + e.at,
                format!("条件语法错误：{}", e.message),
            )
        })
    }

    fn compile_amount(
        &self,
        cx: &Ctx<'_>,
        r: &AmountRule,
        on: NaiveDate,
        divisor: i64,
        term: Term,
    ) -> Result<CompiledAmount, PolicyError> {
        let (cond, when_ast) = match &r.when {
            Some(w) => {
                let e = self.parse_expr(w)?;
                (
                    cx.compile(&e, false, &mut Vec::new(), w.span().start)?,
                    Some(e),
                )
            }
            None => (Cond::constant(true), None),
        };
        let (bdef, bval) = self.param(&r.base, on)?;
        let boff = inner_start(&self.src, r.base.span().start);
        let yuan = match (bdef.kind, bval) {
            (ParamKind::Yuan, toml::Value::String(s)) => Decimal::from_str(s.trim()).ok(),
            _ => None,
        };
        let Some(mut yuan) = yuan else {
            return self.err_at(
                boff,
                format!("参数 {} 不是金额（kind = \"yuan\"）", r.base.get_ref()),
            );
        };
        let mut explanation = format!("{} {}元", bdef.label, fmt_yuan(yuan));
        if let Some(f) = &r.factor {
            let (fdef, fval) = self.param(f, on)?;
            let rate = match (fdef.kind, fval) {
                (ParamKind::Rate, toml::Value::String(s)) => Decimal::from_str(s.trim()).ok(),
                _ => None,
            };
            let Some(rate) = rate else {
                let off = inner_start(&self.src, f.span().start);
                return self.err_at(
                    off,
                    format!("参数 {} 不是比例（kind = \"rate\"）", f.get_ref()),
                );
            };
            yuan *= rate;
            explanation.push_str(&format!(" × {}（{}）", rate.normalize(), fdef.label));
        }
        let standard_fen = (yuan * Decimal::from(100))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(0);
        // Yearly standards are paid half each term; an odd fen goes to the autumn term.
        let per_term = if divisor == 2 {
            let spring = standard_fen / 2;
            match term.season {
                Season::Spring => spring,
                Season::Autumn => standard_fen - spring,
            }
        } else {
            standard_fen
        };
        if divisor == 2 {
            explanation.push_str("/年，按学期各发一半");
        } else {
            explanation.push_str("（一次性）");
        }
        Ok(CompiledAmount {
            cond,
            when_ast,
            per_term: Fen(per_term),
            standard: Fen(standard_fen),
            explanation,
            note: r.note.clone(),
        })
    }
}

fn fmt_yuan(d: Decimal) -> String {
    d.normalize().to_string()
}

pub(crate) fn too_complex(n: usize) -> String {
    format!(
        "条件过于复杂（展开后 {n} 个分支，上限 {}）",
        crate::cond::MAX_CONJS
    )
}

pub(crate) struct Ctx<'a> {
    policy: &'a Policy,
    defines: &'a BTreeMap<String, (String, Expr)>,
    switches: &'a BTreeMap<String, (String, bool)>,
}

impl Ctx<'_> {
    /// Compiles `e` (negated if `neg`) to bit masks. `stack` detects definitions that refer to themselves.
    pub(crate) fn compile(
        &self,
        e: &Expr,
        neg: bool,
        stack: &mut Vec<String>,
        span_start: usize,
    ) -> Result<Cond, PolicyError> {
        let base = inner_start(&self.policy.src, span_start);
        let err = |off: usize, m: String| at(&self.policy.src, base + off, m);
        let tc = |n: usize| at(&self.policy.src, base, too_complex(n));
        match e {
            Expr::Const(b) => Ok(Cond::constant(*b != neg)),
            Expr::Not(inner) => self.compile(inner, !neg, stack, span_start),
            Expr::And(items) | Expr::Or(items) => {
                let is_and = matches!(e, Expr::And(_)) != neg;
                let mut acc = Cond::constant(is_and);
                for it in items {
                    let c = self.compile(it, neg, stack, span_start)?;
                    acc = if is_and {
                        acc.and(c).map_err(tc)?
                    } else {
                        acc.or(c).map_err(tc)?
                    };
                }
                Ok(acc)
            }
            Expr::Name { name, at: off } => {
                if let Some(f) = bool_fact(name) {
                    return Ok(Cond::bit(f.bit, !neg));
                }
                if let Some((_, b)) = self.switches.get(name) {
                    return Ok(Cond::constant(*b != neg));
                }
                if let Some((_, d)) = self.defines.get(name) {
                    if stack.contains(name) {
                        return Err(err(*off, format!("定义 {name} 循环引用了自身")));
                    }
                    stack.push(name.clone());
                    let span = self
                        .policy
                        .file
                        .define
                        .get(name)
                        .map(|d| d.when.span().start)
                        .unwrap_or(0);
                    let r = self.compile(d, neg, stack, span);
                    stack.pop();
                    return r;
                }
                if enum_fact(name).is_some() {
                    return Err(err(
                        *off,
                        format!("{name} 有多个取值，应写成比较，如 {name} == …"),
                    ));
                }
                Err(err(
                    *off,
                    format!("未知的名称：{name}（不是事实、定义或开关参数）"),
                ))
            }
            Expr::Cmp {
                name,
                op,
                values,
                at: off,
            } => {
                let Some(f) = enum_fact(name) else {
                    return Err(err(*off, format!("{name} 不是可比较的事实")));
                };
                let mut idx = Vec::new();
                for v in values {
                    match f.values.iter().position(|(k, _)| k == v) {
                        Some(i) => idx.push(i),
                        None => {
                            let allowed: Vec<&str> = f.values.iter().map(|(k, _)| *k).collect();
                            return Err(err(
                                *off,
                                format!("{name} 没有取值 {v}；可用：{}", allowed.join("、")),
                            ));
                        }
                    }
                }
                let ordered_op = matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
                if ordered_op && !f.ordered {
                    return Err(err(*off, format!("{name} 没有大小顺序，只能用 ==、!=、in")));
                }
                let v0 = idx.first().copied().unwrap_or(0);
                let sel: Vec<usize> = (0..f.values.len())
                    .filter(|i| match op {
                        CmpOp::Eq | CmpOp::In | CmpOp::Ne | CmpOp::NotIn => idx.contains(i),
                        CmpOp::Lt => *i < v0,
                        CmpOp::Le => *i <= v0,
                        CmpOp::Gt => *i > v0,
                        CmpOp::Ge => *i >= v0,
                    })
                    .collect();
                let mask = sel
                    .iter()
                    .fold(0u64, |m, i| m | (1u64 << (usize::from(f.first_bit) + i)));
                let positive = !matches!(op, CmpOp::Ne | CmpOp::NotIn);
                Ok(Cond::mask(mask, positive != neg))
            }
        }
    }
}
