use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    yield_!(1);
    return 2;
}

fn main() {
    let _ = s();
}
