use cogen::{async_generator, yield_, yield_from, Stream};

#[async_generator]
fn names() -> impl Stream<Item = String> {
    yield_!("a".to_string());
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    yield_from!(names());
}

fn main() {
    let _ = g();
}
