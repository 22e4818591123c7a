use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    fn helper() {
        yield_!(1);
    }
    helper();
}

fn main() {
    let _ = s();
}
