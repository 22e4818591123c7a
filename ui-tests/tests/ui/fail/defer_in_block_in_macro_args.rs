// A `defer!` in a block inside another macro's arguments: its cleanup and
// close path would have to be handed to that macro.
use cogen::{defer, generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let v = vec![{
        defer! { println!("cleanup"); }
        yield_!(1);
        2
    }];
    yield_!(v[0]);
}

fn main() {
    let _ = g();
}
