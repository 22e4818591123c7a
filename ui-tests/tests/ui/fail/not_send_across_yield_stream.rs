use cogen::{async_generator, yield_, Stream};
use std::rc::Rc;

#[async_generator]
fn s() -> impl Stream<Item = u32> + Send {
    let shared = Rc::new(1);
    yield_!(1);
    yield_!(*shared);
}

fn main() {
    let _ = s();
}
