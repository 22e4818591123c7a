use cogen::{async_generator, yield_, Stream};

#[async_generator(boxed)]
fn labels() -> impl Stream<Item = impl std::fmt::Display> {
    yield_!(1);
}

fn main() {
    let _ = labels();
}
