use cogen::{async_generator, generator, yield_, yield_from, Stream};

#[generator]
fn numbers() -> impl Iterator<Item = u64> {
    yield_!(1);
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    yield_from!(numbers());
}

fn main() {
    let _ = g();
}
