//! Policy engine tests: the county's 2023 policy file against its hand-worked cases, and the
//! errors a county editor gets for a bad file.
#![allow(clippy::panic, clippy::unwrap_used)]

mod check;
mod county2023;
mod provision;
