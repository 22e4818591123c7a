//! Integration tests, benchmarks and examples for cogen live in this package.

// The README's examples are compiled and run as doc tests, so that the first
// code a newcomer copies works.
#[doc = include_str!("../../README.md")]
pub mod readme {}
