//! The `sync` bench's columns (also run by the `callgrind` bench): every
//! body once per peer, and the consumers that drain them.
#![allow(dead_code)] // each includer uses its own subset

use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures::Stream;

/// Items per generator.
pub const N: u64 = 10_000;

// ---------------------------------------------------------------- consumers

/// Sums an iterator, one `black_box` per item.
#[inline(always)]
pub fn sum_iter(it: impl IntoIterator<Item = u64>) -> u64 {
    let mut sum = 0u64;
    for x in it {
        sum = sum.wrapping_add(black_box(x));
    }
    sum
}

/// Sums a pinned cogen `Generator` by resuming it to completion.
#[inline(always)]
pub fn sum_cogen<G: cogen::Generator<Yield = u64, Return = ()>>(mut g: Pin<&mut G>) -> u64 {
    let mut sum = 0u64;
    while let cogen::GeneratorState::Yielded(x) = g.as_mut().resume(()) {
        sum = sum.wrapping_add(black_box(x));
    }
    sum
}

/// Sums a stream that never waits, polling it with a no-op waker.
#[inline(always)]
pub fn sum_stream<S: Stream<Item = u64>>(mut s: Pin<&mut S>) -> u64 {
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
pub fn first_of_stream<S: Stream<Item = u64>>(s: Pin<&mut S>) -> Option<u64> {
    let mut cx = Context::from_waker(Waker::noop());
    match s.poll_next(&mut cx) {
        Poll::Ready(x) => x,
        Poll::Pending => unreachable!("a sync stream waited"),
    }
}

// ---------------------------------------------------------------- hand-written

pub mod hand {
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

pub mod cogen_iter {
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

/// The same bodies with `boxed`: a `Box<dyn Iterator>`, one dynamic call an
/// item (what the opt-in costs against `cogen_iter`).
pub mod cogen_boxed {
    use cogen::{generator, yield_};

    #[generator(boxed)]
    pub fn count(n: u64) -> impl Iterator<Item = u64> {
        for i in 0..n {
            yield_!(i);
        }
    }

    #[generator(boxed)]
    pub fn double<'a>(xs: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
        for &x in xs {
            yield_!(x * 2);
        }
    }

    #[generator(boxed)]
    pub fn own_vec(n: u64) -> impl Iterator<Item = u64> {
        let v: Vec<u64> = (0..n).collect();
        for x in v.iter().copied() {
            yield_!(x);
        }
    }
}

pub mod cogen_gen {
    use cogen::Generator;
    use cogen::{generator, yield_};

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
pub mod ga {
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
pub mod ng {
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
pub mod as_ {
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
