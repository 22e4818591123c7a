use cogen::{generator, yield_, Generator};

#[generator]
fn parse(text: String) -> impl Generator<Yield = u32, Return = ()> {
    for word in text.split(' ') {
        yield_!(word.parse::<u32>()?);
    }
}

fn main() {
    let _ = parse(String::new());
}
