use cogen::{async_generator, defer, yield_, Stream};

async fn flush() -> Result<(), String> {
    Ok(())
}

#[async_generator(try)]
fn g() -> impl Stream<Item = Result<u32, String>> {
    defer! {
        flush().await?;
    }
    yield_!(1);
}

fn main() {
    let _ = g();
}
