//! A short walk through everything cogen does. Run it with
//! `cargo run --example tour`.

use cogen::{
    AsyncGenerator, Generator, GeneratorState, Stream, async_generator, defer, generator, yield_,
    yield_from,
};
use futures::StreamExt;
use std::pin::pin;

// 1. A generator is an Iterator: write the loop, not the state machine.
#[generator]
fn fib() -> impl Iterator<Item = u64> {
    let (mut a, mut b) = (0, 1);
    loop {
        yield_!(a);
        (a, b) = (b, a + b);
    }
}

// 2. Borrows of the generator's own locals may live across yields.
#[generator]
fn words(text: String) -> impl Iterator<Item = String> {
    for w in text.split_whitespace() {
        yield_!(w.to_uppercase());
    }
}

// 3. A coroutine: values in (resume arguments), values out, a return value.
#[generator]
fn running_mean() -> impl Generator<f64, Yield = f64, Return = usize> {
    let (mut sum, mut n) = (0.0, 0usize);
    let mut x = yield_!(f64::NAN); // the first resume's argument is dropped
    while !x.is_nan() {
        sum += x;
        n += 1;
        x = yield_!(sum / n as f64);
    }
    n
}

// 4. Delegation: yield_from! any iterator or generator; recursion is linear.
struct Tree {
    value: u32,
    kids: Vec<Tree>,
}

#[generator]
fn walk(t: &Tree) -> impl Iterator<Item = u32> + '_ {
    yield_!(t.value);
    for k in &t.kids {
        yield_from!(walk(k));
    }
}

#[generator]
fn countdown(n: u64) -> impl Iterator<Item = u64> {
    yield_!(n);
    if n > 0 {
        yield_from!(countdown(n - 1)); // a chain as deep as n
    }
}

// 5. Cleanup that runs however the generator ends, even when dropped early.
#[generator]
fn lines(name: &'static str) -> impl Iterator<Item = String> {
    println!("    open {name}");
    defer! { println!("    close {name}"); }
    for i in 1.. {
        yield_!(format!("{name}:{i}"));
    }
}

// 6. Async generators are Streams; `.await` anything in them.
#[async_generator]
fn ticks(n: u32) -> impl Stream<Item = u32> {
    for i in 0..n {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        yield_!(i);
    }
}

// 7. The `try` flavour: `?` ends the stream with the error as its last item.
#[async_generator(try)]
fn parse_all(input: Vec<&'static str>) -> impl Stream<Item = Result<u32, std::num::ParseIntError>> {
    for s in input {
        yield_!(s.parse::<u32>()?);
    }
}

// 8. Async cleanup, run to completion by `close().await`.
#[async_generator]
fn session() -> impl AsyncGenerator<Yield = &'static str, Return = ()> {
    defer! {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        println!("    session closed (after an async goodbye)");
    }
    loop {
        yield_!("ping");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!(
        "1. fib().take(10):           {:?}",
        fib().take(10).collect::<Vec<_>>()
    );
    println!(
        "2. words(\"hello generator world\"): {:?}",
        words("hello generator world".into()).collect::<Vec<_>>()
    );

    let mut mean = pin!(running_mean());
    mean.as_mut().resume(0.0);
    print!("3. running mean of 2, 4, 9:  ");
    for x in [2.0, 4.0, 9.0] {
        if let GeneratorState::Yielded(m) = mean.as_mut().resume(x) {
            print!("{m} ");
        }
    }
    if let GeneratorState::Complete(n) = mean.as_mut().resume(f64::NAN) {
        println!("(returned: saw {n} values)");
    }

    let t = Tree {
        value: 1,
        kids: vec![
            Tree {
                value: 2,
                kids: vec![Tree {
                    value: 3,
                    kids: vec![],
                }],
            },
            Tree {
                value: 4,
                kids: vec![],
            },
        ],
    };
    println!(
        "4. walk(tree):               {:?}",
        walk(&t).collect::<Vec<_>>()
    );
    let start = std::time::Instant::now();
    let n = countdown(100_000).count();
    println!(
        "   countdown(100_000) through a 100,001-deep yield_from! chain: {n} items in {:?}",
        start.elapsed()
    );

    println!("5. lines(\"a.txt\").take(2), then dropped:");
    for l in lines("a.txt").take(2) {
        println!("    {l}");
    }

    println!(
        "6. ticks(3):                 {:?}",
        ticks(3).collect::<Vec<_>>().await
    );
    println!(
        "7. parse_all([\"1\", \"x\", \"3\"]): {:?}",
        parse_all(vec!["1", "x", "3"]).collect::<Vec<_>>().await
    );

    println!("8. session(), two pings, then close().await:");
    let mut s = pin!(session());
    for _ in 0..2 {
        if let GeneratorState::Yielded(p) = s.as_mut().resume(()).await {
            println!("    {p}");
        }
    }
    s.as_mut().close().await;
}
