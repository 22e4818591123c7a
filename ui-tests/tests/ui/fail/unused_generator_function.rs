#![deny(dead_code)]

use cogen::{async_generator, generator, yield_, Stream};

// Never called: reported like any unused function.
#[generator]
fn numbers() -> impl Iterator<Item = u32> {
    yield_!(1);
}

#[async_generator]
fn ticks() -> impl Stream<Item = u32> {
    yield_!(1);
}

fn main() {}
