//! Paying the aid (资金发放): payee accounts and their validation, payment batches and their states,
//! the ledger's entry kinds, and the outcome of a bank's return. Pure: the store keeps the ledger
//! append-only and makes a second successful payment of one student, program and term impossible.

mod account;
mod batch;

pub use account::{luhn_ok, mask, AccountError, AccountKind, AccountNo, PayeeAccount};
pub use batch::{BatchError, BatchState, LedgerKind, LineOutcome};
