use cogen::{generator, yield_, Generator};

#[generator]
fn both() -> impl Iterator<Item = u32> + Generator<Yield = u32, Return = ()> {
    yield_!(1);
}

fn main() {}
