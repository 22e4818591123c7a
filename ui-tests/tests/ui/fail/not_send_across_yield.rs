use cogen::{generator, yield_};
use std::rc::Rc;

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let shared = Rc::new(1);
    yield_!(*shared);
    yield_!(*shared + 1);
}

fn require_send<T: Send>(_: T) {}

fn main() {
    require_send(g());
}
