//! Async generators: cogen's `Stream` against a hand-written `Stream` and
//! peer crates.
//!
//! ```text
//! cargo bench -p cogen-tests --bench async
//! cargo +nightly bench -p cogen-tests --bench async --features nightly   # adds futures-async-stream
//! ```
//!
//! Every stream is drained the same way: `futures::executor::block_on` around
//! a `StreamExt::next` loop, adding each item through `black_box`.
//!
//! * `async_count`: yields `0..N` with nothing to wait for.
//! * `suspend`: before each item the body awaits a [`Tick`]: a future that is
//!   ready at once, except before every 64th item, where it wakes its own
//!   task and returns `Pending` once. So every column goes back to the
//!   executor N / 64 times, as a stream reading from a buffered source would.
#![cfg_attr(feature = "nightly", feature(coroutines))]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/async_bodies.rs"]
mod bodies;
use bodies::*;

// ---------------------------------------------------------------- futures-async-stream (nightly)

// Out of line: `yield` is feature-gated while parsing, so it may not appear
// in this file even behind a `cfg`.
#[cfg(feature = "nightly")]
#[path = "nightly/futures_async_stream.rs"]
mod fas;

// ---------------------------------------------------------------- groups

/// Runs a column once, out of line, and checks that it yields the same
/// items as every other column and suspends as often.
#[inline(never)]
fn check<F: Fn() -> u64>(group: &str, column: &str, pendings: u64, run: &F) {
    let before = PENDINGS.with(|p| p.get());
    assert_eq!(
        run(),
        (0..N).sum::<u64>(),
        "{group}: {column} yields something else"
    );
    let after = PENDINGS.with(|p| p.get());
    assert_eq!(
        after - before,
        pendings,
        "{group}: {column} suspends differently"
    );
}

/// The columns of one group: `$body` names the body (`count` or `suspend`),
/// `$ga` and `$ga_rc` genawaiter's producers of it, `$pendings` how often
/// it returns `Pending`.
///
/// The check and the timing loop call one closure per column, for the
/// reason given in the `sync` bench's `group!`.
macro_rules! columns {
    ($c:expr, $group:literal, $body:ident, $ga:ident, $ga_rc:ident, $pendings:expr) => {{
        let mut g = $c.benchmark_group($group);
        g.throughput(Throughput::Elements(N));
        macro_rules! column {
            ($name:literal, $run:expr) => {{
                let run = || $run;
                check($group, $name, $pendings, &run);
                g.bench_function($name, |b| b.iter(&run));
            }};
        }
        column!("hand-written", drain(hand::$body(black_box(N))));
        column!("futures unfold", drain(unfold::$body(black_box(N))));
        column!("cogen Stream", drain(cogen_stream::$body(black_box(N))));
        column!(
            "cogen boxed Stream",
            drain(cogen_boxed::$body(black_box(N)))
        );
        column!("async-stream", drain(as_::$body(black_box(N))));
        column!("genawaiter stack", {
            let n = black_box(N);
            genawaiter::stack::let_gen_using!(g, |co| ga::$ga(co, n));
            drain(g)
        });
        column!("genawaiter rc", {
            let n = black_box(N);
            drain(genawaiter::rc::Gen::new(|co| ga::$ga_rc(co, n)))
        });
        #[cfg(feature = "nightly")]
        column!(
            "futures-async-stream (nightly)",
            drain(fas::$body(black_box(N)))
        );
        g.finish();
    }};
}

fn async_count(c: &mut Criterion) {
    columns!(c, "async_count", count, count, count_rc, 0);
}

fn suspend(c: &mut Criterion) {
    columns!(c, "suspend", suspend, suspend, suspend_rc, N / 64);
}

criterion_group!(benches, async_count, suspend);
criterion_main!(benches);
