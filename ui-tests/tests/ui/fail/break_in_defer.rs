use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    for i in 0..3 {
        defer! {
            if i == 1 {
                break;
            }
        }
        yield_!(i);
    }
}

fn main() {
    let _ = g();
}
