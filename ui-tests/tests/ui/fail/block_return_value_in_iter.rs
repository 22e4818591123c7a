use cogen::{iter, yield_};

fn main() {
    let it = iter!({
        yield_!(1u32);
        return 5;
    });
    drop(it);
}
