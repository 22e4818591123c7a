use cogen::{defer, generator, yield_, yield_from};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    defer! {
        yield_from!(vec![1, 2]);
    }
    yield_!(0);
}

fn main() {
    let _ = g();
}
