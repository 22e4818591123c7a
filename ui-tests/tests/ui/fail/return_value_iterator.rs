use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_!(1);
    return 2;
}

fn main() {
    let _ = g();
}
