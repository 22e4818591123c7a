use cogen::{async_generator, yield_, Stream};

#[async_generator]
fn numbers(text: String) -> impl Stream<Item = u32> {
    for word in text.split(' ') {
        let n = word.parse::<u32>().ok()?;
        yield_!(n + 1);
    }
}

fn main() {
    let _ = numbers(String::new());
}
