#![deny(warnings)]

// Jumps that stay inside a `defer!` body are fine, and so are `break` /
// `continue` in the loop whose body holds the `defer!` (they run it).
use cogen::{async_generator, defer, generator, yield_, Stream};
use std::cell::RefCell;

#[generator]
fn g(log: &RefCell<Vec<String>>) -> impl Iterator<Item = u32> + '_ {
    for i in 0..4 {
        defer! {
            let mut n = 0;
            loop {
                n += 1;
                if n == 2 {
                    break;
                }
            }
            'inner: for k in 0..3 {
                if k == 1 {
                    continue 'inner;
                }
                let _ = 'block: {
                    if k == 2 {
                        break 'block 1;
                    }
                    0
                };
            }
            while n < 5 {
                n += 1;
                if n == 4 {
                    continue;
                }
            }
            log.borrow_mut().push(format!("cleanup {i} {n}"));
        }
        if i == 1 {
            continue;
        }
        if i == 3 {
            break;
        }
        yield_!(i);
    }
}

#[async_generator]
fn s(log: &RefCell<Vec<String>>) -> impl Stream<Item = u32> + '_ {
    for i in 0..3 {
        defer! {
            for k in 0..3 {
                if k == 1 {
                    break;
                }
                async {}.await;
            }
            log.borrow_mut().push(format!("cleanup {i}"));
        }
        if i == 1 {
            continue;
        }
        yield_!(i);
    }
}

fn main() {
    let log = RefCell::new(Vec::new());
    assert_eq!(g(&log).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(
        *log.borrow(),
        ["cleanup 0 5", "cleanup 1 5", "cleanup 2 5", "cleanup 3 5"]
    );
    let _ = s(&log);
}
