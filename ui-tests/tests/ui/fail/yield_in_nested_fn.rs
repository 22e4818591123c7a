use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    fn helper() {
        yield_!(1);
    }
    helper();
}

fn main() {
    let _ = g();
}
