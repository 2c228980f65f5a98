//! Generated SQL text: bind-parameter lists whose length depends on the data (multi-row
//! `VALUES`, `IN (…)` lists), written in each backend's cheapest placeholder style.

/// How generated SQL writes its bind parameters. Fixed SQL uses `$1…$n` on both backends; but
/// SQLite treats `$n` as a *named* parameter and looks each name up by a linear scan, so
/// binding thousands of them is quadratic (measured: 1 700 rows/s instead of hundreds of
/// thousands). Generated SQL therefore uses anonymous `?` on SQLite, bound in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Params {
    /// `$1, $2, …` (PostgreSQL).
    Numbered,
    /// `?, ?, …` in binding order (SQLite).
    Positional,
}

impl Params {
    /// Appends the placeholder of parameter number `n` (1-based).
    pub(crate) fn push(self, sql: &mut String, n: usize) {
        match self {
            Params::Numbered => {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            Params::Positional => sql.push('?'),
        }
    }

    /// The placeholder of parameter number `n` (1-based).
    pub(crate) fn nth(self, n: usize) -> String {
        let mut s = String::new();
        self.push(&mut s, n);
        s
    }
}

/// `(p_first, p_first+1, …)` with `n` placeholders.
pub(crate) fn placeholders(p: Params, first: usize, n: usize) -> String {
    let mut sql = String::with_capacity(n * 7 + 2);
    sql.push('(');
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        p.push(&mut sql, first + i);
    }
    sql.push(')');
    sql
}

/// `head` followed by `rows` groups `(consts, p1, …)` of `cols` placeholders each, numbered
/// from 1 across rows. `consts` are literal values shared by every row (our own integers and
/// term keys, never user data), so they cost no bind parameter.
pub(crate) fn multi_values(
    p: Params,
    head: &str,
    consts: &str,
    cols: usize,
    rows: usize,
) -> String {
    let mut sql = String::with_capacity(head.len() + rows * (consts.len() + cols * 7 + 4));
    sql.push_str(head);
    let mut n = 0usize;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        sql.push_str(consts);
        for c in 0..cols {
            n += 1;
            if c > 0 || !consts.is_empty() {
                sql.push(',');
            }
            p.push(&mut sql, n);
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_values_numbers_placeholders_across_rows() {
        let head = "INSERT INTO t (a, b, c) VALUES ";
        assert_eq!(
            multi_values(Params::Numbered, head, "7", 2, 2),
            "INSERT INTO t (a, b, c) VALUES (7,$1,$2),(7,$3,$4)"
        );
        assert_eq!(
            multi_values(Params::Positional, head, "7", 2, 2),
            "INSERT INTO t (a, b, c) VALUES (7,?,?),(7,?,?)"
        );
        assert_eq!(
            multi_values(Params::Numbered, "V ", "", 3, 1),
            "V ($1,$2,$3)"
        );
    }

    #[test]
    fn placeholder_lists() {
        assert_eq!(placeholders(Params::Numbered, 2, 3), "($2, $3, $4)");
        assert_eq!(placeholders(Params::Positional, 2, 3), "(?, ?, ?)");
        assert_eq!(placeholders(Params::Numbered, 1, 1), "($1)");
        assert_eq!(Params::Numbered.nth(1), "$1");
        assert_eq!(Params::Positional.nth(1), "?");
    }
}
