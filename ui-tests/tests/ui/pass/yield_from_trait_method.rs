//! A generator returned by a trait method, as an opaque `impl Generator`,
//! can be delegated to with nothing added to the trait's signature.
use cogen::{generator, yield_, yield_from, Generator};

trait Numbers {
    fn numbers(&self) -> impl Generator<u32, Yield = u32, Return = u8>;
}

struct Upto(u32);

impl Numbers for Upto {
    #[generator]
    fn numbers(&self) -> impl Generator<u32, Yield = u32, Return = u8> {
        for i in 0..self.0 {
            yield_!(i);
        }
        7
    }
}

// Generic: only the trait's signature is known here.
#[generator]
fn all<N: Numbers>(n: &N) -> impl Generator<u32, Yield = u32, Return = u8> + '_ {
    let r: u8 = yield_from!(n.numbers());
    r + 1
}

fn main() {
    let _ = all(&Upto(2));
}
