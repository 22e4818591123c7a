use cogen::{async_generator, generator, yield_, yield_from, Stream};

#[async_generator]
fn ticks() -> impl Stream<Item = u32> {
    std::future::ready(()).await;
    yield_!(1);
}

// A sync generator cannot wait for an async one's `.await`s.
#[generator]
fn all() -> impl Iterator<Item = u32> {
    yield_from!(ticks());
}

fn main() {
    let _ = all();
}
