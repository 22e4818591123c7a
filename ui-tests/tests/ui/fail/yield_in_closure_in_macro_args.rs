// A closure inside another macro's arguments is a closure all the same: the
// `yield_!` in it is reported (it used to become `unreachable!()` silently).
use cogen::{generator, yield_};

#[generator]
fn g() -> impl Iterator<Item = u32> {
    let steps = vec![|| yield_!(1)];
    drop(steps);
    let later = || format!("{:?}", yield_!(2));
    drop(later);
}

fn main() {
    let _ = g();
}
