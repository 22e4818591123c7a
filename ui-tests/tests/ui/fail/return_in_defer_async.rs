use cogen::{async_generator, defer, yield_, Stream};

#[async_generator]
fn g(stop: bool) -> impl Stream<Item = u32> {
    defer! {
        async {}.await;
        if stop {
            return;
        }
    }
    yield_!(1);
}

fn main() {
    let _ = g(true);
}
