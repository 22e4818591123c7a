use cogen::{generator, yield_, Generator};

#[generator]
fn g() -> impl Generator<u32, Yield = u64, Return = bool> {
    let r: u32 = yield_!(-1i8);
    r > 0
}

fn main() {
    let _ = g();
}
