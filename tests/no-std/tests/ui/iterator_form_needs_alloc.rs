#![no_std]

use cogen::{generator, yield_};

#[generator]
fn count(n: u32) -> impl Iterator<Item = u32> {
    for i in 0..n {
        yield_!(i);
    }
}

fn main() {
    let _ = count(3);
}
