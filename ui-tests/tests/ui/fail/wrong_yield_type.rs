use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let name = "three";
    yield_!(name);
}

fn main() {
    let _ = g();
}
