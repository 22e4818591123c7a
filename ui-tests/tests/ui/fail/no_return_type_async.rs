use cogen::{async_generator, yield_};

#[async_generator]
fn s() {
    yield_!(1);
}

fn main() {
    s();
}
