use cogen::{async_generator, generator, yield_, yield_from, AsyncGenerator};

trait Source {
    fn items(&self) -> impl AsyncGenerator<Yield = u32, Return = ()>;
}

struct Ticks;

impl Source for Ticks {
    #[async_generator]
    fn items(&self) -> impl AsyncGenerator<Yield = u32, Return = ()> {
        std::future::ready(()).await;
        yield_!(1);
    }
}

// Any `Generator` can be delegated to through its trait, but a sync
// generator cannot wait for an `AsyncGenerator`'s `.await`s.
#[generator]
fn all(s: &Ticks) -> impl Iterator<Item = u32> + '_ {
    yield_from!(s.items());
}

fn main() {
    let _ = all(&Ticks);
}
