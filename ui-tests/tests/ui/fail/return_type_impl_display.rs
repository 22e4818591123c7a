use cogen::{generator, yield_};
use std::fmt::Display;

#[generator]
fn g() -> impl Display {
    yield_!(1);
}

fn main() {
    let _ = g();
}
