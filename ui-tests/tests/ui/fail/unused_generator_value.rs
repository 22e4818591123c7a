#![deny(unused_must_use)]

use cogen::{async_generator, generator, yield_, AsyncGenerator, Generator};

#[generator]
fn numbers() -> impl Generator<Yield = u32, Return = ()> {
    yield_!(1);
}

#[async_generator]
fn ticks() -> impl AsyncGenerator<Yield = u32, Return = ()> {
    yield_!(1);
}

fn main() {
    numbers(); // never resumed: nothing runs
    ticks();
}
