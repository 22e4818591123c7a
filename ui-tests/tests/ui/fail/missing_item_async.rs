use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn s() -> impl Stream {
    yield_!(1);
}

fn main() {
    let _ = s();
}
