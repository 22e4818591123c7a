use cogen::{generator, yield_};

#[generator]
fn g() {
    yield_!(1);
}

fn main() {
    g();
}
