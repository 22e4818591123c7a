use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator {
    yield_!(1);
}

fn main() {
    let _ = g();
}
