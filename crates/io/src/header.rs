//! Finding the header row (表头) by content: government files put merged title rows, a unit/date
//! row and sometimes notes above it, so the header is the row among the first 30 that matches the
//! most known column names.

use crate::columns::{ColumnSpec, Field};
use crate::error::ImportError;
use crate::read::{Cell, Row};

/// How many rows from the top of a sheet are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Normalises a header cell for matching: removes all whitespace (including line breaks, U+3000 and
/// zero-width characters), maps full-width ASCII (brackets `（）`, colon `：`, `＊`) to ASCII,
/// strips `*` required markers at either end and a trailing `:`, lower-cases Latin letters.
pub fn normalize_header(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        })
        .map(|c| {
            let cp = u32::from(c);
            match c {
                '【' | '〔' => '[',
                '】' | '〕' => ']',
                _ if (0xFF01..=0xFF5E).contains(&cp) => char::from_u32(cp - 0xFEE0).unwrap_or(c),
                _ => c,
            }
        })
        .flat_map(char::to_lowercase)
        .collect();
    loop {
        let before = out.len();
        if let Some(t) = out.strip_suffix(['*', ':']) {
            out = t.to_string();
        }
        if let Some(t) = out.strip_prefix('*') {
            out = t.to_string();
        }
        if out.len() == before {
            return out;
        }
    }
}

/// The spec a header cell names, if any.
fn spec_for<'s>(specs: &'s [ColumnSpec], cell: &Cell) -> Option<&'s ColumnSpec> {
    let Cell::Text(text) = cell else { return None };
    let key = normalize_header(text);
    if key.is_empty() {
        return None;
    }
    specs.iter().find(|s| {
        normalize_header(s.label) == key || s.aliases.iter().any(|a| normalize_header(a) == key)
    })
}

/// Number of distinct specs a row names.
fn score(specs: &[ColumnSpec], row: &Row) -> usize {
    let mut fields: Vec<Field> = row
        .cells
        .iter()
        .filter_map(|c| spec_for(specs, c))
        .map(|s| s.field)
        .collect();
    fields.sort_unstable();
    fields.dedup();
    fields.len()
}

/// Index (into `rows`) of the header row: the row naming the most columns, at least two; the first
/// such row on a tie. Only the first [`HEADER_SEARCH_ROWS`] rows are looked at.
pub fn locate(specs: &[ColumnSpec], rows: &[Row]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let s = score(specs, row);
        if s >= 2 && best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// One recognised column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedColumn {
    /// The field the column holds.
    pub field: Field,
    /// Index into [`Row::cells`].
    pub index: usize,
    /// Header text exactly as in the file (for error reports).
    pub header: String,
    /// Canonical Chinese name.
    pub label: &'static str,
    /// Whether its cells must not be empty.
    pub required: bool,
}

/// Where each field is in the rows below the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMap {
    /// 1-based row number of the header.
    pub row: usize,
    /// The recognised columns, left to right.
    pub columns: Vec<MappedColumn>,
}

impl HeaderMap {
    /// Checks the header row and maps its columns.
    ///
    /// Errors: [`ImportError::DuplicateColumn`] when two columns mean the same field;
    /// [`ImportError::MissingColumns`] naming every missing required column at once.
    pub fn build(specs: &[ColumnSpec], header: &Row) -> Result<HeaderMap, ImportError> {
        let mut columns: Vec<MappedColumn> = Vec::new();
        for (index, cell) in header.cells.iter().enumerate() {
            let Some(spec) = spec_for(specs, cell) else {
                continue;
            };
            // As the user reads it in a message: a header cell's line breaks (Alt+Enter in Excel)
            // and tabs are layout, not text.
            let text: String = cell
                .display()
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
                .trim()
                .to_string();
            if let Some(first) = columns.iter().find(|c| c.field == spec.field) {
                return Err(ImportError::DuplicateColumn {
                    field: spec.label.to_string(),
                    first: first.header.clone(),
                    second: text,
                    header_row: header.number,
                });
            }
            columns.push(MappedColumn {
                field: spec.field,
                index,
                header: text,
                label: spec.label,
                required: spec.required,
            });
        }
        let missing: Vec<String> = specs
            .iter()
            .filter(|s| s.required && !columns.iter().any(|c| c.field == s.field))
            .map(|s| s.label.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns {
                missing,
                header_row: header.number,
            });
        }
        Ok(HeaderMap {
            row: header.number,
            columns,
        })
    }

    /// The column of a field, if the file has it.
    pub fn get(&self, field: Field) -> Option<&MappedColumn> {
        self.columns.iter().find(|c| c.field == field)
    }
}

/// The expected columns for a "no header" message: canonical names, required ones marked `*`.
pub fn expected_columns(specs: &[ColumnSpec]) -> Vec<String> {
    specs
        .iter()
        .map(|s| {
            if s.required {
                format!("{}*", s.label)
            } else {
                s.label.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::specs;
    use zizhu_domain::ListKind;

    fn row(number: usize, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_header(" 身份证\n号码 "), "身份证号码");
        assert_eq!(normalize_header("乡镇（街道）"), "乡镇(街道)");
        assert_eq!(normalize_header("*姓名"), "姓名");
        assert_eq!(normalize_header("姓名*"), "姓名");
        assert_eq!(normalize_header("姓名：*"), "姓名");
        assert_eq!(normalize_header("姓　名:"), "姓名");
        assert_eq!(normalize_header("ＩＤ"), "id");
    }

    #[test]
    fn header_found_below_title_rows() {
        let s = specs(ListKind::Dibao);
        let rows = vec![
            row(1, &["XX县2023年农村低保名单", "", ""]),
            row(2, &["填报单位：民政局", "", "2023-09-01"]),
            row(3, &["序号", "姓 名", "身份证号", "城乡类别"]),
            row(4, &["1", "张三", "x", "农村"]),
        ];
        assert_eq!(locate(s, &rows), Some(2));
        let map = HeaderMap::build(s, &rows[2]).ok();
        let map = map.as_ref();
        assert_eq!(map.map(|m| m.row), Some(3));
        assert_eq!(
            map.and_then(|m| m.get(Field::Name))
                .map(|c| (c.index, c.header.as_str())),
            Some((1, "姓 名"))
        );
    }

    #[test]
    fn one_match_is_not_a_header() {
        let s = specs(ListKind::Dibao);
        assert_eq!(locate(s, &[row(1, &["姓名", "备注"])]), None);
    }

    #[test]
    fn best_row_wins() {
        let s = specs(ListKind::Dibao);
        let rows = vec![
            row(1, &["姓名", "身份证号"]),
            row(2, &["姓名", "身份证号", "城乡类别"]),
        ];
        assert_eq!(locate(s, &rows), Some(1));
    }

    #[test]
    fn missing_columns_all_named() {
        let s = specs(ListKind::Students);
        let r = row(3, &["姓名", "身份证件号", "学校标识码", "年级", "是否住校"]);
        assert_eq!(
            HeaderMap::build(s, &r),
            Err(ImportError::MissingColumns {
                missing: vec!["学籍号".into(), "学籍状态".into()],
                header_row: 3
            })
        );
    }

    #[test]
    fn duplicate_column_is_an_error() {
        let s = specs(ListKind::Dibao);
        let r = row(1, &["姓名", "身份证号", "证件号码", "城乡类别"]);
        assert!(matches!(
            HeaderMap::build(s, &r),
            Err(ImportError::DuplicateColumn { ref first, ref second, .. }) if first == "身份证号" && second == "证件号码"
        ));
    }

    #[test]
    fn not_an_alias() {
        let s = specs(ListKind::Students);
        assert!(spec_for(s, &Cell::Text("学籍辅号".into())).is_none());
        assert_eq!(
            spec_for(s, &Cell::Text("全国学籍号".into())).map(|c| c.field),
            Some(Field::StudentNo)
        );
    }
}
