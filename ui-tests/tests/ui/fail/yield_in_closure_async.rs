use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    let f = |x: u32| {
        yield_!(x);
    };
    f(1);
}

fn main() {
    let _ = s();
}
