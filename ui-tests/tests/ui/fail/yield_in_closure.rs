use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let v = [1, 2, 3];
    v.iter().for_each(|x| {
        yield_!(*x);
    });
}

fn main() {
    let _ = g();
}
