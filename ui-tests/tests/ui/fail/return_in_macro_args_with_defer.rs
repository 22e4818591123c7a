use cogen::{defer, generator, yield_};

#[generator]
fn g(x: Option<u32>) -> impl Iterator<Item = u32> {
    defer! { println!("cleanup"); }
    let Some(x) = x else { return };
    assert!(matches!(x, 0 | 1 if { if x == 0 { return; } true }));
    yield_!(x);
}

fn main() {
    let _ = g(None);
}
