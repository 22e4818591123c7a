use cogen::{generator, yield_, Generator};

#[generator]
fn g() -> impl Generator<u32, Yield = u64, Return = bool> {
    let r: u32 = yield_!(1);
    r
}

fn main() {
    let _ = g();
}
