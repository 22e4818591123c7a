use cogen::{defer, generator, yield_, Generator};

#[generator]
fn g(x: Option<u32>) -> impl Generator<Yield = u32, Return = Option<()>> {
    defer! { println!("cleanup"); }
    // `n if n > 1` is a pattern with a guard, not an expression: cogen cannot
    // rewrite the `?` in these arguments to run the cleanup first.
    if matches!(x?, n if n > 1) {
        yield_!(1);
    }
    Some(())
}

fn main() {
    let _ = g(None);
}
