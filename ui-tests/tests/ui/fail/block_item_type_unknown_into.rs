use cogen::{stream, yield_};

fn main() {
    let words = ["a", "b"];
    let s = stream!({
        for w in words {
            yield_!(w.into());
        }
    });
    drop(s);
}
