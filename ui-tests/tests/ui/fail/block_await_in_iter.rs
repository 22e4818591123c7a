use cogen::{iter, yield_};

fn main() {
    let it = iter!({
        let x = std::future::ready(1u32).await;
        yield_!(x);
    });
    drop(it);
}
