// `boxed` returns the generator in a `Box`: without cogen's `alloc`
// feature the error says so, at the return type.
use cogen::{async_generator, yield_, Stream};

#[async_generator(boxed)]
fn numbers() -> impl Stream<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = numbers();
}
