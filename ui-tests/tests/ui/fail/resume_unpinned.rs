use cogen::{generator, yield_, Generator};

#[generator]
fn g() -> impl Generator<u32, Yield = u32, Return = ()> {
    let x = yield_!(1);
    yield_!(x);
}

fn main() {
    let mut gen = g();
    gen.resume(1);
}
