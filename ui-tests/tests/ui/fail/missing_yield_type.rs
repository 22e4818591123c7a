use cogen::{generator, yield_, Generator};

#[generator]
fn g() -> impl Generator<u32, Return = bool> {
    yield_!(1);
    true
}

fn main() {
    let _ = g();
}
