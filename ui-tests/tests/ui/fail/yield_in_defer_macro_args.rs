// A `yield_!` inside another macro's arguments inside `defer!`.
use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    defer! { println!("{:?}", yield_!(1)); }
    yield_!(2);
}

fn main() {
    let _ = g();
}
