use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    defer! {
        yield_!(0);
    }
    yield_!(1);
}

fn main() {
    let _ = g();
}
