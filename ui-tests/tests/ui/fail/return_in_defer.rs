use cogen::{defer, generator, yield_};

#[generator]
fn g(stop: bool) -> impl Iterator<Item = u32> {
    defer! {
        if stop {
            return;
        }
    }
    yield_!(1);
}

fn main() {
    let _ = g(true);
}
