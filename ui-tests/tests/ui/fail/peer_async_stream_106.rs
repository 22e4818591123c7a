// async-stream #106: a yield in a nested `async` block, handed to another
// stream that awaits it, so that the yield would be polled by the other
// stream. cogen rejects a `yield_!` in a nested `async` block.
use cogen::{async_generator, yield_, Stream};
use std::future::Future;

#[async_generator]
fn awaits<F: Future<Output = ()>>(f: F) -> impl Stream<Item = Box<i32>> {
    f.await;
    yield_!(Box::new(1));
}

#[async_generator]
fn g() -> impl Stream<Item = usize> {
    let f = async {
        yield_!(42_usize);
    };
    #[for_await]
    for b in awaits(f) {
        yield_!(*b as usize);
    }
}

fn main() {
    let _ = g();
}
