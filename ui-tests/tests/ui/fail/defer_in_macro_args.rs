use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let cleanups = vec![defer! { println!("cleanup"); }];
    yield_!(cleanups.len() as u32);
}

fn main() {
    let _ = g();
}
