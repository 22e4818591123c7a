use cogen::{generator, yield_};

#[generator(boxed)]
fn chars<'a>(s: &'a str) -> impl Iterator<Item = char> + use<'a> {
    for c in s.chars() {
        yield_!(c);
    }
}

fn main() {
    let _ = chars("x");
}
