//! Text for an xlsx cell: Excel holds at most 32,767 characters in one, and rust_xlsxwriter
//! refuses a longer string — which would stop a whole roster or error report over one cell.

use std::borrow::Cow;

/// Excel's limit on the characters of one cell.
const EXCEL_CELL_CHARS: usize = 32_767;
/// Characters kept of a longer text, leaving room for the note.
const KEPT_CHARS: usize = 32_000;

/// `text` as it fits in one cell: unchanged when it fits, otherwise its first 32,000
/// characters and a note in Chinese giving the original length.
pub fn fit(text: &str) -> Cow<'_, str> {
    // Cheap test first: a string of at most 32,767 bytes has at most as many characters.
    if text.len() <= EXCEL_CELL_CHARS || text.chars().count() <= EXCEL_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let total = text.chars().count();
    let kept: String = text.chars().take(KEPT_CHARS).collect();
    Cow::Owned(format!(
        "{kept}……（超出 Excel 单元格 32767 字的上限，以下从略；原文共 {total} 字）"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_pass_and_long_ones_are_cut_with_a_note() {
        assert!(matches!(fit("张三"), Cow::Borrowed("张三")));
        let exact = "字".repeat(EXCEL_CELL_CHARS);
        assert_eq!(fit(&exact).chars().count(), EXCEL_CELL_CHARS);
        let long = "字".repeat(40_000);
        let cut = fit(&long);
        assert!(cut.chars().count() <= EXCEL_CELL_CHARS);
        assert!(cut.starts_with(&"字".repeat(KEPT_CHARS)));
        assert!(
            cut.ends_with("原文共 40000 字）"),
            "{}",
            &cut[cut.len() - 60..]
        );
    }
}
