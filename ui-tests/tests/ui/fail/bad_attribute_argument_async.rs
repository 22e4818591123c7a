use cogen::{async_generator, yield_, Stream};

#[async_generator(try, foo = 1)]
fn s() -> impl Stream<Item = Result<u32, ()>> {
    yield_!(1);
}

fn main() {
    let _ = s();
}
