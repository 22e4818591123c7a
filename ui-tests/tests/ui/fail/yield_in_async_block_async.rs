use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn s() -> impl Stream<Item = u32> {
    let fut = async {
        yield_!(1);
    };
    fut.await;
}

fn main() {
    let _ = s();
}
