//! Nightly's `gen` and `async gen` blocks, the same workloads as their
//! namesakes in `workloads.rs` (which includes this file in each copy).

use cogen::Stream;
use cogen_bench_gens::shared::AsyncGen;

/// `count`, as a `gen` block.
pub fn count(n: u64) -> impl Iterator<Item = u64> {
    gen move {
        for i in 0..n {
            yield i;
        }
    }
}

/// `async_count`, as an `async gen` block.
pub fn async_count(n: u64) -> impl Stream<Item = u64> {
    AsyncGen(async gen move {
        for i in 0..n {
            yield i;
        }
    })
}

/// `suspend`, as an `async gen` block.
pub fn suspend(n: u64) -> impl Stream<Item = u64> {
    AsyncGen(async gen move {
        for i in 0..n {
            let x = super::step(i).await;
            yield x;
        }
    })
}
