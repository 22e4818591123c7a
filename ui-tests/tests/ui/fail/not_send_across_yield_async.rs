use cogen::{async_generator, yield_, Stream};
use std::rc::Rc;

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    let shared = Rc::new(1);
    async {}.await;
    yield_!(*shared);
}

fn require_send<T: Send>(_: T) {}

fn main() {
    require_send(s());
}
