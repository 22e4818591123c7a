#![deny(warnings)]

// The only use of `yield_` is inside a generator body, which the attribute
// rewrites: the import must still count as used.
use cogen::{async_generator, generator, yield_, Generator, Stream};

#[generator]
fn count(n: u64) -> impl Iterator<Item = u64> {
    for i in 0..n {
        yield_!(i);
    }
}

#[generator]
fn echo() -> impl Generator<u32, Yield = u64, Return = bool> {
    let r: u32 = yield_!(1);
    r > 0
}

#[async_generator]
fn stream() -> impl Stream<Item = u64> {
    let x = async { 1 }.await;
    yield_!(x);
}

#[async_generator]
fn forwarding() -> impl Stream<Item = u64> {
    #[for_await]
    for x in stream() {
        yield_!(x * 2);
    }
}

fn main() {
    assert_eq!(count(3).collect::<Vec<_>>(), [0, 1, 2]);
    let _ = echo();
    let _ = forwarding();
}
