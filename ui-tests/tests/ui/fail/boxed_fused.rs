use cogen::{generator, yield_};
use std::iter::FusedIterator;

#[generator(boxed)]
fn numbers() -> impl Iterator<Item = u32> + FusedIterator {
    yield_!(1);
}

fn main() {
    let _ = numbers();
}
