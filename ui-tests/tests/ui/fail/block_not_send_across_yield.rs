use cogen::{stream, yield_, Stream};
use std::rc::Rc;

fn needs_send(_: impl Stream<Item = u32> + Send) {}

fn main() {
    needs_send(stream!({
        let rc = Rc::new(1u32);
        yield_!(*rc);
        yield_!(*rc + 1);
    }));
}
