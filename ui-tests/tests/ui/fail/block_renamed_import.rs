use cogen::{generator, iter as gen_iter, yield_};

#[generator]
fn outer() -> impl Iterator<Item = u32> {
    let inner = gen_iter!({
        yield_!(1u32);
    });
    for x in inner {
        yield_!(x);
    }
}

fn main() {
    drop(outer());
}
