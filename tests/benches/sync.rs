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
//! This bench target is built as edition 2024 (see `tests/Cargo.toml`): `gen`
//! blocks are only parsed in that edition.
#![cfg_attr(feature = "nightly", feature(gen_blocks))]

use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::Stream;

const N: u64 = 10_000;

// ---------------------------------------------------------------- consumers

/// Sums an iterator, one `black_box` per item.
#[inline(always)]
fn sum_iter(it: impl IntoIterator<Item = u64>) -> u64 {
    let mut sum = 0u64;
    for x in it {
        sum = sum.wrapping_add(black_box(x));
    }
    sum
}

/// Sums a pinned cogen `Generator` by resuming it to completion.
#[inline(always)]
fn sum_cogen<G: cogen::Generator<Yield = u64, Return = ()>>(mut g: Pin<&mut G>) -> u64 {
    let mut sum = 0u64;
    while let cogen::GeneratorState::Yielded(x) = g.as_mut().resume(()) {
        sum = sum.wrapping_add(black_box(x));
    }
    sum
}

/// Sums a stream that never waits, polling it with a no-op waker.
#[inline(always)]
fn sum_stream<S: Stream<Item = u64>>(mut s: Pin<&mut S>) -> u64 {
    let mut cx = Context::from_waker(Waker::noop());
    let mut sum = 0u64;
    loop {
        match s.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(x)) => sum = sum.wrapping_add(black_box(x)),
            Poll::Ready(None) => return sum,
            Poll::Pending => unreachable!("a sync stream waited"),
        }
    }
}

/// The first item of a stream that never waits.
#[inline(always)]
fn first_of_stream<S: Stream<Item = u64>>(s: Pin<&mut S>) -> Option<u64> {
    let mut cx = Context::from_waker(Waker::noop());
    match s.poll_next(&mut cx) {
        Poll::Ready(x) => x,
        Poll::Pending => unreachable!("a sync stream waited"),
    }
}

// ---------------------------------------------------------------- hand-written

mod hand {
    /// `0..n`, by hand.
    pub struct Count {
        i: u64,
        n: u64,
    }

    pub fn count(n: u64) -> Count {
        Count { i: 0, n }
    }

    impl Iterator for Count {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            if self.i < self.n {
                let i = self.i;
                self.i += 1;
                Some(i)
            } else {
                None
            }
        }
    }

    /// `x * 2` for each element of a borrowed slice.
    pub struct Double<'a> {
        xs: std::slice::Iter<'a, u64>,
    }

    pub fn double(xs: &[u64]) -> Double<'_> {
        Double { xs: xs.iter() }
    }

    impl Iterator for Double<'_> {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            self.xs.next().map(|&x| x * 2)
        }
    }

    /// Builds its own vector and yields its elements. A safe hand-written
    /// iterator cannot hold `v.iter()` next to `v`, so it keeps an index:
    /// what one writes by hand.
    pub struct OwnVec {
        v: Vec<u64>,
        i: usize,
    }

    pub fn own_vec(n: u64) -> OwnVec {
        OwnVec {
            v: (0..n).collect(),
            i: 0,
        }
    }

    impl Iterator for OwnVec {
        type Item = u64;

        #[inline]
        fn next(&mut self) -> Option<u64> {
            let x = *self.v.get(self.i)?;
            self.i += 1;
            Some(x)
        }
    }
}

// ---------------------------------------------------------------- cogen

mod cogen_iter {
    use cogen::{generator, yield_};

    #[generator]
    pub fn count(n: u64) -> impl Iterator<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator]
    pub fn double<'a>(xs: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator]
    pub fn own_vec(n: u64) -> impl Iterator<Item = u64> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }
}

mod cogen_gen {
    use cogen::{Generator, generator, yield_};

    #[generator]
    pub fn count(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator]
    pub fn double<'a>(xs: &'a [u64]) -> impl Generator<Yield = u64, Return = ()> + 'a {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator]
    pub fn own_vec(n: u64) -> impl Generator<Yield = u64, Return = ()> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }
}

// ---------------------------------------------------------------- genawaiter

/// genawaiter's producers are `async` blocks, so they may hold borrows of
/// their own locals across yields: `own_vec` is the same body as cogen's.
mod ga {
    pub async fn count(co: genawaiter::stack::Co<'_, u64>, n: u64) {
        for i in 0..n {
            co.yield_(i).await;
        }
    }

    pub async fn double(co: genawaiter::stack::Co<'_, u64>, xs: &[u64]) {
        for &x in xs {
            co.yield_(x * 2).await;
        }
    }

    pub async fn own_vec(co: genawaiter::stack::Co<'_, u64>, n: u64) {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            co.yield_(x).await;
        }
    }

    pub async fn count_rc(co: genawaiter::rc::Co<u64>, n: u64) {
        for i in 0..n {
            co.yield_(i).await;
        }
    }

    pub async fn double_rc(co: genawaiter::rc::Co<u64>, xs: &[u64]) {
        for &x in xs {
            co.yield_(x * 2).await;
        }
    }

    pub async fn own_vec_rc(co: genawaiter::rc::Co<u64>, n: u64) {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            co.yield_(x).await;
        }
    }
}

// ---------------------------------------------------------------- next-gen

/// next-gen generators are pinned (on the stack with `mk_gen!`), so they may
/// borrow their own locals across yields too.
mod ng {
    use next_gen::prelude::*;

    #[generator(yield(u64))]
    pub fn count(n: u64) {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator(yield(u64))]
    pub fn double(xs: &[u64]) {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator(yield(u64))]
    pub fn own_vec(n: u64) {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }

    #[inline(always)]
    pub fn sum_count(n: u64) -> u64 {
        mk_gen!(let g = count(n));
        super::sum_iter(g)
    }

    #[inline(always)]
    pub fn sum_double(xs: &[u64]) -> u64 {
        mk_gen!(let g = double(xs));
        super::sum_iter(g)
    }

    #[inline(always)]
    pub fn sum_own_vec(n: u64) -> u64 {
        mk_gen!(let g = own_vec(n));
        super::sum_iter(g)
    }

    #[inline(always)]
    pub fn first_of_count(n: u64) -> Option<u64> {
        mk_gen!(let mut g = count(n));
        g.next()
    }
}

// ---------------------------------------------------------------- async-stream

/// async-stream bodies are `async` blocks too: `own_vec` borrows its vector.
mod as_ {
    use futures::Stream;

    pub fn count(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            for i in 0..n {
                yield i;
            }
        }
    }

    pub fn double(xs: &[u64]) -> impl Stream<Item = u64> + '_ {
        async_stream::stream! {
            for &x in xs {
                yield x * 2;
            }
        }
    }

    pub fn own_vec(n: u64) -> impl Stream<Item = u64> {
        async_stream::stream! {
            let v: Vec<u64> = (0..n).collect();
            for x in v.iter().copied() {
                yield x;
            }
        }
    }
}

// ---------------------------------------------------------------- nightly `gen` blocks

// The module is out of line: `gen` and `yield` are feature-gated while
// parsing, so they may not appear in this file even behind a `cfg`.
#[cfg(feature = "nightly")]
#[path = "nightly/gen_blocks.rs"]
mod gen_block;

// ---------------------------------------------------------------- groups

/// One criterion group: each column's expression is run once and checked
/// against the first column's result (outside the timings), then timed.
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
                let got = $run;
                let want = *first.get_or_insert(got);
                assert_eq!(got, want, "{}: {} disagrees with the first column", $name, $column);
                g.bench_function($column, |b| b.iter(|| $run));
            }
        )*
        g.finish();
    }};
}

fn count(c: &mut Criterion) {
    group!(c, "count", Some(N), [
        "hand-written" => sum_iter(hand::count(black_box(N))),
        "cogen Iterator" => sum_iter(cogen_iter::count(black_box(N))),
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

criterion_group!(benches, count, map_slice, self_borrow, creation);
criterion_main!(benches);
