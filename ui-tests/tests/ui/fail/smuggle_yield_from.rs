// The same attack with `yield_from!`: moved into an `async` block.
use cogen::{async_generator, yield_, yield_from, Stream};

#[async_generator]
fn two() -> impl Stream<Item = u32> {
    yield_!(1);
    yield_!(2);
}

macro_rules! detach {
    ($e:expr) => {
        async move { $e }
    };
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    let _f = detach!(yield_from!(two()));
}

fn main() {
    let _ = g();
}
