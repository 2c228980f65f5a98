//! Domain types of zizhu (资助): the people, schools and department lists the county works with,
//! resident ID numbers (GB 11643-1999), terms and money. Pure: no I/O, no database, no clock.

pub mod access;
pub mod admission;
pub mod approval;
pub mod complaint;
pub mod dates;
pub mod dropout;
pub mod evaluation;
pub mod exchange;
pub mod ids;
pub mod labels;
pub mod model;
pub mod money;
pub mod payment;
pub mod recheck;
pub mod term;
pub mod text;
pub mod zero_fee;

pub use ids::{IdError, IdKind, IdNumber, IdWarning};
pub use model::*;
pub use money::Fen;
pub use term::{Season, Term};
