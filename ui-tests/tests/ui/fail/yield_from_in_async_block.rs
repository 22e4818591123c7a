use cogen::{async_generator, yield_, yield_from, Stream};

#[async_generator]
fn inner() -> impl Stream<Item = u32> {
    yield_!(1);
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    let fut = async {
        yield_from!(inner());
    };
    fut.await;
    yield_!(0);
}

fn main() {
    let _ = g();
}
