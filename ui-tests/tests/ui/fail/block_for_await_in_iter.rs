use cogen::{iter, yield_};

fn main() {
    let it = iter!({
        #[for_await]
        for x in futures_like() {
            yield_!(x);
        }
    });
    drop(it);
}

fn futures_like() -> Vec<u32> {
    vec![1]
}
