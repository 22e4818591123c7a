// A macro that moves a `yield_!` into an `async` block and declares a label
// of the same name there: cogen's label is hygienic, the user's is not it.
use cogen::{async_generator, yield_, Stream};

macro_rules! relabel {
    ($e:expr) => {
        async move {
            'generator_body: {
                $e;
            }
        }
    };
}

#[async_generator]
fn g() -> impl Stream<Item = u32> {
    let f = relabel!(yield_!(1));
    f.await;
}

fn main() {
    let _ = g();
}
