#![no_std]

use cogen::{generator, yield_, yield_from, Generator};

#[generator]
fn countdown(n: u32) -> impl Generator<Yield = u32, Return = ()> {
    if n > 0 {
        yield_from!(countdown(n - 1));
    }
    yield_!(n);
}

fn main() {
    let _ = countdown(3);
}
