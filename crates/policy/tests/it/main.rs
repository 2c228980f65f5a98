//! Policy engine tests: the county's 2023 policy file against its hand-worked cases, and the
//! errors a county editor gets for a bad file.

mod check;
mod county2023;
