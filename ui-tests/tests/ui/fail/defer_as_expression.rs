use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let guard = defer! { println!("cleanup"); };
    yield_!(1);
    drop(guard);
}

fn main() {
    let _ = g();
}
