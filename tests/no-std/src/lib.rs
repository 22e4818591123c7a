//! A `#![no_std]` crate without `alloc` using the forms that need no heap:
//! `impl Generator`, `impl AsyncGenerator` and `impl Stream`, with
//! `yield_from!` and `defer!`. CI builds it for `thumbv7em-none-eabihf`, a
//! target that has no `std` at all; its tests run on the host.
#![no_std]

use cogen::{
    async_generator, defer, generator, yield_, yield_from, AsyncGenerator, Generator, Stream,
};

/// Counts to `n`, then returns `n`.
#[generator]
pub fn count(n: u32) -> impl Generator<Yield = u32, Return = u32> {
    for i in 0..n {
        yield_!(i);
    }
    n
}

/// Delegates to a generator (taking its return value) and to an array.
#[generator]
pub fn delegating(n: u32) -> impl Generator<Yield = u32, Return = u32> {
    let counted = yield_from!(count(n));
    yield_from!([100, 200]);
    counted * 10
}

/// Squares, for a `for` loop through `GeneratorIter` (no `alloc`, so no
/// `impl Iterator` form).
#[generator]
pub fn squares(n: u32) -> impl Generator<Yield = u32, Return = ()> {
    for i in 0..n {
        yield_!(i * i);
    }
}

/// The sum of `squares(n)`, driven by a `for` loop with no allocation.
pub fn sum_of_squares(n: u32) -> u32 {
    let mut sum = 0;
    for x in cogen::GeneratorIter::new(core::pin::pin!(squares(n))) {
        sum += x;
    }
    sum
}

/// A stream whose cleanup reports through a flag it borrows.
#[async_generator]
pub fn ticks(n: u32, closed: &core::cell::Cell<bool>) -> impl Stream<Item = u32> + '_ {
    defer! { closed.set(true); }
    for i in 0..n {
        core::future::ready(()).await;
        yield_!(i);
    }
}

/// Resume arguments in, a return value out.
#[async_generator]
pub fn summer() -> impl AsyncGenerator<u32, Yield = u32, Return = u32> {
    let mut sum = 0;
    let mut x = yield_!(0);
    while x != 0 {
        sum += x;
        x = yield_!(sum);
    }
    sum
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use cogen::GeneratorState;
    use core::pin::pin;
    use futures::StreamExt;
    use std::vec::Vec;

    #[test]
    fn the_heapless_forms_work() {
        let mut g = pin!(delegating(2));
        let mut seen = Vec::new();
        let ret = loop {
            match g.as_mut().resume(()) {
                GeneratorState::Yielded(y) => seen.push(y),
                GeneratorState::Complete(r) => break r,
            }
        };
        assert_eq!(seen, [0, 1, 100, 200]);
        assert_eq!(ret, 20);
        assert_eq!(sum_of_squares(4), 1 + 4 + 9);

        let closed = core::cell::Cell::new(false);
        let got: Vec<u32> = futures::executor::block_on(pin!(ticks(5, &closed)).take(2).collect());
        assert_eq!(got, [0, 1]);
        assert!(closed.get(), "dropping the stream early ran its defer!");

        futures::executor::block_on(async {
            let mut s = pin!(summer());
            assert_eq!(s.as_mut().resume(9).await, GeneratorState::Yielded(0));
            assert_eq!(s.as_mut().resume(4).await, GeneratorState::Yielded(4));
            assert_eq!(s.as_mut().resume(5).await, GeneratorState::Yielded(9));
            assert_eq!(s.as_mut().resume(0).await, GeneratorState::Complete(9));
        });
    }
}
