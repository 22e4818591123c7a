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

/// The columns of one group: `$body` names the body (`count` or `suspend`),
/// `$ga` and `$ga_rc` genawaiter's producers of it.
macro_rules! columns {
    ($c:expr, $group:literal, $body:ident, $ga:ident, $ga_rc:ident) => {{
        let mut g = $c.benchmark_group($group);
        g.throughput(Throughput::Elements(N));
        g.bench_function("hand-written", |b| {
            b.iter(|| drain(hand::$body(black_box(N))))
        });
        g.bench_function("futures unfold", |b| {
            b.iter(|| drain(unfold::$body(black_box(N))))
        });
        g.bench_function("cogen Stream", |b| {
            b.iter(|| drain(cogen_stream::$body(black_box(N))))
        });
        g.bench_function("async-stream", |b| {
            b.iter(|| drain(as_::$body(black_box(N))))
        });
        g.bench_function("genawaiter stack", |b| {
            b.iter(|| {
                let n = black_box(N);
                genawaiter::stack::let_gen_using!(g, |co| ga::$ga(co, n));
                drain(g)
            })
        });
        g.bench_function("genawaiter rc", |b| {
            b.iter(|| {
                let n = black_box(N);
                drain(genawaiter::rc::Gen::new(|co| ga::$ga_rc(co, n)))
            })
        });
        #[cfg(feature = "nightly")]
        g.bench_function("futures-async-stream (nightly)", |b| {
            b.iter(|| drain(fas::$body(black_box(N))))
        });
        g.finish();
    }};
}

/// Every column yields the same items and suspends as often (checked once,
/// outside the timings). `columns` are (name, drain) pairs.
fn check(body: &str, pendings: u64, columns: &[(&str, &dyn Fn() -> u64)]) {
    let expected: u64 = (0..N).sum();
    for (name, run) in columns {
        let before = PENDINGS.with(|p| p.get());
        assert_eq!(run(), expected, "{body}: {name} yields something else");
        let after = PENDINGS.with(|p| p.get());
        assert_eq!(
            after - before,
            pendings,
            "{body}: {name} suspends differently"
        );
    }
}

fn async_count(c: &mut Criterion) {
    check(
        "count",
        0,
        &[
            ("hand-written", &|| drain(hand::count(N))),
            ("unfold", &|| drain(unfold::count(N))),
            ("cogen", &|| drain(cogen_stream::count(N))),
            ("async-stream", &|| drain(as_::count(N))),
            ("genawaiter stack", &|| {
                genawaiter::stack::let_gen_using!(g, |co| ga::count(co, N));
                drain(g)
            }),
            ("genawaiter rc", &|| {
                drain(genawaiter::rc::Gen::new(|co| ga::count_rc(co, N)))
            }),
            #[cfg(feature = "nightly")]
            ("futures-async-stream", &|| drain(fas::count(N))),
        ],
    );
    columns!(c, "async_count", count, count, count_rc);
}

fn suspend(c: &mut Criterion) {
    check(
        "suspend",
        N / 64,
        &[
            ("hand-written", &|| drain(hand::suspend(N))),
            ("unfold", &|| drain(unfold::suspend(N))),
            ("cogen", &|| drain(cogen_stream::suspend(N))),
            ("async-stream", &|| drain(as_::suspend(N))),
            ("genawaiter stack", &|| {
                genawaiter::stack::let_gen_using!(g, |co| ga::suspend(co, N));
                drain(g)
            }),
            ("genawaiter rc", &|| {
                drain(genawaiter::rc::Gen::new(|co| ga::suspend_rc(co, N)))
            }),
            #[cfg(feature = "nightly")]
            ("futures-async-stream", &|| drain(fas::suspend(N))),
        ],
    );
    columns!(c, "suspend", suspend, suspend, suspend_rc);
}

criterion_group!(benches, async_count, suspend);
criterion_main!(benches);
