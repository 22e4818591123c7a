// generator-rs #58: a `!Send` value smuggled to another thread through a
// generator that claims `Send`. Here the caller resumes with an `Rc` and the
// body keeps it across a yield: the generator is then `!Send`, and the claim
// is an error.
use cogen::{generator, yield_, Generator};
use std::rc::Rc;

#[generator]
fn keep() -> impl Generator<Rc<u32>, Yield = (), Return = ()> + Send {
    let first = yield_!(());
    yield_!(());
    drop(first);
}

fn main() {
    let _ = keep();
}
