use cogen::{generator, yield_};

// A `Box<dyn ..>` is `'static` unless it says otherwise, as everywhere in
// Rust: the borrow of `s` needs `+ '_`.
#[generator(boxed)]
fn chars(s: &str) -> impl Iterator<Item = char> {
    for c in s.chars() {
        yield_!(c);
    }
}

fn main() {
    let _ = chars("x");
}
