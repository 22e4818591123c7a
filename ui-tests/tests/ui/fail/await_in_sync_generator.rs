use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let x = async { 1 }.await;
    yield_!(x);
}

fn main() {
    let _ = g();
}
