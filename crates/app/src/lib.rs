//! Use cases of zizhu (资助): the thin orchestration between the pure domain and policy crates
//! and the store and import/export layers. Each module is one thing a user asks for: import a
//! list, compute a term, explain one student, write the reports.

pub mod accounts;
pub mod adjust;
pub mod admission;
pub mod case_forms;
pub mod complaints;
pub mod compute;
pub mod dropout;
pub mod dropout_as_of;
pub mod dropout_report;
pub mod evaluation;
pub mod exchange;
pub mod exchange_import;
pub mod exchange_report;
pub mod explain;
pub mod import;
pub mod matching;
pub mod payments;
pub mod quality;
pub mod recheck;
pub mod reports;
pub mod school_age;
pub mod zero_fee;
pub mod zero_fee_report;

pub use compute::{compute_term, compute_term_from, evaluate_term, ComputeSummary};

/// Errors of a use case, with a Chinese message for the user.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Store(#[from] zizhu_store::StoreError),
    #[error("政策文件错误：{0}")]
    Policy(#[from] zizhu_policy::PolicyError),
    #[error("{0}")]
    Import(#[from] zizhu_io::ImportError),
    #[error("{0}")]
    Other(String),
}
