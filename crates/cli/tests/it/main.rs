//! The `zizhu` binary as a user runs it: the demo, a kill during compute and import, the policy
//! commands. One test binary (each costs link time).
#![allow(clippy::panic, clippy::unwrap_used)]

mod common;
mod demo;
mod kill;
mod policy;
mod store;
