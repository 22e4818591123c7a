use cogen::{iter, yield_};

fn main() {
    let inputs = ["1", "2"];
    let numbers = iter!({
        for s in inputs {
            yield_!(s.parse().unwrap());
        }
    });
    for n in numbers {
        println!("{n}");
    }
}
