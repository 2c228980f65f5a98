//! The policy engine of zizhu. A county's policy (amounts, dates, categories, eligibility, payees,
//! clauses) is a TOML file ([`file`]); [`Policy::parse`] validates it with line and column, and
//! [`Policy::compile`] turns it into bit masks for one term, so [`engine`] evaluates millions of
//! students a second and [`explain`] tells, in Chinese, why each program was or was not granted.
//! No I/O.

pub mod admission;
pub mod cases;
pub mod compile;
pub mod complaints;
pub mod cond;
pub mod dropout;
pub mod engine;
pub mod error;
pub mod evaluation;
pub mod exchange;
pub mod explain;
pub mod expr;
pub mod facts;
pub mod file;
pub mod payment;
pub mod provision;

pub use compile::{CompiledProgram, Policy, TermPolicy};
pub use engine::Grant;
pub use error::PolicyError;
pub use facts::{FactInput, Facts};
pub use file::{Payee, Period, Subject};
