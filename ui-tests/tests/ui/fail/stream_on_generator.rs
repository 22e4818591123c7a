use cogen::{generator, yield_, Stream};

#[generator]
fn g() -> impl Stream<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = g();
}
