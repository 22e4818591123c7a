use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_!(async { 1 }.await);
}

fn main() {
    let _ = g();
}
