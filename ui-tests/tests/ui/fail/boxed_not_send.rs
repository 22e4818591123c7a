use cogen::{async_generator, yield_, Stream};
use std::rc::Rc;

#[async_generator(boxed)]
fn shared() -> impl Stream<Item = u32> + Send {
    let rc = Rc::new(1);
    yield_!(*rc);
    yield_!(*rc + 1);
}

fn main() {
    let _ = shared();
}
