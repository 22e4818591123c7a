use cogen::{async_generator, yield_};

#[async_generator]
fn s() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = s();
}
