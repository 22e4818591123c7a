use cogen::{async_generator, yield_from, Stream};

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    yield_from!(42u32);
}

fn main() {
    let _ = g();
}
