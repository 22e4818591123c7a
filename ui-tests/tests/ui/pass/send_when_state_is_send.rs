#![deny(warnings)]

use cogen::{async_generator, generator, yield_, Stream};
use std::rc::Rc;

// An `Rc` that is dropped before the yield is not held across it.
#[generator]
fn g() -> impl Iterator<Item = u32> {
    let n = {
        let shared = Rc::new(1);
        *shared
    };
    yield_!(n);
}

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    let n = {
        let shared = Rc::new(1);
        *shared
    };
    async {}.await;
    yield_!(n);
}

fn require_send<T: Send>(_: T) {}

fn main() {
    require_send(g());
    require_send(s());
}
