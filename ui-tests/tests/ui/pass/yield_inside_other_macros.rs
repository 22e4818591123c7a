#![deny(warnings)]

use cogen::{generator, yield_};

macro_rules! twice {
    ($e:expr) => {{
        $e;
        $e;
    }};
}

#[generator]
fn g(flag: Option<u32>) -> impl Iterator<Item = u32> {
    // Inside `vec![..]`: each element is its own yield point.
    let v = vec![yield_!(1), yield_!(2)];
    assert_eq!(v.len(), 2);
    // Inside a condition built by another macro.
    if matches!(flag, Some(n) if { yield_!(n); n > 1 }) {
        yield_!(100);
    }
    // Inside a user macro_rules.
    twice!(yield_!(7));
    // Fully qualified path.
    cogen::yield_!(8);
    let _unit = format!("{:?}", yield_!(9));
}

fn main() {
    let all: Vec<u32> = g(Some(5)).collect();
    assert_eq!(all, [1, 2, 5, 100, 7, 7, 8, 9]);
}
