//! End-to-end stories of the use cases on a temporary SQLite file: small county files written by
//! the tests, imported, matched, computed; amounts worked by hand from the policy text.
#![allow(clippy::panic, clippy::unwrap_used)]

mod admission;
mod dropout;
mod exchange;
mod fixtures;
mod story;
mod zero_fee;
