use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let work = || {
        defer! { println!("cleanup"); }
    };
    work();
    yield_!(1);
}

fn main() {
    let _ = g();
}
