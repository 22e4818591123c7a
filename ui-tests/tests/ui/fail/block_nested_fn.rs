use cogen::{stream, yield_};

fn main() {
    let s = stream!({
        fn helper() {
            yield_!(1u32);
        }
        helper();
        yield_!(2u32);
    });
    drop(s);
}
