//! The `zizhu` binary as a user runs it: the demo, a kill during compute and import, the policy
//! commands. One test binary (each costs link time).

mod common;
mod demo;
mod kill;
mod policy;
