use cogen::{generator, yield_from};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_from!(vec!["a", "b"]);
}

fn main() {
    let _ = g();
}
