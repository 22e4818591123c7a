use cogen::{defer, generator, yield_, Generator};

fn flush() -> Result<(), String> {
    Ok(())
}

#[generator]
fn g() -> impl Generator<Yield = u32, Return = Result<(), String>> {
    defer! {
        flush()?;
    }
    yield_!(1);
    Ok(())
}

fn main() {
    let _ = g();
}
