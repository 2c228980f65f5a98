//! Policy errors: each carries the line and column in the policy file where it was found.

use std::fmt;

/// An error in a policy file or case file, with its position (1-based line and column; 0 = unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "第{}行第{}列：{}", self.line, self.col, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for PolicyError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut line = 1;
    let mut col = 1;
    for (i, ch) in src.char_indices() {
        if i >= offset {
            break;
        }
        if ch == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// Builds an error positioned at a byte offset of `src`.
pub fn at(src: &str, offset: usize, message: impl Into<String>) -> PolicyError {
    let (line, col) = line_col(src, offset);
    PolicyError {
        line,
        col,
        message: message.into(),
    }
}

/// Converts a TOML parse error into a positioned one.
pub fn from_toml(src: &str, e: &toml::de::Error) -> PolicyError {
    let message = format!("格式错误：{}", e.message());
    match e.span() {
        Some(span) => at(src, span.start, message),
        None => PolicyError {
            line: 0,
            col: 0,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_chars() {
        let s = "ab\n学生x";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 1));
        assert_eq!(line_col(s, 6), (2, 2));
    }
}
