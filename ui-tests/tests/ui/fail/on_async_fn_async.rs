use cogen::{async_generator, yield_, Stream};

#[async_generator]
async fn s() -> impl Stream<Item = u32> {
    yield_!(1);
}

fn main() {}
