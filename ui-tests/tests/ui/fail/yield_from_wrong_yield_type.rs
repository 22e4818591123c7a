use cogen::{generator, yield_, yield_from};

#[generator]
fn names() -> impl Iterator<Item = String> {
    yield_!("a".to_string());
}

#[generator]
fn g() -> impl Iterator<Item = u32> {
    yield_from!(names());
}

fn main() {
    let _ = g();
}
