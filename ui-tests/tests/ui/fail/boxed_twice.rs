use cogen::{generator, yield_};

#[generator(boxed, boxed)]
fn one() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {}
