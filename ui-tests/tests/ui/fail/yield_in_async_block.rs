use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let _fut = async {
        yield_!(1);
    };
}

fn main() {
    let _ = g();
}
