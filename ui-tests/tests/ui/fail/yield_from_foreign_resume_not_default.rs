use cogen::{generator, yield_from, Generator, GeneratorState};
use std::pin::Pin;

pub struct Token(u32);

struct Echo;

impl Generator<Token> for Echo {
    type Yield = u32;
    type Return = ();
    fn resume(self: Pin<&mut Self>, arg: Token) -> GeneratorState<u32, ()> {
        GeneratorState::Yielded(arg.0)
    }
}

// A generator cogen did not make is resumed the first time with
// `R::default()`: `Token` has none.
#[generator]
fn outer() -> impl Generator<Token, Yield = u32, Return = ()> {
    yield_from!(Echo);
}

fn main() {
    let _ = outer();
}
