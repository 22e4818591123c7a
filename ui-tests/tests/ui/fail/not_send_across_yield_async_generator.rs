use cogen::{async_generator, yield_, AsyncGenerator};
use std::rc::Rc;

#[async_generator]
fn s() -> impl AsyncGenerator<Yield = u32, Return = ()> {
    let shared = Rc::new(1);
    yield_!(*shared);
    yield_!(*shared + 1);
}

fn require_send<T: Send>(_: T) {}

fn main() {
    require_send(s());
}
