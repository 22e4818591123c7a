use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    yield_!(String::from("three"));
}

fn main() {
    let _ = s();
}
