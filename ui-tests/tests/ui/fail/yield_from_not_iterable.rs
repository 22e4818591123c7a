use cogen::{generator, yield_from};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_from!(42u32);
}

fn main() {
    let _ = g();
}
