use cogen::generator;

#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = g();
}
