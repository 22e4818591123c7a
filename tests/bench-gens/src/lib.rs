//! The benchmark matrix's workloads, compiled in this crate: the cells where
//! the generator is defined in another crate than the one that drains it.
//!
//! [`one`] and [`many`] are the very same source (`src/workloads.rs`)
//! compiled twice, so their generator functions have identical bodies yet
//! are different functions: the bench drains `one`'s from one loop and
//! `many`'s from three call sites, and LLVM decides inlining per function.
//! The bench (`benches/matrix.rs`) includes the same file twice more for the
//! cells where the generator is defined in the consuming crate.
//!
//! Run it with `tests/benches/matrix.sh` (see the README's Performance
//! section).

#![cfg_attr(feature = "nightly", feature(async_iterator, gen_blocks))]

// `workloads.rs` names the shared items by this crate's name, so that it
// compiles unchanged here and in the bench.
extern crate self as cogen_bench_gens;

pub mod shared;

/// The workloads for the cells drained from one loop.
#[path = "workloads.rs"]
#[allow(clippy::duplicate_mod)] // deliberately: the same source, two functions each
pub mod one;

/// The workloads for the cells drained from three call sites.
#[path = "workloads.rs"]
#[allow(clippy::duplicate_mod)]
pub mod many;
