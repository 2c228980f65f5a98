//! File-level import errors (导入错误): the file as a whole cannot be read or has no usable header.
//! Row-level problems are [`crate::lists::RowError`]s instead.

use thiserror::Error;

/// Why a file cannot be imported at all. Each variant has a stable code ([`ImportError::code`]) and a
/// Chinese message meant for the county or school user who uploaded the file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    /// The file has no bytes, or no non-blank row.
    #[error("文件为空，没有任何数据")]
    Empty,
    /// A spreadsheet container (xlsx/xls) that the reader cannot parse.
    #[error("无法读取{format}文件：{detail}。请用 Excel 或 WPS 打开后另存为 xlsx 再导入")]
    Unreadable {
        /// `xlsx` or `xls`.
        format: &'static str,
        /// The reader's own message (technical, English).
        detail: String,
    },
    /// The xls/xlsx file is password-protected.
    #[error("文件设置了密码保护，请取消密码后再导入")]
    Encrypted,
    /// The text could not be decoded without loss.
    #[error("编码错误：文件按 {encoding} 编码读取时第{line}行含无法识别的字符，文件可能已损坏或不是所标识的编码，请重新导出后再导入")]
    Encoding {
        /// The encoding that was used or detected (e.g. `GBK`, `UTF-8`).
        encoding: String,
        /// 1-based line of the first undecodable character.
        line: usize,
    },
    /// The text is in an encoding a county file should not have (e.g. windows-1252), so decoding it
    /// would produce wrong characters.
    #[error("无法确定文件编码（疑似 {guessed}），请在 Excel 或 WPS 中另存为 UTF-8 或 GBK 编码的 CSV 后再导入")]
    UnsupportedEncoding {
        /// The detector's guess (WHATWG encoding name).
        guessed: String,
    },
    /// The workbook contains no worksheet.
    #[error("工作簿中没有工作表")]
    NoSheets,
    /// No row in the first 30 rows of any sheet looks like the header of this list.
    #[error("未找到表头：前30行中没有同时包含至少两个预期列名的行。预期的列：{}", .expected.join("、"))]
    NoHeader {
        /// Canonical Chinese names of every column of the list (required ones marked `*`).
        expected: Vec<String>,
    },
    /// The header row lacks required columns. All of them are named in one error.
    #[error("缺少必需的列：{}（表头在第{header_row}行）", .missing.join("、"))]
    MissingColumns {
        /// Canonical Chinese names of the missing columns.
        missing: Vec<String>,
        /// 1-based row of the header.
        header_row: usize,
    },
    /// Two columns of the header mean the same field.
    #[error("表头第{header_row}行中“{first}”和“{second}”都表示“{field}”，请删除其中一列")]
    DuplicateColumn {
        /// Canonical name of the field.
        field: String,
        /// Header text of the first column, as in the file.
        first: String,
        /// Header text of the second column, as in the file.
        second: String,
        /// 1-based row of the header.
        header_row: usize,
    },
    /// More than one visible worksheet looks like this list.
    #[error("工作簿中有多个工作表都像是本名单（{}）。导入会整体替换旧名单，只导入其中一个会漏掉其他工作表中的人员，请合并到一个工作表后再导入", .sheets.join("、"))]
    MultipleSheets {
        /// Names of the matching sheets.
        sheets: Vec<String>,
    },
    /// The file could not be opened or read from disk.
    #[error("无法读取文件 {file}：{detail}")]
    Io {
        /// The file's path as given.
        file: String,
        /// The operating system's reason.
        detail: String,
    },
    /// The file holds far more than what it should answer could (a bank return of a batch).
    #[error("文件过大：{detail}")]
    TooLarge {
        /// What was expected, in Chinese.
        detail: String,
    },
    /// An I/O or parse failure of the text reader in the middle of the file.
    #[error("读取第{line}行时出错：{detail}")]
    Read {
        /// 1-based line.
        line: usize,
        /// Technical detail.
        detail: String,
    },
}

impl ImportError {
    /// Stable code for logs, the audit trail and support (`E-IMP-001` …). Never reused.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty => "E-IMP-001",
            ImportError::Unreadable { .. } => "E-IMP-002",
            ImportError::Encrypted => "E-IMP-003",
            ImportError::Encoding { .. } => "E-IMP-004",
            ImportError::NoSheets => "E-IMP-005",
            ImportError::NoHeader { .. } => "E-IMP-006",
            ImportError::MissingColumns { .. } => "E-IMP-007",
            ImportError::DuplicateColumn { .. } => "E-IMP-008",
            ImportError::Read { .. } => "E-IMP-009",
            ImportError::UnsupportedEncoding { .. } => "E-IMP-010",
            ImportError::MultipleSheets { .. } => "E-IMP-011",
            ImportError::Io { .. } => "E-IMP-012",
            ImportError::TooLarge { .. } => "E-IMP-013",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_message_names_all() {
        let e = ImportError::MissingColumns {
            missing: vec!["学籍号".into(), "学籍状态".into()],
            header_row: 3,
        };
        assert_eq!(
            e.to_string(),
            "缺少必需的列：学籍号、学籍状态（表头在第3行）"
        );
        assert_eq!(e.code(), "E-IMP-007");
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            ImportError::Empty,
            ImportError::Unreadable {
                format: "xlsx",
                detail: String::new(),
            },
            ImportError::Encrypted,
            ImportError::Encoding {
                encoding: "GBK".into(),
                line: 1,
            },
            ImportError::NoSheets,
            ImportError::TooLarge {
                detail: String::new(),
            },
            ImportError::Io {
                file: String::new(),
                detail: String::new(),
            },
            ImportError::NoHeader { expected: vec![] },
            ImportError::MissingColumns {
                missing: vec![],
                header_row: 1,
            },
            ImportError::DuplicateColumn {
                field: String::new(),
                first: String::new(),
                second: String::new(),
                header_row: 1,
            },
            ImportError::Read {
                line: 1,
                detail: String::new(),
            },
            ImportError::UnsupportedEncoding {
                guessed: String::new(),
            },
        ];
        let mut codes: Vec<_> = all.iter().map(ImportError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}

/// Why a file could not be read or written, in Chinese for the common causes; the system's own
/// message (in English) otherwise.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let why = match e.kind() {
        K::NotFound => "文件或文件夹不存在（路径是否写错？当前目录对吗？）",
        K::PermissionDenied => "没有权限（请检查文件或文件夹的权限）",
        K::AlreadyExists => "文件已存在",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::NotADirectory => "路径中的某一级不是文件夹",
        K::StorageFull => "磁盘已满",
        K::ReadOnlyFilesystem => "磁盘或文件夹是只读的",
        _ => return format!("{e}"),
    };
    why.to_string()
}

#[cfg(test)]
mod io_reason_tests {
    #[test]
    fn common_causes_are_in_chinese() {
        let nf = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(super::io_reason(&nf).starts_with("文件或文件夹不存在"));
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert_eq!(super::io_reason(&full), "磁盘已满");
    }
}
