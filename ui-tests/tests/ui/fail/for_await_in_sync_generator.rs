use cogen::{async_generator, generator, yield_, Stream};

#[async_generator]
fn numbers() -> impl Stream<Item = u32> {
    yield_!(1);
}

#[generator]
fn g() -> impl Iterator<Item = u32> {
    #[for_await]
    for x in numbers() {
        yield_!(x);
    }
}

fn main() {
    let _ = g();
}
