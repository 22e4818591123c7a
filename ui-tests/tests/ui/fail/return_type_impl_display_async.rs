use cogen::{async_generator, yield_};
use std::fmt::Display;

#[async_generator]
fn s() -> impl Display {
    yield_!(1);
}

fn main() {
    let _ = s();
}
