//! Sync generators: cogen against a hand-written `Iterator` and peer crates.
//!
//! ```text
//! cargo bench -p cogen-tests --bench sync
//! cargo +nightly bench -p cogen-tests --bench sync --features nightly   # adds `gen` blocks
//! ```
//!
//! Every group runs all its columns in one criterion run, so ratios between
//! columns of a group come from the same conditions. The consumer adds each
//! item through `black_box`, so no column can be folded into a closed form.
//!
//! The package is edition 2024: `gen` blocks are only parsed in that edition.
#![cfg_attr(feature = "nightly", feature(gen_blocks))]

use std::hint::black_box;
use std::pin::pin;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/sync_bodies.rs"]
mod bodies;
use bodies::*;

// ---------------------------------------------------------------- nightly `gen` blocks

// The module is out of line: `gen` and `yield` are feature-gated while
// parsing, so they may not appear in this file even behind a `cfg`.
#[cfg(feature = "nightly")]
#[path = "nightly/gen_blocks.rs"]
mod gen_block;

// ---------------------------------------------------------------- groups

/// Runs a column once, out of line, for the check.
#[inline(never)]
fn once<T, F: Fn() -> T>(run: &F) -> T {
    run()
}

/// One criterion group: each column's expression is run once and checked
/// against the first column's result (outside the timings), then timed.
///
/// Both runs call one closure per column. Written out twice, the expression
/// gave LLVM more call sites of each generator body's `poll`, and whether
/// it inlined a body into the timed loop then depended on the harness more
/// than on the crate that made it (async-stream's counter: 11x hand-written
/// with the expression written twice, 1.5x with one closure).
macro_rules! group {
    ($c:expr, $name:literal, $elements:expr, [
        $( $(#[$attr:meta])* $column:literal => $run:expr ),* $(,)?
    ]) => {{
        let mut g = $c.benchmark_group($name);
        if let Some(n) = $elements {
            g.throughput(Throughput::Elements(n));
        }
        let mut first = None;
        $(
            $(#[$attr])*
            {
                let run = || $run;
                let got = once(&run);
                let want = *first.get_or_insert(got);
                assert_eq!(got, want, "{}: {} disagrees with the first column", $name, $column);
                g.bench_function($column, |b| b.iter(&run));
            }
        )*
        g.finish();
    }};
}

fn count(c: &mut Criterion) {
    group!(c, "count", Some(N), [
        "hand-written" => sum_iter(hand::count(black_box(N))),
        "cogen Iterator" => sum_iter(cogen_iter::count(black_box(N))),
        "cogen boxed Iterator" => sum_iter(cogen_boxed::count(black_box(N))),
        "cogen Generator" => sum_cogen(pin!(cogen_gen::count(black_box(N)))),
        "genawaiter stack" => {
            let n = black_box(N);
            genawaiter::stack::let_gen_using!(g, |co| ga::count(co, n));
            sum_iter(g)
        },
        "genawaiter rc" => {
            let n = black_box(N);
            sum_iter(genawaiter::rc::Gen::new(|co| ga::count_rc(co, n)))
        },
        "next-gen" => ng::sum_count(black_box(N)),
        "async-stream" => sum_stream(pin!(as_::count(black_box(N)))),
        #[cfg(feature = "nightly")]
        "gen block (nightly)" => sum_iter(gen_block::count(black_box(N))),
    ]);
}

fn map_slice(c: &mut Criterion) {
    let data: Vec<u64> = (0..N).collect();
    let xs = &data[..];
    group!(c, "map_slice", Some(N), [
        "hand-written" => sum_iter(hand::double(black_box(xs))),
        "cogen Iterator" => sum_iter(cogen_iter::double(black_box(xs))),
        "cogen boxed Iterator" => sum_iter(cogen_boxed::double(black_box(xs))),
        "cogen Generator" => sum_cogen(pin!(cogen_gen::double(black_box(xs)))),
        "genawaiter stack" => {
            let xs = black_box(xs);
            genawaiter::stack::let_gen_using!(g, |co| ga::double(co, xs));
            sum_iter(g)
        },
        "genawaiter rc" => {
            let xs = black_box(xs);
            sum_iter(genawaiter::rc::Gen::new(|co| ga::double_rc(co, xs)))
        },
        "next-gen" => ng::sum_double(black_box(xs)),
        "async-stream" => sum_stream(pin!(as_::double(black_box(xs)))),
        #[cfg(feature = "nightly")]
        "gen block (nightly)" => sum_iter(gen_block::double(black_box(xs))),
    ]);
}

fn self_borrow(c: &mut Criterion) {
    group!(c, "self_borrow", Some(N), [
        "hand-written" => sum_iter(hand::own_vec(black_box(N))),
        "cogen Iterator" => sum_iter(cogen_iter::own_vec(black_box(N))),
        "cogen boxed Iterator" => sum_iter(cogen_boxed::own_vec(black_box(N))),
        "cogen Generator" => sum_cogen(pin!(cogen_gen::own_vec(black_box(N)))),
        "genawaiter stack" => {
            let n = black_box(N);
            genawaiter::stack::let_gen_using!(g, |co| ga::own_vec(co, n));
            sum_iter(g)
        },
        "genawaiter rc" => {
            let n = black_box(N);
            sum_iter(genawaiter::rc::Gen::new(|co| ga::own_vec_rc(co, n)))
        },
        "next-gen" => ng::sum_own_vec(black_box(N)),
        "async-stream" => sum_stream(pin!(as_::own_vec(black_box(N)))),
        // No `gen` block column: see `nightly/gen_blocks.rs`.
    ]);
}

/// Create a counting generator, take its first item, drop it.
fn creation(c: &mut Criterion) {
    use cogen::{Generator, GeneratorState};
    group!(c, "create", None, [
        "hand-written" => hand::count(black_box(N)).next(),
        "cogen Iterator" => cogen_iter::count(black_box(N)).next(),
        "cogen Generator" => match pin!(cogen_gen::count(black_box(N))).resume(()) {
            GeneratorState::Yielded(x) => Some(x),
            GeneratorState::Complete(()) => None,
        },
        "genawaiter stack" => {
            let n = black_box(N);
            genawaiter::stack::let_gen_using!(g, |co| ga::count(co, n));
            match g.resume() {
                genawaiter::GeneratorState::Yielded(x) => Some(x),
                genawaiter::GeneratorState::Complete(()) => None,
            }
        },
        "genawaiter rc" => {
            let n = black_box(N);
            match genawaiter::rc::Gen::new(|co| ga::count_rc(co, n)).resume() {
                genawaiter::GeneratorState::Yielded(x) => Some(x),
                genawaiter::GeneratorState::Complete(()) => None,
            }
        },
        "next-gen" => ng::first_of_count(black_box(N)),
        "async-stream" => first_of_stream(pin!(as_::count(black_box(N)))),
        #[cfg(feature = "nightly")]
        "gen block (nightly)" => gen_block::count(black_box(N)).next(),
    ]);
}

/// `count`, with the generator defined in another crate (`cogen_tests`).
fn count_other_crate(c: &mut Criterion) {
    use cogen_tests::other_crate as other;
    group!(c, "count_other_crate", Some(N), [
        "hand-written" => sum_iter(other::hand_count(black_box(N))),
        "cogen Iterator" => sum_iter(other::count(black_box(N))),
    ]);
}

criterion_group!(
    benches,
    count,
    map_slice,
    self_borrow,
    creation,
    count_other_crate
);
criterion_main!(benches);
