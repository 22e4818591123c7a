#![deny(warnings)]

// `yield_from!` of a `vec!`, a range, a recursive generator, a generator
// with a return value and (async) a stream, under `deny(warnings)`: the
// expansion adds no unused import, unreachable code or unused label.
use cogen::{async_generator, defer, generator, yield_, yield_from, Generator, Stream};

struct Tree {
    value: u32,
    children: Vec<Tree>,
}

#[generator]
fn walk(t: &Tree) -> impl Iterator<Item = u32> + '_ {
    yield_!(t.value);
    for c in &t.children {
        yield_from!(walk(c));
    }
}

#[generator]
fn counted(n: u32) -> impl Generator<Yield = u32, Return = u32> {
    yield_from!(vec![n; n as usize]);
    yield_from!(0..n);
    n * 2
}

#[generator]
fn sum_up() -> impl Generator<Yield = u32, Return = u32> {
    defer! { let _ = 0; }
    let a = yield_from!(counted(1));
    let b = yield_from!(counted(2));
    a + b
}

#[generator]
fn only_delegates() -> impl Iterator<Item = u32> {
    yield_from!([7, 8]);
}

#[async_generator]
fn stream() -> impl Stream<Item = u32> {
    yield_from!(vec![1, 2]);
    yield_from!(only_delegates());
}

#[async_generator]
fn streams() -> impl Stream<Item = u32> {
    yield_from!(stream());
    yield_!(3);
}

fn main() {
    let t = Tree {
        value: 1,
        children: vec![Tree {
            value: 2,
            children: vec![Tree {
                value: 3,
                children: vec![],
            }],
        }],
    };
    assert_eq!(walk(&t).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(only_delegates().collect::<Vec<_>>(), [7, 8]);
    let _ = sum_up();
    let _ = streams();
}
