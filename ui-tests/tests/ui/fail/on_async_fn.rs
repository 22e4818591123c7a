use cogen::{generator, yield_};

#[generator]
async fn g() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {}
