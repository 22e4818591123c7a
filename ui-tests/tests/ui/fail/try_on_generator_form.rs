use cogen::{generator, yield_, Generator};

// `try` makes items `Result`s; a coroutine form returns its error instead.
#[generator(try)]
fn parse(words: Vec<String>) -> impl Generator<Yield = u32, Return = Result<(), std::num::ParseIntError>> {
    for w in words {
        yield_!(w.parse::<u32>()?);
    }
    Ok(())
}

fn main() {
    let _ = parse(vec![]);
}
