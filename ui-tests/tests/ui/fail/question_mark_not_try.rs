use cogen::{generator, yield_};

#[generator]
fn numbers(text: String) -> impl Iterator<Item = u32> {
    for word in text.split(' ') {
        let n: u32 = word.parse()?;
        yield_!(n);
    }
}

fn main() {
    let _ = numbers(String::new());
}
