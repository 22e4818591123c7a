use cogen::{async_generator, defer, yield_, yield_from, Stream};

#[async_generator]
fn inner() -> impl Stream<Item = u32> {
    yield_!(1);
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    defer! {
        yield_from!(inner());
    }
    yield_!(0);
}

fn main() {
    let _ = g();
}
