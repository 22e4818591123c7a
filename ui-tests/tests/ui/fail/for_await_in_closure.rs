use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn numbers() -> impl Stream<Item = u32> {
    yield_!(1);
}

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    let each = || {
        #[for_await]
        for x in numbers() {
            println!("{x}");
        }
    };
    each();
    yield_!(2);
}

fn main() {
    let _ = s();
}
