//! The condition language of the policy file: `stage in [primary, junior] and boarding and difficult`.
//! Names are facts (see [`crate::facts`]), definitions from `[define]`, or yes/no parameters.
//! Operators: `and`, `or`, `not`, parentheses, `==`, `!=`, `<`, `<=`, `>`, `>=`, `in [a, b]`,
//! `not in [a, b]`. Parsing only: names are resolved when the policy is compiled.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        })
    }
}

/// A parsed condition. `at` is the byte offset of the name inside the expression text.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(bool),
    Name {
        name: String,
        at: usize,
    },
    Cmp {
        name: String,
        op: CmpOp,
        values: Vec<String>,
        at: usize,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// A syntax error at a byte offset of the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Op(&'static str),
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        let op: &'static str = match two {
            "==" => "==",
            "!=" => "!=",
            ">=" => ">=",
            "<=" => "<=",
            "&&" => "and",
            "||" => "or",
            _ => "",
        };
        if !op.is_empty() {
            out.push((Tok::Op(op), i));
            i += 2;
            continue;
        }
        let op: &'static str = match c {
            b'(' => "(",
            b')' => ")",
            b'[' => "[",
            b']' => "]",
            b',' => ",",
            b'<' => "<",
            b'>' => ">",
            b'!' => "not",
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(SyntaxError {
                    at: i,
                    message: format!("无法识别的字符「{ch}」"),
                });
            }
        };
        out.push((Tok::Op(op), i));
        i += 1;
    }
    Ok(out)
}

/// Deepest nesting of parentheses and `not` a condition may have (a real policy needs a handful).
pub const MAX_DEPTH: usize = 64;

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map(|t| t.1).unwrap_or(self.end)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == w)
            || matches!(self.peek(), Some(Tok::Op(o)) if *o == w)
    }
    fn is_op(&self, o: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(x)) if *x == o)
    }
    fn err<T>(&self, msg: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            at: self.at(),
            message: msg.into(),
        })
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.not()?];
        while self.is_word("and") {
            self.pos += 1;
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("条件嵌套过深（超过{MAX_DEPTH}层）"));
        }
        let r = if self.is_word("not") {
            self.pos += 1;
            self.not().map(|e| Expr::Not(Box::new(e)))
        } else {
            self.primary()
        };
        self.depth -= 1;
        r
    }

    fn value(&mut self) -> Result<String, SyntaxError> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => self.err("此处应为一个取值"),
        }
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        if self.is_op("(") {
            self.pos += 1;
            let e = self.or()?;
            if !self.is_op(")") {
                return self.err("缺少右括号「)」");
            }
            self.pos += 1;
            return Ok(e);
        }
        let at = self.at();
        let name = match self.peek() {
            Some(Tok::Ident(s)) if !["and", "or", "not", "in"].contains(&s.as_str()) => s.clone(),
            None => return self.err("条件不完整"),
            _ => return self.err("此处应为一个事实名称"),
        };
        self.pos += 1;
        if name == "true" {
            return Ok(Expr::Const(true));
        }
        if name == "false" {
            return Ok(Expr::Const(false));
        }
        let op = if self.is_word("in") {
            Some(CmpOp::In)
        } else if self.is_word("not")
            && matches!(self.toks.get(self.pos + 1), Some((Tok::Ident(s), _)) if s == "in")
        {
            self.pos += 1;
            Some(CmpOp::NotIn)
        } else {
            match self.peek() {
                Some(Tok::Op("==")) => Some(CmpOp::Eq),
                Some(Tok::Op("!=")) => Some(CmpOp::Ne),
                Some(Tok::Op("<")) => Some(CmpOp::Lt),
                Some(Tok::Op("<=")) => Some(CmpOp::Le),
                Some(Tok::Op(">")) => Some(CmpOp::Gt),
                Some(Tok::Op(">=")) => Some(CmpOp::Ge),
                _ => None,
            }
        };
        let Some(op) = op else {
            return Ok(Expr::Name { name, at });
        };
        self.pos += 1;
        let values = if matches!(op, CmpOp::In | CmpOp::NotIn) {
            if !self.is_op("[") {
                return self.err("in 之后应为 [取值, 取值]");
            }
            self.pos += 1;
            let mut vs = vec![self.value()?];
            while self.is_op(",") {
                self.pos += 1;
                vs.push(self.value()?);
            }
            if !self.is_op("]") {
                return self.err("缺少右方括号「]」");
            }
            self.pos += 1;
            vs
        } else {
            vec![self.value()?]
        };
        Ok(Expr::Cmp {
            name,
            op,
            values,
            at,
        })
    }
}

/// Parses a condition. Errors carry the byte offset inside `src`.
pub fn parse(src: &str) -> Result<Expr, SyntaxError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(SyntaxError {
            at: 0,
            message: "条件为空".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
        depth: 0,
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return p.err("多余的内容（是否缺少 and / or？）");
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str, at: usize) -> Expr {
        Expr::Name { name: n.into(), at }
    }

    #[test]
    fn parses_precedence_and_lists() {
        let e = parse("a or b and not c").ok();
        assert_eq!(
            e,
            Some(Expr::Or(vec![
                name("a", 0),
                Expr::And(vec![name("b", 5), Expr::Not(Box::new(name("c", 15)))])
            ]))
        );
        let e = parse("stage in [primary, junior] && approval_level >= county").ok();
        assert_eq!(
            e,
            Some(Expr::And(vec![
                Expr::Cmp {
                    name: "stage".into(),
                    op: CmpOp::In,
                    values: vec!["primary".into(), "junior".into()],
                    at: 0
                },
                Expr::Cmp {
                    name: "approval_level".into(),
                    op: CmpOp::Ge,
                    values: vec!["county".into()],
                    at: 30
                },
            ]))
        );
        let e = parse("hukou not in [urban]").ok();
        assert!(matches!(
            e,
            Some(Expr::Cmp {
                op: CmpOp::NotIn,
                ..
            })
        ));
        let e = parse("(a or b) and c").ok();
        assert!(matches!(e, Some(Expr::And(v)) if matches!(v[0], Expr::Or(_))));
    }

    #[test]
    fn reports_errors_with_offsets() {
        assert_eq!(parse("a and").map_err(|e| e.at), Err(5));
        assert_eq!(parse("a b").map_err(|e| e.at), Err(2));
        assert_eq!(parse("(a or b").map_err(|e| e.at), Err(7));
        assert_eq!(parse("a ≠ b").map_err(|e| e.at), Err(2));
        assert!(parse("").is_err());
        assert!(parse("stage in primary").is_err());
        let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep)
            .map_err(|e| e.message)
            .err()
            .is_some_and(|m| m.contains("嵌套过深")));
        assert!(parse(&"not ".repeat(100_000)).is_err());
        let ok = format!("{}a{}", "(".repeat(30), ")".repeat(30));
        assert!(parse(&ok).is_ok());
    }
}
