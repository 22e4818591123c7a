use cogen::{iter, yield_};

fn main() {
    let text = String::from("1 2");
    let _ = iter! {
        for word in text.split(' ') {
            let n: u32 = word.parse()?;
            yield_!(n);
        }
    };
}
