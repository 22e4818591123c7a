use cogen::{generator, yield_};

#[generator]
fn g() -> Vec<u32> {
    yield_!(1);
}

fn main() {
    let _ = g();
}
