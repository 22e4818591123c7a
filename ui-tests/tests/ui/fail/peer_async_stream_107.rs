// async-stream #107: a yielded reference outliving its referent. The item
// type's lifetime comes from the signature; a local of the body does not
// live that long.
use cogen::{generator, yield_};

#[generator]
fn refs<'a>() -> impl Iterator<Item = &'a str> + 'a {
    let s = String::from("local");
    yield_!(s.as_str());
}

fn main() {
    let first = refs().next();
    println!("{first:?}");
}
