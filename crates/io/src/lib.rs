//! Import and export for zizhu (资助): reading county spreadsheets (xlsx, xls, CSV/TSV in UTF-8, UTF-16
//! or GBK/GB18030, and the student-registration system's fake `.xls`) into validated domain records,
//! and writing error reports.
//!
//! Entry point: [`open_list`], then iterate the [`ListRows`].

pub mod bank;
pub mod cell_text;
pub mod columns;
pub mod error;
pub mod header;
pub mod lists;
pub mod quality_report;
pub mod read;
pub mod report;
pub mod roster;
pub mod tables;

pub use error::ImportError;
pub use lists::{
    open_list, open_list_path, sha256_hex, ListRows, RowError, RowOutcome, RowWarning, SourceInfo,
};
pub use read::SourceFormat;
pub use report::{write_error_report, ReportError};
