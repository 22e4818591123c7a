use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    'outer: for i in 0..3 {
        for j in 0..3 {
            defer! {
                // A `continue` of a loop inside the cleanup is fine...
                for k in 0..3 {
                    if k == 1 {
                        continue;
                    }
                }
                // ...one that leaves it is not.
                if j == 1 {
                    continue 'outer;
                }
                continue;
            }
            yield_!(i + j);
        }
    }
}

fn main() {
    let _ = g();
}
