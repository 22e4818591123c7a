//! Every Rust construct inside a generator body (issue: "Every Rust construct
//! in the body"): control flow, patterns, macros, nested closures and items.

use cogen::{Generator, GeneratorState, generator, yield_};
use std::pin::pin;

#[generator]
fn labelled() -> impl Generator<Yield = (u32, u32), Return = u32> {
    'outer: loop {
        for i in 0.. {
            for j in 0..i {
                if j == 3 {
                    continue 'outer;
                }
                yield_!((i, j));
                if i * j == 6 {
                    break 'outer i + j;
                }
            }
        }
    }
}

#[test]
fn labelled_loops_and_break_with_value() {
    let mut g = pin!(labelled());
    let mut seen = Vec::new();
    let ret = loop {
        match g.as_mut().resume(()) {
            GeneratorState::Yielded(p) => seen.push(p),
            GeneratorState::Complete(r) => break r,
        }
    };
    assert_eq!(seen, [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]);
    assert_eq!(ret, 5);
}

enum Shape {
    Circle(f64),
    Rect { w: f64, h: f64 },
    Dots(Vec<(i32, i32)>),
}

#[generator]
fn describe(shapes: Vec<Shape>) -> impl Iterator<Item = String> {
    for s in &shapes {
        match s {
            Shape::Circle(r) if *r == 0.0 => yield_!("point".to_string()),
            Shape::Circle(r) => yield_!(format!("circle {r}")),
            Shape::Rect { w, h } => {
                let area = w * h;
                yield_!(format!("rect {area}"));
            }
            Shape::Dots(ds) => {
                for (x, y) in ds {
                    yield_!(format!("dot {x},{y}"));
                }
            }
        }
    }
}

#[test]
fn match_with_guards_and_bindings() {
    let v: Vec<_> = describe(vec![
        Shape::Circle(0.0),
        Shape::Circle(1.5),
        Shape::Rect { w: 2.0, h: 3.0 },
        Shape::Dots(vec![(1, 2), (3, 4)]),
    ])
    .collect();
    assert_eq!(v, ["point", "circle 1.5", "rect 6", "dot 1,2", "dot 3,4"]);
}

#[generator]
fn lets(input: Vec<Option<&'static str>>) -> impl Iterator<Item = usize> {
    for item in input {
        let Some(s) = item else {
            yield_!(0);
            continue;
        };
        if let Ok(n) = s.parse::<usize>() {
            yield_!(n);
        } else if let Some(c) = s.chars().next() {
            let c = c as usize; // shadowing
            let c = c % 10;
            yield_!(c);
        }
    }
}

#[test]
fn if_let_let_else_shadowing() {
    let v: Vec<_> = lets(vec![Some("12"), None, Some("a"), Some("")]).collect();
    assert_eq!(v, [12, 0, 7]);
}

#[generator]
fn nested_blocks() -> impl Iterator<Item = i32> {
    let x = {
        let a = 1;
        {
            let b = a + 1;
            yield_!(b);
            b * 10
        }
    };
    yield_!(x);
    if x > 5 {
        yield_!(-1)
    }
    let z = match x {
        20 => {
            yield_!(-2);
            3
        }
        _ => 4,
    };
    yield_!(z);
}

#[test]
fn yields_inside_nested_blocks_and_expressions() {
    assert_eq!(nested_blocks().collect::<Vec<_>>(), [2, 20, -1, -2, 3]);
}

#[generator]
fn with_closures(words: Vec<&'static str>) -> impl Iterator<Item = u32> {
    // `?` inside a closure the body defines, and `return` inside it, belong
    // to the closure.
    let parse = |s: &str| -> Result<u32, std::num::ParseIntError> {
        if s.is_empty() {
            return Ok(0);
        }
        let n: u32 = s.parse()?;
        Ok(n * 2)
    };
    fn helper(x: u32) -> u32 {
        if x > 100 {
            return 100;
        }
        x + 1
    }
    let total = async { 5u32 };
    drop(total);
    for w in words {
        match parse(w) {
            Ok(n) => yield_!(helper(n)),
            Err(_) => return,
        }
    }
    yield_!(999);
}

#[test]
fn closures_fns_and_async_blocks_keep_their_own_return() {
    assert_eq!(
        with_closures(vec!["1", "", "60"]).collect::<Vec<_>>(),
        [3, 1, 100, 999]
    );
    assert_eq!(with_closures(vec!["1", "x", "2"]).collect::<Vec<_>>(), [3]);
}

#[generator]
fn macros(n: usize) -> impl Iterator<Item = String> {
    let v = vec![1, 2, 3];
    println!("starting {n}");
    assert!(n < 100, "too big: {n}");
    for x in &v {
        if matches!(x, 2 | 3) {
            yield_!(format!("m{x}"));
        }
    }
    let s = format!("{}-{}", n, v.len());
    yield_!(s);
    debug_assert_eq!(v.len(), 3);
}

#[test]
fn ordinary_macros() {
    assert_eq!(macros(1).collect::<Vec<_>>(), ["m2", "m3", "1-3"]);
}

macro_rules! twice {
    ($e:expr) => {{
        $e;
        $e;
    }};
}

macro_rules! pick {
    (first $a:expr, $b:expr) => {
        $a
    };
    (second $a:expr, $b:expr) => {
        $b
    };
}

#[generator]
fn yields_in_macro_args() -> impl Generator<u32, Yield = u32, Return = Vec<u32>> {
    twice!(yield_!(1));
    let v = vec![yield_!(2), yield_!(3)];
    if matches!(yield_!(4), 40) {
        yield_!(5);
    }
    let p = pick!(second yield_!(100), yield_!(6));
    let mut out = v;
    out.push(p);
    out
}

#[test]
fn yield_inside_other_macros_arguments() {
    let mut g = pin!(yields_in_macro_args());
    let mut yielded = Vec::new();
    let mut arg = 0;
    let ret = loop {
        match g.as_mut().resume(arg) {
            GeneratorState::Yielded(y) => {
                yielded.push(y);
                arg = y * 10;
            }
            GeneratorState::Complete(r) => break r,
        }
    };
    assert_eq!(yielded, [1, 1, 2, 3, 4, 5, 6]);
    assert_eq!(ret, [20, 30, 60]);
}

#[generator]
fn qualified_path() -> impl Iterator<Item = u8> {
    cogen::yield_!(1);
    ::cogen::yield_!(2);
    let v = vec![cogen::yield_!(3)];
    drop(v);
}

#[test]
fn qualified_macro_paths() {
    assert_eq!(qualified_path().collect::<Vec<_>>(), [1, 2, 3]);
}

#[generator]
fn words(text: String) -> impl Iterator<Item = String> {
    for w in text.split_whitespace() {
        yield_!(w.to_uppercase());
    }
}

#[generator]
fn borrows_local() -> impl Iterator<Item = char> {
    let s = String::from("héllo");
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if it.peek() == Some(&'l') {
            yield_!(c.to_ascii_uppercase());
        } else {
            yield_!(c);
        }
    }
}

#[test]
fn borrows_of_arguments_and_locals_across_yields() {
    assert_eq!(
        words("a bb ccc".into()).collect::<Vec<_>>(),
        ["A", "BB", "CCC"]
    );
    assert_eq!(borrows_local().collect::<String>(), "héLlo");
}

#[generator]
fn laziness<'a>(log: &'a std::cell::RefCell<Vec<&'static str>>) -> impl Iterator<Item = u8> + 'a {
    log.borrow_mut().push("started");
    yield_!(1);
    log.borrow_mut().push("after 1");
}

#[test]
fn lazy_and_fused() {
    let log = std::cell::RefCell::new(Vec::new());
    let mut it = laziness(&log);
    assert!(log.borrow().is_empty(), "calling the function runs nothing");
    assert_eq!(it.next(), Some(1));
    assert_eq!(*log.borrow(), ["started"]);
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    assert_eq!(it.next(), None);
    assert_eq!(*log.borrow(), ["started", "after 1"]);
}

#[generator]
fn fib() -> impl Iterator<Item = u64> {
    let (mut a, mut b) = (0, 1);
    loop {
        yield_!(a);
        (a, b) = (b, a + b);
    }
}

#[generator]
fn fused(n: u8) -> impl std::iter::FusedIterator<Item = u8> {
    for i in 0..n {
        yield_!(i);
    }
}

#[test]
fn fused_iterator_form() {
    fn needs_fused<I: std::iter::FusedIterator>(i: I) -> usize {
        i.count()
    }
    assert_eq!(needs_fused(fused(3)), 3);
}

#[test]
fn infinite_generators_with_adapters() {
    let v: Vec<_> = fib().skip(5).step_by(2).take(4).collect();
    assert_eq!(v, [5, 13, 34, 89]);
    let (lo, hi) = fib().size_hint();
    assert_eq!((lo, hi), (0, None));
}

#[generator]
fn question_mark_in_coroutine(
    items: Vec<&'static str>,
) -> impl Generator<Yield = u32, Return = Result<usize, std::num::ParseIntError>> {
    let mut n = 0;
    for s in items {
        let v: u32 = s.parse()?;
        yield_!(v);
        n += 1;
    }
    Ok(n)
}

#[test]
fn question_mark_returns_from_generator_form() {
    let mut g = pin!(question_mark_in_coroutine(vec!["1", "x"]));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(1));
    assert!(matches!(
        g.as_mut().resume(()),
        GeneratorState::Complete(Err(_))
    ));
    let mut g = pin!(question_mark_in_coroutine(vec!["7"]));
    assert_eq!(g.as_mut().resume(()), GeneratorState::Yielded(7));
    assert!(matches!(
        g.as_mut().resume(()),
        GeneratorState::Complete(Ok(1))
    ));
}

#[generator]
fn early_return(n: u32) -> impl Iterator<Item = u32> {
    for i in 0..10 {
        if i == n {
            return;
        }
        yield_!(i);
    }
}

#[test]
fn plain_return_in_iterator_form() {
    assert_eq!(early_return(3).collect::<Vec<_>>(), [0, 1, 2]);
}

/// A `yield_!` in the value of another: the inner one suspends first, and
/// its resume argument becomes part of the outer one's value.
#[generator]
fn nested_yields() -> impl Generator<i32, Yield = i32, Return = i32> {
    let answer = yield_!(yield_!(1) * 10);
    answer + 1
}

#[test]
fn a_yield_inside_a_yield() {
    let mut g = pin!(nested_yields());
    assert_eq!(g.as_mut().resume(0), GeneratorState::Yielded(1));
    assert_eq!(g.as_mut().resume(4), GeneratorState::Yielded(40));
    assert_eq!(g.as_mut().resume(7), GeneratorState::Complete(8));
}
