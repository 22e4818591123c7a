use cogen::{iter, yield_};

fn main() {
    let it = iter!({
        let each = |x: u32| {
            yield_!(x);
        };
        each(1);
        yield_!(2u32);
    });
    drop(it);
}
